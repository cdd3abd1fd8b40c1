"""Institution names -> registry entries: the curated registry, the affiliation word lists, and resolution.

A name as written ("Asan Institute", "KINU", "the Russian Foreign Ministry", "Sejong institue") is resolved against
the registry (``resources/institutions.tsv`` and ``resources/institutions/*.tsv``): exact alias, country word +
generic form ("Russian" + "Foreign Ministry", either word order) or the registered name that adds the country, a
registry name contained in a longer one (a centre of a university -> the university), then fuzzy (rapidfuzz). A
name led by a country word never resolves to another country's body: it is kept as written instead. Unknown institutions are kept as written and typed by keyword rules
(``resources/affiliation.toml``). Nothing here reads a parse: descriptions are read in ``analysis.descriptions``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from analysis.lexicons import load_toml, load_tsv, resource_files

REGISTRY_FILE = "institutions.tsv"
REGISTRY_FOLDER = "institutions"  # more registry files (same columns, plus an optional per-row `source` note)
PATTERNS_FILE = "affiliation.toml"
FUZZY_CUTOFF = 90.0
DISTINCTIVE_WORD_CUTOFF = 80.0  # per word, for the words that tell two same-shaped names apart
MAX_WORD_EDITS = 2  # and at most this many edits: a typo, not another word of the same stem
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
QUOTE_CHARS = set("\"“”„«»")
CLASSIFIERS = {
    "newsletter", "newspaper", "magazine", "journal", "daily", "weekly", "broadcaster", "website", "outlet",
    "think tank", "think-tank", "institute", "university", "consultancy", "company", "firm", "agency", "group",
    "channel", "news agency", "portal", "news portal", "news site", "news website", "tv channel", "programme",
    "program", "podcast", "blog",
}

# --------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True, slots=True)
class Entry:
    """One registry row."""

    canonical: str
    type: str
    country: str
    aliases: tuple[str, ...]
    generic: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Contained:
    """A registry name as the containment index knows it."""

    length: int  # characters of the name as written: the longest name found inside a longer one wins
    order: int  # registry order, for ties
    name: str
    entry: Entry
    exact_case: bool  # acronyms and short names must match case-sensitively ("Rand" in a name is not RAND)


@dataclass(frozen=True, slots=True, eq=False)
class Registry:
    entries: tuple[Entry, ...]
    by_name: dict[str, Entry]  # normalised canonical name or alias -> entry
    by_generic: dict[tuple[str, str], Entry]  # (country, normalised generic form) -> entry
    fuzzy_keys: tuple[str, ...]
    # for the fuzzy step: every word of a normalised name -> the names holding it, the words themselves, and the
    # names made only of generic words; a typo is looked for among names that share the query's distinctive words
    by_word: dict[str, frozenset[str]]
    words_by_initial: dict[str, tuple[str, ...]]
    all_generic: tuple[str, ...]
    # the tokens of every name and alias -> the names with exactly those tokens: a name inside a longer one is
    # found by looking up the longer one's token n-grams, so a lookup costs O(words x longest name), not O(entries)
    contained: dict[tuple[str, ...], tuple[Contained, ...]]
    longest: int  # tokens of the longest name


_DASHES = re.compile(r"[-–/]")
_NOT_WORD = re.compile(r"[^\w'& ]")
_SPACES = re.compile(r"\s+")
_LEADING_THE = re.compile(r"^the ")
_TRAILING_POSSESSIVE = re.compile(r"'s$")
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_POSSESSIVE_END = re.compile(r"'s?$")


# one key for the British and American spellings of the words institution names share ("Defence Intelligence"
# is "Defense Intelligence"); only in lookup keys, names are written as the registry or the text has them
_US_SPELLING = {"defence": "defense", "centre": "center", "centres": "centers", "organisation": "organization",
                "programme": "program", "programmes": "programs"}
_BRITISH_SPELLING = re.compile(r"\b(?:" + "|".join(_US_SPELLING) + r")\b")


def norm(text: str) -> str:
    """Normalised lookup key: lower case, straight apostrophes, no dots, hyphens as spaces, no leading 'the'."""
    text = text.translate(APOSTROPHES).lower().replace(".", "").replace("&", " and ")
    text = _SPACES.sub(" ", _NOT_WORD.sub(" ", _DASHES.sub(" ", text))).strip()
    text = _LEADING_THE.sub("", text)
    text = _BRITISH_SPELLING.sub(lambda m: _US_SPELLING[m.group(0)], text)
    return _TRAILING_POSSESSIVE.sub("", text).strip()


def name_tokens(text: str) -> tuple[str, ...]:
    """The words of a name for the containment index: normalised, possessives dropped, and a name glued to the
    next capitalised word split off, as in run-in headers ("...International PeaceRussia and ...")."""
    words = [_POSSESSIVE_END.sub("", w) for w in norm(_GLUED.sub(" ", text)).split()]
    return tuple(w for w in words if w)


def _university_form(name: str) -> str | None:
    """The other usual English form of a one-word university name: "University of X" <-> "X University"."""
    match = re.fullmatch(r"(?:The )?University of ([A-Z][\w'’-]+)", name)
    if match:
        return f"{match.group(1)} University"
    match = re.fullmatch(r"([A-Z][\w'’-]+) University", name)
    return f"University of {match.group(1)}" if match else None


def _department_subject(name: str) -> str | None:
    """A department is often named by its subject alone ("Homeland Security spokesman" for the Department of
    Homeland Security); only subjects of two words or more that are not a generic field ("Foreign Affairs")."""
    match = re.fullmatch(r"(?:(?:U\.?S\.?|US) )?(?:Department of (?:the )?(.+)|(.+) Department)", name)
    subject = match and (match.group(1) or match.group(2))
    if not subject or len(subject.split()) < 2 or re.search(r"\b(?:Affairs|Foreign|State|Defen[cs]e|Studies)\b", subject):
        return None
    return subject


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def build_registry(rows: Iterable[Mapping[str, str]], generic: frozenset[str] | None = None) -> Registry:
    """A registry indexed for lookup from rows with the columns of ``institutions.tsv``; ``generic``: the words
    shared by many names (default: ``generic_words`` of ``affiliation.toml``)."""
    generic = load_patterns().generic_words if generic is None else generic
    entries = tuple(
        Entry(row["canonical"], row["type"], row["country"], _split(row.get("aliases", "")),
              _split(row.get("generic", "")))
        for row in rows
    )
    by_name: dict[str, Entry] = {}
    by_generic: dict[tuple[str, str], Entry] = {}
    contained: dict[tuple[str, ...], list[Contained]] = {}
    order = 0
    for entry in entries:
        written = (entry.canonical, *entry.aliases)
        # "Birmingham University" is the University of Birmingham, and the other way round
        for name in (*written, *filter(None, map(_university_form, written))):
            by_name.setdefault(norm(name), entry)
            tokens = name_tokens(name)
            if tokens:
                # acronyms, short names and one-word names ("The Paper", "Congress") only as written
                exact = name.isupper() or len(name) <= 4 or len(tokens) == 1
                contained.setdefault(tokens, []).append(Contained(len(name), order, name, entry, exact))
                order += 1
        for form in entry.generic:
            by_generic.setdefault((entry.country, norm(form)), entry)
    for entry in entries:  # after every written name, so a written name always wins
        for name in (entry.canonical, *entry.aliases):
            subject = _department_subject(name)
            if subject:
                by_name.setdefault(norm(subject), entry)
                contained.setdefault(name_tokens(subject), []).append(
                    Contained(len(subject), order, subject, entry, False))
                order += 1
    by_word: dict[str, set[str]] = {}
    for key in by_name:
        for word in key.split():
            by_word.setdefault(word, set()).add(key)
    return Registry(
        entries=entries,
        by_name=by_name,
        by_generic=by_generic,
        fuzzy_keys=tuple(by_name),
        by_word={w: frozenset(keys) for w, keys in by_word.items()},
        words_by_initial=_by_initial(by_word),
        all_generic=tuple(k for k in by_name if all(w in generic for w in k.split())),
        contained={k: tuple(v) for k, v in contained.items()},
        longest=max((len(k) for k in contained), default=0),
    )


@cache
def load_registry() -> Registry:
    """The institution registry (``institutions.tsv`` and ``institutions/*.tsv``), indexed once per process."""
    return build_registry(
        row for file in (REGISTRY_FILE, *resource_files(REGISTRY_FOLDER, ".tsv")) for row in load_tsv(file)
    )


def contained_entry(registry: Registry, text: str) -> Entry | None:
    """The entry of the longest registry name written inside ``text`` as whole words (a centre of a university
    -> the university)."""
    found = _contained(registry, text)
    return found[0][0].entry if found else None


def _contained(registry: Registry, text: str) -> list[tuple[Contained, int, int]]:
    """The registry names inside ``text``, longest first, with the token span each covers."""
    tokens = name_tokens(text)
    hits: list[tuple[Contained, int, int]] = []
    for size in range(1, min(len(tokens), registry.longest) + 1):
        for start in range(len(tokens) - size + 1):
            hits.extend((h, start, start + size) for h in registry.contained.get(tokens[start : start + size], ()))
    plain = text.translate(APOSTROPHES)
    return [hit for hit in sorted(hits, key=lambda h: (-h[0].length, h[0].order))
            if not hit[0].exact_case or _exact_pattern(hit[0].name).search(plain)]


def _as_school(entry: Entry, written: str, key: str) -> Resolved:
    """A named school of a university ("Yale School of Management") is kept as written, typed by its university:
    the guideline folds labs and centres into the university, and the labelled corpora keep schools as named."""
    if entry.type == "university" and "school" in key.split() and "school" not in norm(entry.canonical).split():
        return Resolved(written, entry.type, True, entry)
    return known_entry(entry)


def _unit_of(reg: Registry, text: str) -> Resolved | None:
    """A body of a registered parent written parent first: "Korean People's Army General Staff", "the Russian
    Academy of Sciences' Institute of Oriental Studies" -> the registered "<unit> of the <parent>", when there is one."""
    tokens = name_tokens(text)
    for hit, start, end in _contained(reg, text):
        if start == 0 and end < len(tokens):
            unit = " ".join(tokens[end:])
        elif end == len(tokens) and start >= 2 and tokens[start - 1] in {"of", "the"}:
            # "the General Staff of the North Korean army": the parent written by another of its names
            cut = start - 2 if tokens[start - 1] == "the" and tokens[start - 2] == "of" else start - 1
            unit = " ".join(tokens[:cut])
        else:
            continue
        for parent in (hit.entry.canonical, hit.name):
            for form in (f"{unit} of the {parent}", f"{unit} of {parent}", f"{parent} {unit}"):
                entry = reg.by_name.get(norm(form))
                if entry is not None and entry is not hit.entry:
                    return known_entry(entry)
    return None


@cache
def _exact_pattern(name: str) -> re.Pattern[str]:
    """Whole-word, case-sensitive search for an acronym or short name."""
    body = re.escape(name.translate(APOSTROPHES)).replace(r"\ ", r"[\s-]+")
    return re.compile(rf"(?<![\w-]){body}(?![\w-])")


@dataclass(frozen=True, slots=True)
class Resolved:
    name: str
    type: str | None
    known: bool
    entry: Entry | None = None


# --------------------------------------------------------------------------------------------- patterns


@dataclass(frozen=True, slots=True)
class Patterns:
    role_nouns: frozenset[str]
    role_modifiers: frozenset[str]
    government_roles: frozenset[str]
    military_roles: frozenset[str]
    honorifics: frozenset[str]
    former: frozenset[str]
    current: frozenset[str]
    ministers: dict[str, str]
    titles: dict[str, tuple[str, str]]
    org_heads: frozenset[str]
    subunits: frozenset[str]
    generic_words: frozenset[str]
    not_orgs: frozenset[str]
    type_rules: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    head_types: dict[str, str]  # head noun of a name -> type
    academic_roles: frozenset[str]
    think_tank_roles: frozenset[str]
    civilian_officers: frozenset[str]
    country_words: dict[str, str]  # normalised country word -> code
    country_pattern: re.Pattern[str]


@cache
def load_patterns() -> Patterns:
    """The role, organisation, type and country word lists, loaded once per process."""
    data = load_toml(PATTERNS_FILE)
    roles = data["roles"]
    country_words = {norm(word): code for code, words in data["countries"].items() for word in words}
    alternatives = sorted({w for words in data["countries"].values() for w in words}, key=len, reverse=True)
    country_pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(w) for w in alternatives) + r")(?:['’]s)?(?![\w-])"
    )
    type_rules = tuple(
        (rule[0], tuple(re.compile(rf"(?<![\w-]){re.escape(k)}(?![\w-])", re.IGNORECASE) for k in rule[1:]))
        for rule in data["types"]["rules"]
    )
    return Patterns(
        role_nouns=frozenset(roles["nouns"]),
        role_modifiers=frozenset(roles["modifiers"]),
        government_roles=frozenset(roles["government"]),
        military_roles=frozenset(roles["military"]),
        honorifics=frozenset(roles["honorifics"]),
        former=frozenset(roles["former"]),
        current=frozenset(roles["current"]),
        ministers=dict(data["ministers"]),
        titles={k: (v[0], v[1]) for k, v in data["titles"].items()},
        org_heads=frozenset(data["organisations"]["heads"]),
        subunits=frozenset(data["organisations"]["subunits"]),
        generic_words=frozenset(data["organisations"]["generic_words"]),
        not_orgs=frozenset(norm(w) for w in data["organisations"]["not_orgs"]),
        type_rules=type_rules,
        head_types={head: rule[0] for rule in data["types"]["heads"] for head in rule[1:]},
        academic_roles=frozenset(roles["academic"]),
        think_tank_roles=frozenset(roles["think_tank_roles"]),
        civilian_officers=frozenset(roles["civilian_officers"]),
        country_words=country_words,
        country_pattern=country_pattern,
    )


def type_from_name(name: str) -> str | None:
    """Institution type of an unregistered name: an international body's keyword, else its head noun, else the
    keyword rules (University -> university, ...)."""
    pats = load_patterns()
    rules = pats.type_rules
    for type_, patterns in rules[:1] if rules and rules[0][0] == "international_org" else ():
        if any(p.search(name) for p in patterns):
            return type_
    head = head_noun(name)
    if head in pats.head_types:
        return pats.head_types[head]
    for type_, patterns in rules:
        if any(p.search(name) for p in patterns):
            return type_
    return None


_HEAD_END = re.compile(r"\s+(?:of|for|on|at|in|to)\s+|\s*[,(]", re.IGNORECASE)


def head_noun(name: str) -> str:
    """The head noun of an organisation's name: the last word before the first of/for/on/at/in, lower case
    ("Kyiv City Military Administration" -> "administration", "University of Leeds" -> "university")."""
    first_part = _HEAD_END.split(name.strip(), maxsplit=1)[0]
    words = first_part.translate(APOSTROPHES).replace("-", " ").split()
    if len(words) >= 2 and f"{words[-2]} {words[-1]}".lower() in load_patterns().head_types:
        return f"{words[-2]} {words[-1]}".lower()  # "Task Force", "Air Force"
    return words[-1].lower().strip(".,") if words else ""


def country_of(word: str) -> str | None:
    """Country code of a country word ("Russian", "Seoul's", "the DPRK"), else None."""
    return load_patterns().country_words.get(norm(word))


# --------------------------------------------------------------------------------------------- resolution


def _clean_name(text: str) -> str:
    text = "".join(ch for ch in text if ch not in QUOTE_CHARS)
    text = re.sub(r"\s+", " ", text).strip(" ,;:.-–—()[]")
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)
    # generic trailing descriptors: "the East-West Center think tank", "the X group"
    text = re.sub(r"\s+(?:think[ -]tank|group|research group)$", "", text)
    return text.strip()


def strip_country(text: str) -> tuple[str | None, str]:
    """("Russian", "Foreign Ministry") from "Russian Foreign Ministry"; (None, text) when no country word leads."""
    match = load_patterns().country_pattern.match(text)
    if not match:
        return None, text
    return country_of(match.group(1)), text[match.end() :].strip()


@lru_cache(maxsize=1 << 16)
def resolve(name: str, country_hint: str | None = None) -> Resolved | None:
    """The registry entry for an institution name as written, or the cleaned name with a rule-based type.

    None when the text is not an institution (a bare country word, a field of study). Cached: the same names
    recur in every article.
    """
    return lookup(load_registry(), name, country_hint)


def lookup(reg: Registry, name: str, country_hint: str | None = None) -> Resolved | None:
    """``resolve`` against a given registry."""
    paren = re.match(r"^(.*?\S)\s*\(([^()]+)\)\s*$", name.strip())
    if paren:
        # "Korea Institute for National Unification (KINU)", "Frontier Markets Review (newsletter)"
        base, inner = paren.group(1), paren.group(2).strip()
        found = lookup(reg, base, country_hint)
        if inner.lower() in CLASSIFIERS:
            if found is not None and not found.known and found.type is None:
                return Resolved(found.name, type_from_name(inner), False)
            return found
        if found is not None and found.known:
            return found
        by_acronym = lookup(reg, inner, country_hint)
        if by_acronym is not None and by_acronym.known:
            return by_acronym
        return found
    pats = load_patterns()
    cleaned = _clean_name(name)
    key = norm(cleaned)
    if not key or key in pats.not_orgs or key in pats.country_words:
        return None
    if key in reg.by_name:
        return _as_school(reg.by_name[key], cleaned, key)
    country, rest = strip_country(cleaned)
    if country is None:
        country, rest = _trailing_country(cleaned)  # "the Joint Chiefs of Staff of South Korea"
        if country is not None and norm(rest) in reg.by_name and (country, norm(rest)) not in reg.by_generic:
            country, rest = None, cleaned
    rest_key = norm(rest)
    # "North Korea's Bureau of X", not "Ukrainian Army's 3rd Brigade": the country word itself is the possessive
    lead = cleaned[: len(cleaned) - len(rest)] if cleaned.endswith(rest) else ""
    possessive = bool(country) and lead.rstrip().translate(APOSTROPHES).endswith("'s")
    if country and rest_key:
        # the country's own body first: "South Korea's Joint Chiefs of Staff" is not the US one
        own = _country_form(reg, country, rest_key)
        if own is not None:
            return known_entry(own)
        if rest_key in reg.by_name:
            entry = reg.by_name[rest_key]
            if entry.country in {country, "-"}:
                return _as_school(entry, rest, rest_key)
            # "Japan's National Security Council" is not the US one: another country's body of the same name is
            # kept as written and typed from its head noun
            return Resolved(cleaned, entry.type if _same_head(rest, entry) else type_from_name(rest), False)
    elif country_hint and (own := _country_form(reg, country_hint, key)) is not None:
        return known_entry(own)
    unit = _unit_of(reg, cleaned) or _named_unit(reg, cleaned, pats)
    if unit is not None:
        return unit
    inside = _accepted_contained(reg, cleaned, country, pats)
    if inside is not None:
        return _as_school(inside, cleaned, key)
    hit = process.extractOne(key, _fuzzy_candidates(reg, key, pats.generic_words), scorer=fuzz.ratio,
                             score_cutoff=FUZZY_CUTOFF)
    if hit is not None and _distinctive_words_agree(key, hit[0], pats.generic_words):
        return known_entry(reg.by_name[hit[0]])
    if country and not rest_key:
        return None
    parent = _parent_university(reg, cleaned, pats.subunits)
    if parent is not None:
        return parent
    if _names_a_field(cleaned, pats):
        return None
    if possessive:
        cleaned = rest  # "North Korea's Bureau of X" is written down as "Bureau of X"
    return Resolved(cleaned, type_from_name(cleaned), False)


_OF_FORM = re.compile(r"^(ministry|department) of (.+)$")
_HEAD_FORM = re.compile(r"^(.+) (ministry|department)$")


_GENERIC_SYNONYMS = {"foreign office": "foreign ministry", "defense department": "defense ministry",
                     "department of defense": "defense ministry"}


def _generic_variants(key: str) -> tuple[str, ...]:
    """A generic form, its other word order ("defence department" <-> "department of defence"), and the usual
    name of the same office when a country calls it differently ("Foreign Office" for the foreign ministry)."""
    forms = [key]
    if match := _OF_FORM.match(key):
        forms.append(f"{match.group(2)} {match.group(1)}")
    elif match := _HEAD_FORM.match(key):
        forms.append(f"{match.group(2)} of {match.group(1)}")
    forms += [_GENERIC_SYNONYMS[f] for f in forms if f in _GENERIC_SYNONYMS]
    return tuple(forms)


@cache
def _words_of_country(code: str) -> tuple[str, ...]:
    return tuple(word for word, c in load_patterns().country_words.items() if c == code)


def _country_form(reg: Registry, country: str, key: str) -> Entry | None:
    """The country's own body for a generic form or a name written without its country: a registered generic
    form in either word order ("Canberra's defence department"), else the registry name that adds the country
    ("Hungarian National Assembly" -> National Assembly of Hungary)."""
    for variant in _generic_variants(key):
        if (country, variant) in reg.by_generic:
            return reg.by_generic[(country, variant)]
    for word in _words_of_country(country):
        for form in (f"{key} of {word}", f"{key} of the {word}", f"{word} {key}"):
            entry = reg.by_name.get(norm(form))
            if entry is not None and entry.country == country:
                return entry
    return None


_FUNCTION_WORDS = frozenset({"the", "of", "for", "and", "on", "in", "at", "s"})
FOLDING_TYPES = frozenset({"university", "think_tank"})  # their centres and programmes are recorded as them


def _same_country(a: str, b: str) -> bool:
    """Bodies of one country, or an international one; "Korean" names either Korea."""
    return a == b or "-" in {a, b} or {a, b} == {"KR", "KP"}


def _accepted_contained(reg: Registry, text: str, country: str | None, pats: Patterns) -> Entry | None:
    """The longest registry name inside ``text`` that ``text`` is a form of: the words around it add nothing
    distinctive (generic words, country words), or name a centre or programme of a university or think tank
    (recorded as it, shared/ANNOTATION.md). A longer name with distinctive words of its own ("Carnegie Mellon
    University", "Federal Foreign Office", "3rd Assault Brigade of the Army") is another body, kept as written; a
    body of another country than the one the name leads with is never taken."""
    tokens = name_tokens(text)
    country_tokens = {w for word in pats.country_words for w in word.split()}
    # a name's own words are capitalised; "ruling" in "the ruling People Power Party" only describes it
    written = re.findall(r"[\w']+", text.translate(APOSTROPHES))
    capitalised = {norm(w) for w in written if not w[:1].islower()}
    plain = {norm(w) for w in written if w[:1].islower()} - capitalised
    heads = pats.org_heads | pats.subunits | set(pats.head_types)
    for hit, start, end in _contained(reg, text):
        if country is not None and not _same_country(country, hit.entry.country):
            continue
        extra = [w for w in (*tokens[:start], *tokens[end:]) if w not in _FUNCTION_WORDS]
        if hit.entry.type in FOLDING_TYPES and any(w in pats.subunits for w in extra):
            return hit.entry
        if hit.entry.type == "university" and end == len(tokens) and not any(w in heads for w in extra):
            return hit.entry  # a chair or field before the university: "Professor of Economic Geography, X University"
        if all(w in pats.generic_words or w in country_tokens or w in plain for w in extra):
            return hit.entry
        if hit.entry.type not in FOLDING_TYPES and any(w[0].isdigit() for w in extra) and _names_a_unit(
                text, hit.name, pats):
            return None  # "Ground Forces' 93rd Brigade": a numbered unit of a body is recorded as named
        # distinctive words around it: a name made only of common words ("Foreign Office", "National Assembly")
        # is not evidence for that body, nor is one the longer name's head gives another type ("Carnegie" in
        # "Carnegie Mellon University")
        # distinctive words around it name another body when the longer name's head gives another type
        # ("Carnegie" in "Carnegie Mellon University"); otherwise the registered body is the better reading
        # (rejecting every name with words of its own lowered the validation figure)
        if {pats.head_types[w] for w in extra if w in pats.head_types} - {hit.entry.type}:
            return None
        return hit.entry
    return None


def _names_a_unit(text: str, parent: str, pats: Patterns) -> bool:
    """The longer name has a head noun of its own that names an organisation (a brigade of an army): the
    guideline records the body named in the article, and the labelled corpora keep units as named."""
    head = head_noun(_clean_name(re.sub(r"['’]s?\s", " ", text.translate(APOSTROPHES))))
    return head != head_noun(parent) and head in pats.head_types


def _same_head(name: str, entry: Entry) -> bool:
    """The name has the head noun of the entry's canonical form (its type then carries over)."""
    return head_noun(name) == head_noun(entry.canonical)


def _by_initial(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for word in words:
        out.setdefault(word[0], []).append(word)
    return {k: tuple(v) for k, v in out.items()}


def _fuzzy_candidates(reg: Registry, key: str, generic: frozenset[str]) -> list[str]:
    """The names a fuzzy match of ``key`` may be: those with a close spelling of each of its distinctive words
    (the same test ``_distinctive_words_agree`` applies after the match), so the cost follows the few names
    sharing its words, not the size of the registry."""
    distinctive = [w for w in key.split() if w not in generic]
    if not distinctive:
        return list(reg.all_generic)
    near: list[set[str]] = []
    for word in distinctive:
        if word in reg.by_word:
            near.append({word})
            continue
        # a misspelt word: its close spellings among the registry's words with the same first letter
        close = process.extract(word, reg.words_by_initial.get(word[0], ()), scorer=fuzz.ratio,
                                score_cutoff=DISTINCTIVE_WORD_CUTOFF, limit=None)
        if not close:
            return []
        near.append({w for w, _, _ in close})
    # seed with the rarest word's names, then keep those that also hold a close spelling of every other word
    near.sort(key=lambda words: sum(len(reg.by_word[w]) for w in words))
    found = set().union(*(reg.by_word[w] for w in near[0]))
    for words in near[1:]:
        found = {k for k in found if not words.isdisjoint(k.split())}
    return sorted(found)


_OF_OR_AT = re.compile(r"\s+(?:of|at)\s+(?:the\s+)?|,\s+", re.IGNORECASE)
_FIELD_WORDS = {"studies", "affairs", "relations", "policy", "politics", "history", "economics", "law", "security"}


def _parent_university(reg: Registry, name: str, subunits: frozenset[str]) -> Resolved | None:
    """A school, centre or lab of a university is recorded as the university (shared/ANNOTATION.md): "School of
    International Studies of Hanbit University" -> Hanbit University."""
    if head_noun(name) not in subunits:
        return None
    parts = _OF_OR_AT.split(name)
    for k in range(1, len(parts)):
        tail = " ".join(parts[k:]) if k == len(parts) - 1 else parts[k]
        if head_noun(tail) in {"university", "college"}:
            return lookup(reg, tail)
    return None


_FIRST_OF = re.compile(r"\s+of\s+(?:the\s+)?", re.IGNORECASE)


def _named_unit(reg: Registry, name: str, pats: Patterns) -> Resolved | None:
    """"Southern Defense Forces of the Armed Forces of Ukraine": a named unit of a registered body is recorded as
    the unit, as written (the body it belongs to only follows "of"); a school, centre or lab of a university is not
    a unit in this sense (the university is recorded)."""
    parts = _FIRST_OF.split(name, maxsplit=1)
    if len(parts) < 2 or len(parts[0].split()) < 2:
        return None
    unit, parent = parts
    if head_noun(unit) in pats.subunits or contained_entry(reg, unit) is not None:
        return None
    unit_words = len(name_tokens(unit))
    if any(start < unit_words < end for _, start, end in _contained(reg, name)):
        return None  # a registered name runs across the "of": "Russian Academy of Sciences' Institute ..."
    type_ = type_from_name(unit)
    if type_ is None or contained_entry(reg, parent) is None:
        return None
    return Resolved(unit, type_, False)


def _trailing_country(text: str) -> tuple[str | None, str]:
    """("KR", "Joint Chiefs of Staff") from "Joint Chiefs of Staff of South Korea"; (None, text) otherwise."""
    match = re.match(r"^(.*\S)\s+of\s+(?:the\s+)?(.+)$", text)
    if not match:
        return None, text
    code = country_of(match.group(2))
    return (code, match.group(1)) if code else (None, text)


def _names_a_field(name: str, pats: Patterns) -> bool:
    """'Russian and Eurasian Studies', 'International Security Policy': a field of study, not a body (no
    organisation head among its words)."""
    words = [w.lower().strip(".,") for w in name.replace("-", " ").split()]
    if not words or words[-1] not in _FIELD_WORDS:
        return False
    heads = pats.org_heads | pats.subunits | set(pats.head_types)
    return not any(w in heads for w in words)


def _distinctive_words_agree(key: str, candidate: str, generic: frozenset[str]) -> bool:
    """Every non-generic word on either side has a close spelling on the other side (typos pass; a different
    institution of the same shape does not)."""
    mine, theirs = key.split(), candidate.split()

    def covered(words: list[str], other: list[str]) -> bool:
        return all(any(_same_word(w, o) for o in other) for w in words if w not in generic)

    return covered(mine, theirs) and covered(theirs, mine)


def _same_word(word: str, other: str) -> bool:
    """A spelling variant of the same word: close in ratio and at most two edits apart, and never two different
    country words ("Austrian" is not a typo of "Australian")."""
    if word == other:
        return True
    countries = load_patterns().country_words
    if word in countries and other in countries and countries[word] != countries[other]:
        return False
    return fuzz.ratio(word, other) >= DISTINCTIVE_WORD_CUTOFF and Levenshtein.distance(word, other) <= MAX_WORD_EDITS


def known_entry(entry: Entry) -> Resolved:
    return Resolved(entry.canonical, entry.type, True, entry)


def canonical_institution(name: str) -> tuple[str, str | None, bool]:
    """(canonical name, type, known) for an institution name as written; unknown names come back cleaned."""
    resolved = resolve(name)
    if resolved is None:
        return _clean_name(name), type_from_name(name), False
    return resolved.name, resolved.type, resolved.known
