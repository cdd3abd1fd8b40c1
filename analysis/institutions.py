"""Speaker + Doc -> Affiliation: the role, institution (canonical) and institution type named for a speaker.

Passes, in the order the evidence is trusted:
1. the description at the quote's attribution site ("Mr. Nam, who is now a professor at Korea University, said"),
   when it names an institution;
2. the descriptions attached to the speaker's mentions in document order, the first full-name introduction first:
   title words before the name ("Kremlin spokesman X", "Russian Defense Minister X", "Stimson Center's X"),
   appositives after it ("X, a professor at Y", "X of the Y", "X (Y)", "X, who heads Y"), a description ending in
   a comma just before it ("the country's chief of the General Staff, X"), and descriptor mentions themselves
   ("the Japanese government spokesman");
3. for interview transcripts (the speaker only appears as a "Name:" label), the guest's description in the opening.

Names are resolved against the curated registry (``resources/institutions.tsv``): exact alias, country word +
generic form ("Russian" + "Foreign Ministry"), a registry name contained in a longer one (a centre of a university
-> the university), then fuzzy (rapidfuzz). Unknown institutions are kept as written and typed by keyword rules
(``resources/affiliation.toml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from analysis.lexicons import load_toml, load_tsv, resource_files
from analysis.nlp import doc_text
from analysis.records import INSTITUTION_TYPES, Affiliation, Quote, Span, Speaker

VERSION = "3"

REGISTRY_FILE = "institutions.tsv"
REGISTRY_FOLDER = "institutions"  # more registry files (same columns, plus an optional per-row `source` note)
PATTERNS_FILE = "affiliation.toml"
FUZZY_CUTOFF = 90.0
DISTINCTIVE_WORD_CUTOFF = 80.0  # per word, for the words that tell two same-shaped names apart
MAX_APPOSITIVE_TOKENS = 45
CONTEXT_SENTENCES = 3  # how far back a bare "Foreign Ministry" looks for its country

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_QUOTE_CHARS = set("\"“”„«»")
_POSSESSIVE = {"'s", "’s", "'", "’"}
_PERSON_PRONOUNS = {"he", "she", "him", "her", "they", "i", "we", "his", "hers"}
_CHUNK_PREPS = ("at", "with", "from", "of", "for", "in", "on")
_AFFILIATION_PREPS = {"at", "with", "from", "of", "for", "in"}
_NAME_CONNECTORS = {"of", "for", "the", "and", "&", "on", "a", "de", "-", "–", "'s", "’s", "upon"}
_RELATIVE_VERBS = {
    # verb after "who" -> the role it implies (None: keep the role from the rest of the clause)
    "is": None, "was": None, "heads": "head", "headed": "head", "leads": "head", "led": "head",
    "runs": "head", "ran": "head", "directs": "director", "directed": "director", "chairs": "chair",
    "chaired": "chair", "teaches": "professor", "taught": "professor", "works": None, "worked": None,
    "served": None, "serves": None, "has": None, "had": None, "been": None, "founded": "founder",
    "left": None, "quit": None,
}
# lower-case nouns that classify the name after them ("the newsletter X"); the type comes from the noun
_CLASSIFIERS = {
    "newsletter", "newspaper", "magazine", "journal", "daily", "weekly", "broadcaster", "website", "outlet",
    "think tank", "think-tank", "institute", "university", "consultancy", "company", "firm", "agency", "group",
    "channel", "news agency",
}
_PAST_RELATIVE = {"left", "quit", "was", "headed", "led", "ran", "directed", "chaired", "taught", "worked", "served", "had", "founded"}


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
class Registry:
    entries: tuple[Entry, ...]
    by_name: dict[str, Entry]  # normalised canonical name or alias -> entry
    by_generic: dict[tuple[str, str], Entry]  # (country, normalised generic form) -> entry
    fuzzy_keys: tuple[str, ...]
    contained: tuple[tuple[re.Pattern[str], Entry], ...]  # longest first


def norm(text: str) -> str:
    """Normalised lookup key: lower case, straight apostrophes, no dots, hyphens as spaces, no leading 'the'."""
    text = text.translate(_APOSTROPHES).lower().replace(".", "").replace("&", " and ")
    text = re.sub(r"[-–/]", " ", text)
    text = re.sub(r"[^\w'& ]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    return re.sub(r"'s$", "", text).strip()


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


@cache
def load_registry() -> Registry:
    """The institution registry, indexed once per process."""
    entries = tuple(
        Entry(row["canonical"], row["type"], row["country"], _split(row["aliases"]), _split(row["generic"]))
        for file in (REGISTRY_FILE, *resource_files(REGISTRY_FOLDER, ".tsv"))
        for row in load_tsv(file)
    )
    by_name: dict[str, Entry] = {}
    by_generic: dict[tuple[str, str], Entry] = {}
    contained: list[tuple[int, re.Pattern[str], Entry]] = []
    for entry in entries:
        for name in (entry.canonical, *entry.aliases):
            by_name.setdefault(norm(name), entry)
            contained.append((len(name), _containment_pattern(name), entry))
        for generic in entry.generic:
            by_generic.setdefault((entry.country, norm(generic)), entry)
    contained.sort(key=lambda item: -item[0])
    return Registry(
        entries=entries,
        by_name=by_name,
        by_generic=by_generic,
        fuzzy_keys=tuple(by_name),
        contained=tuple((pattern, entry) for _, pattern, entry in contained),
    )


def _containment_pattern(name: str) -> re.Pattern[str]:
    """Whole-word search for a registry name inside a longer one.

    Acronyms match case-sensitively (so "Rand" in a name is not RAND); a name may be glued to a following
    capitalised word, as in run-in headers ("...International PeaceRussia and ...").
    """
    body = re.escape(name.translate(_APOSTROPHES)).replace(r"\ ", r"[\s-]+")
    if name.isupper() or len(name) <= 4:
        return re.compile(rf"(?<![\w-]){body}(?![\w-])")
    return re.compile(rf"(?<![\w-]){body}(?![a-z0-9-])", re.IGNORECASE)


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
        country_words=country_words,
        country_pattern=country_pattern,
    )


def type_from_name(name: str) -> str | None:
    """Institution type of an unregistered name by keyword rules (University -> university, ...)."""
    for type_, patterns in load_patterns().type_rules:
        if any(p.search(name) for p in patterns):
            return type_
    return None


def country_of(word: str) -> str | None:
    """Country code of a country word ("Russian", "Seoul's", "the DPRK"), else None."""
    return load_patterns().country_words.get(norm(word))


# --------------------------------------------------------------------------------------------- resolution


def _clean_name(text: str) -> str:
    text = "".join(ch for ch in text if ch not in _QUOTE_CHARS)
    text = re.sub(r"\s+", " ", text).strip(" ,;:.-–—()[]")
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)
    # generic trailing descriptors: "the East-West Center think tank", "the X group"
    text = re.sub(r"\s+(?:think[ -]tank|group|research group)$", "", text)
    return text.strip()


def _strip_country(text: str) -> tuple[str | None, str]:
    """("Russian", "Foreign Ministry") from "Russian Foreign Ministry"; (None, text) when no country word leads."""
    match = load_patterns().country_pattern.match(text)
    if not match:
        return None, text
    return country_of(match.group(1)), text[match.end() :].strip()


def resolve(name: str, country_hint: str | None = None) -> Resolved | None:
    """The registry entry for an institution name as written, or the cleaned name with a rule-based type.

    None when the text is not an institution (a bare country word, a field of study).
    """
    paren = re.match(r"^(.*?\S)\s*\(([^()]+)\)\s*$", name.strip())
    if paren:
        # "Korea Institute for National Unification (KINU)", "Frontier Markets Review (newsletter)"
        base, inner = paren.group(1), paren.group(2).strip()
        found = resolve(base, country_hint)
        if inner.lower() in _CLASSIFIERS:
            if found is not None and not found.known and found.type is None:
                return Resolved(found.name, type_from_name(inner), False)
            return found
        if found is not None and found.known:
            return found
        by_acronym = resolve(inner, country_hint)
        if by_acronym is not None and by_acronym.known:
            return by_acronym
        return found
    reg = load_registry()
    pats = load_patterns()
    cleaned = _clean_name(name)
    key = norm(cleaned)
    if not key or key in pats.not_orgs or key in pats.country_words:
        return None
    if key in reg.by_name:
        return _known(reg.by_name[key])
    country, rest = _strip_country(cleaned)
    rest_key = norm(rest)
    if country and rest_key:
        if rest_key in reg.by_name:
            return _known(reg.by_name[rest_key])
        if (country, rest_key) in reg.by_generic:
            return _known(reg.by_generic[(country, rest_key)])
    elif country_hint and (country_hint, key) in reg.by_generic:
        return _known(reg.by_generic[(country_hint, key)])
    text = cleaned.translate(_APOSTROPHES)
    for pattern, entry in reg.contained:
        if pattern.search(text) and norm(pattern.pattern) != key:
            return _known(entry)
    hit = process.extractOne(key, reg.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    if hit is not None and _distinctive_words_agree(key, hit[0], pats.generic_words):
        return _known(reg.by_name[hit[0]])
    if country and not rest_key:
        return None
    if country and re.match(r"^[^']+['’]s\s", cleaned):
        cleaned = rest  # "North Korea's Bureau of X" is written down as "Bureau of X"
    return Resolved(cleaned, type_from_name(cleaned), False)


def _distinctive_words_agree(key: str, candidate: str, generic: frozenset[str]) -> bool:
    """Every non-generic word on either side has a close spelling on the other side (typos pass; a different
    institution of the same shape does not)."""
    mine, theirs = key.split(), candidate.split()

    def covered(words: list[str], other: list[str]) -> bool:
        return all(
            any(fuzz.ratio(w, o) >= DISTINCTIVE_WORD_CUTOFF for o in other) for w in words if w not in generic
        )

    return covered(mine, theirs) and covered(theirs, mine)


def _known(entry: Entry) -> Resolved:
    return Resolved(entry.canonical, entry.type, True, entry)


def canonical_institution(name: str) -> tuple[str, str | None, bool]:
    """(canonical name, type, known) for an institution name as written; unknown names come back cleaned."""
    resolved = resolve(name)
    if resolved is None:
        return _clean_name(name), type_from_name(name), False
    return resolved.name, resolved.type, resolved.known


# --------------------------------------------------------------------------------------------- descriptions


@dataclass(frozen=True, slots=True)
class Description:
    """What one passage says about a speaker."""

    role: str | None = None
    institution: Resolved | None = None
    former: bool = False
    type_hint: str | None = None  # from the role or an unnamed institution ("a government-run think tank")

    @property
    def empty(self) -> bool:
        return self.role is None and self.institution is None and self.type_hint is None


def _is_cap(token: Token) -> bool:
    return token.text[:1].isupper() or token.text[:1].isdigit()


def _role_key(words: Iterable[str]) -> str:
    return " ".join(w.lower().strip(".") for w in words)


def _has_role_noun(words: Sequence[str]) -> bool:
    pats = load_patterns()
    lowered = [w.lower().strip(".,") for w in words]
    joined = " ".join(lowered)
    if any(w in pats.role_nouns or w in pats.military_roles for w in lowered):
        return True
    return any(" " in noun and re.search(rf"\b{re.escape(noun)}\b", joined) for noun in pats.role_nouns)


def _role_type(role: str | None) -> str | None:
    """Type implied by a role with no institution: officials -> government, ranks/officers -> military."""
    if not role:
        return None
    pats = load_patterns()
    words = [w.strip(".,") for w in role.lower().split()]
    joined = " ".join(words)
    if any(re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", joined) for t in pats.government_roles if " " in t):
        return "government"
    head = words[-1] if words else ""
    if head in pats.government_roles:
        return "government"
    if joined in pats.role_nouns or " ".join(words[-2:]) in pats.role_nouns:
        return None  # "secretary general", "vice president": a civilian title ending in a rank-like word
    if head in pats.military_roles or joined in pats.military_roles:
        return "military"
    if words and words[0] in pats.military_roles and words[0] not in pats.role_nouns:
        return "military"
    return None


def _shorten_role(words: list[str]) -> str | None:
    """The title itself: drop articles, honorifics and a leading field of study before an academic title."""
    pats = load_patterns()
    while words and words[0].lower() in {"a", "an", "the", "its", "his", "her", "their"}:
        words = words[1:]
    words = [w for w in words if w.lower() not in pats.honorifics]
    if not words:
        return None
    academic = {"professor", "lecturer", "researcher", "fellow", "scholar"}
    if words[-1].lower() in academic:
        start = len(words) - 1
        while start > 0 and (
            words[start - 1].lower() in pats.role_modifiers or words[start - 1].lower() in pats.role_nouns
            or words[start - 1][:1].isupper()
        ):
            start -= 1
        words = words[start:]
    role = re.sub(r"\s*([-–])\s*", r"\1", " ".join(words)).strip(" ,.")
    return role or None


def _extend_to_title(tokens: Sequence[Token], role_end: int) -> int:
    """Keep 'secretary of state' / 'chief of staff' whole when the titles table knows the longer form."""
    titles = load_patterns().titles
    for end in range(min(len(tokens), role_end + 4), role_end, -1):
        key = _role_key(t.text for t in tokens[:end])
        if any(key == t or key.endswith(" " + t) for t in titles):
            return end
    return role_end


def _through_last_role(words: list[str]) -> list[str]:
    """Cut a run-in title after its last role word ('Senior Fellow Nuclear Policy Program ...' -> 'Senior Fellow')."""
    pats = load_patterns()
    last = max((i for i, w in enumerate(words) if w.lower().strip(".,") in pats.role_nouns), default=None)
    return words if last is None else words[: last + 1]


def _former_flag(words: Sequence[str]) -> tuple[bool, bool]:
    """(says former, says current) for the words of one chunk."""
    pats = load_patterns()
    lowered = [w.lower() for w in words]
    former = any(w in pats.former or w.startswith("ex-") for w in lowered)
    current = any(w in pats.current for w in lowered)
    return former and not current, current


def _org_candidates(tokens: Sequence[Token], start_role: int | None) -> list[tuple[int, str, str]]:
    """Organisation names in a chunk, with a priority (lower first): after at/with/from, after of/for/in, before the role."""
    found: list[tuple[int, str, str]] = []  # (priority, name, determiner before it: "the", "a" or "")
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        low = tok.lower_
        if low in _AFFILIATION_PREPS or i == 0:
            j = i + 1 if low in _AFFILIATION_PREPS else i
            det = ""
            while j < n and tokens[j].lower_ in {"the", "a", "an"}:
                det = "the" if tokens[j].lower_ == "the" else "a"
                j += 1
            classifier = None
            if det and j + 1 < n and not _is_cap(tokens[j]) and _is_cap(tokens[j + 1]):
                if tokens[j].lower_ in _CLASSIFIERS:
                    classifier, j = tokens[j].lower_, j + 1
                elif j + 2 < n and f"{tokens[j].lower_} {tokens[j + 1].lower_}" in _CLASSIFIERS and _is_cap(tokens[j + 2]):
                    classifier, j = f"{tokens[j].lower_} {tokens[j + 1].lower_}", j + 2
            name, end = _read_name(tokens, j)
            if name and classifier:
                name = f"{name} ({classifier})"
            if name and i == 0 and low not in _AFFILIATION_PREPS:
                # a name before the role ("a Kookmin University professor"); stop it at the role word
                before, after = _around_role(tokens, j, end)
                if before:
                    found.append((2, before, det))
                if after:
                    found.append((1, after, ""))  # run-in header: "Senior Fellow Nuclear Policy Program Carnegie ..."
                i = end if before == name else i + 1  # a whole name: its inner "of" starts no second one
                continue
            if name:
                found.append((0 if low in {"at", "with", "from"} else 1, name, det))
                i = max(end, i + 1)
                continue
            phrase = _read_lower_org(tokens, j, bool(det) or _preceded_by_possessive(tokens, j))
            if phrase:
                found.append((1 if low in _AFFILIATION_PREPS else 2, phrase, det))
        i += 1
    return found


def _around_role(tokens: Sequence[Token], j: int, end: int) -> tuple[str | None, str | None]:
    """Split a capitalised run at its title words: (name before the title, name after it)."""
    pats = load_patterns()

    def titled(t: Token) -> bool:
        return t.lower_ in pats.role_nouns or t.lower_ in pats.role_modifiers

    k = j
    while k < end and tokens[k].lower_ not in pats.role_nouns:
        k += 1
    while j < k < end and tokens[k - 1].lower_ in pats.role_modifiers:
        k -= 1
    b = k
    while b > j and tokens[b - 1].lower_ in _NAME_CONNECTORS:
        b -= 1
    a = k
    while a < end and (titled(tokens[a]) or tokens[a].lower_ in _NAME_CONNECTORS):
        a += 1
    return (_join(tokens[j:b]) or None), (_join(tokens[a:end]) if a < end and k < end else None)


def _preceded_by_possessive(tokens: Sequence[Token], j: int) -> bool:
    return any(t.text in _POSSESSIVE for t in tokens[max(0, j - 3) : j])


def _read_name(tokens: Sequence[Token], j: int) -> tuple[str | None, int]:
    """A capitalised name starting at tokens[j] (connectors allowed inside: 'Institute for the Study of War')."""
    n = len(tokens)
    if j >= n:
        return None, j
    quoted = tokens[j].text in _QUOTE_CHARS
    if quoted:
        k = j + 1
        while k < n and tokens[k].text not in _QUOTE_CHARS:
            k += 1
        if k < n and k > j + 1:
            text = _join(tokens[j + 1 : k])
            return text, k + 1
        return None, j
    while j + 2 < n and tokens[j + 1].text in {"-", "–"} and tokens[j + 2].tag_ in {"VBN", "JJ"} and not _is_cap(tokens[j + 2]):
        j += 3  # "the Seoul-based Korea Institute ...", "the state-run Korea Development Institute"
    if j >= n or not _is_cap(tokens[j]) or tokens[j].is_punct:
        return None, j
    k = j
    last_cap = j
    while k < n:
        tok = tokens[k]
        if _is_cap(tok) and not tok.is_punct and tok.text not in _QUOTE_CHARS:
            last_cap = k
            k += 1
            continue
        if tok.text in _NAME_CONNECTORS or tok.lower_ in _NAME_CONNECTORS or (tok.text == "." and k == last_cap + 1 and len(tokens[last_cap].text) <= 3):
            k += 1
            continue
        break
    end = last_cap + 1
    # trailing lower-case organisation head: "the British army", "the East-West Center think tank"
    pats = load_patterns()
    k = end
    while k < n and k - end < 6 and not _is_cap(tokens[k]) and tokens[k].lower_ not in _CHUNK_PREPS and (
        not tokens[k].is_punct or tokens[k].text in {"-", "–"}
    ):
        glued = k + 1 < n and tokens[k + 1].text in {"-", "–"}  # "government-run": a modifier, not the head
        if k + 1 < n and f"{tokens[k].lower_} {tokens[k + 1].lower_}" in pats.org_heads:
            end = k + 2
            k += 1
        elif tokens[k].lower_ in pats.org_heads and not glued:
            end = k + 1
        k += 1
    text = _join(tokens[j:end])
    return (text or None), end


def _read_lower_org(tokens: Sequence[Token], j: int, determined: bool) -> str | None:
    """A lower-case organisation phrase after a determiner ('the South Korean parliamentary intelligence committee')."""
    if not determined:
        return None
    pats = load_patterns()
    k = j
    while k < len(tokens) and k - j < 8:
        tok = tokens[k]
        if tok.lower_ in _CHUNK_PREPS or tok.is_punct and tok.text not in {"-", "'s", "’s"}:
            break
        k += 1
    words = [t.lower_ for t in tokens[j:k]]
    if not words:
        return None
    last_two = " ".join(words[-2:])
    if words[-1] in pats.org_heads or last_two in pats.org_heads:
        return _join(tokens[j:k])
    return None


def _join(tokens: Sequence[Token]) -> str:
    """Tokens back to their original text."""
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc_text(doc)[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]


def _parse_chunk(tokens: Sequence[Token], doc: Doc, anchor: int) -> Description:
    """One descriptive chunk: 'a former director of the Institute for X', 'Senior Fellow', 'Stimson Center'."""
    pats = load_patterns()
    words = [t.text for t in tokens]
    former, _current = _former_flag(words)
    # the role: the words before the first affiliation preposition, or the run-in title
    role_end = next(
        (i for i, t in enumerate(tokens) if t.lower_ in _AFFILIATION_PREPS and i > 0), len(tokens)
    )
    role_end = _extend_to_title(tokens, role_end)
    role_words = _through_last_role([t.text for t in tokens[:role_end] if t.lower_ not in pats.former and t.lower_ not in pats.current])
    has_role = _has_role_noun(role_words)
    # possessive: "Russia's Industry and Trade Minister", "the country's chief of ...", "Stimson Center's"
    poss = next((i for i, t in enumerate(tokens[:role_end]) if t.text in _POSSESSIVE), None)
    if poss is not None and not all(
        _is_cap(t) or t.lower_ in {"the", "a", "an", "of", "for", "and", "&", "-", "country", "nation"}
        for t in tokens[:poss]
    ):
        poss = None  # "an expert on Russia and China's policy": not an owner's title
    country_hint: str | None = None
    owner: str | None = None
    if poss is not None:
        owner_text = _join(tokens[:poss]).strip()
        owner_text = re.sub(r"^(?:the|a|an)\s+", "", owner_text, flags=re.IGNORECASE)
        if norm(owner_text) in {"country", "nation", "state"}:
            country_hint = _country_from_context(doc, anchor, nearest=True)
        elif country_of(owner_text):
            country_hint = country_of(owner_text)
        else:
            owner = owner_text
        role_words = _through_last_role([t.text for t in tokens[poss + 1 : role_end]])
        has_role = _has_role_noun(role_words)
    role = _shorten_role(role_words) if has_role else None
    if role:
        country_in_role, rest = _strip_country(role)
        if country_in_role:
            country_hint = country_hint or country_in_role
            role = rest or role
    institution = _title_institution(role, country_hint)
    if institution is None and owner:
        institution = resolve(owner, country_hint)
    if institution is None:
        candidates = _org_candidates(tokens[poss + 1 :] if poss is not None else tokens, 1 if has_role else None)
        institution, unnamed_type = _choose(candidates, country_hint, doc, anchor)
    else:
        unnamed_type = None
    if not has_role and institution is None and unnamed_type is None:
        return Description()
    type_hint = unnamed_type or _role_type(role)
    return Description(role=role, institution=institution, former=former, type_hint=type_hint)


def _choose(
    candidates: list[tuple[int, str, str]], country_hint: str | None, doc: Doc, anchor: int
) -> tuple[Resolved | None, str | None]:
    """The best organisation among the candidates: registry hits first, then names that look like organisations."""
    pats = load_patterns()
    ordered = [(name, det) for _, name, det in sorted(candidates, key=lambda c: c[0])]
    resolved: list[Resolved] = []
    unnamed_type: str | None = None
    for name, det in ordered:
        if _is_unnamed(name, det == "the"):
            # only "a ... think tank" / "South Korea's ... think tank" describe the speaker's institution;
            # "an expert in North Korean history and military" names a field
            if det or re.search(r"['’]s\b", name):
                unnamed_type = unnamed_type or type_from_name(name)
            continue
        hint = country_hint
        if hint is None and norm(name) in _generic_forms():
            hint = _country_from_context(doc, anchor, nearest=False)
        r = resolve(name, hint)
        if r is not None:
            resolved.append(r)
    for r in resolved:
        if r.known:
            return r, None
    for r in resolved:
        if r.type is not None and norm(r.name) not in pats.not_orgs:
            return r, None
    return None, unnamed_type


def _is_unnamed(name: str, definite: bool) -> bool:
    """True for a description of an institution rather than its name ('a government-run think tank',
    "South Korea's state think tank"); 'the South Korean parliamentary intelligence committee' names one."""
    words = re.sub(r"['’]s\b", "", name).replace("-", " ").split()
    proper = [w for w in words if w[:1].isupper() or w[:1].isdigit()]
    if not proper:
        return True
    if definite:
        return False
    return all(country_of(w) is not None or w.lower() in {"north", "south"} for w in proper)


@cache
def _generic_forms() -> frozenset[str]:
    return frozenset(g for _, g in load_registry().by_generic)


def _title_institution(role: str | None, country: str | None) -> Resolved | None:
    """Institutions implied by a title: 'Chief Cabinet Secretary' -> Japanese government; 'Foreign Minister' + country."""
    if not role:
        return None
    pats = load_patterns()
    reg = load_registry()
    key = _role_key(role.split())
    for title, (canonical, _country) in pats.titles.items():
        if key == title or key.endswith(" " + title):
            entry = reg.by_name.get(norm(canonical))
            if entry:
                return _known(entry)
    match = re.match(r"^(?:(?:deputy|vice|first deputy|acting|former)\s+)?(.+?)\s+minister$", key)
    if match and country:
        generic = pats.ministers.get(match.group(1))
        if generic and (country, norm(generic)) in reg.by_generic:
            return _known(reg.by_generic[(country, norm(generic))])
    if country:
        # "Security Council Secretary", "General Staff chief": a generic body named inside the title
        words = role.split()
        for size in range(len(words) - 1, 0, -1):
            for start in range(0, len(words) - size + 1):
                phrase = norm(" ".join(words[start : start + size]))
                if (country, phrase) in reg.by_generic and phrase not in {"military", "army", "armed forces"}:
                    return _known(reg.by_generic[(country, phrase)])
    return None


def _country_from_context(doc: Doc, char: int, *, nearest: bool) -> str | None:
    """The country a bare 'Foreign Ministry' or 'the country's' refers to.

    nearest=True: the closest country word before ``char`` in the sentence ("Russian President X and the
    country's chief of staff"). Otherwise a country word in subject position in this or the previous sentences
    ("China's reaction was ... The MFA spokesperson said"), then the first country word of the sentence.
    """
    pats = load_patterns()
    token = _token_at(doc, char)
    if token is None:
        return None
    sent = token.sent
    before = [t for t in sent if t.idx < char]
    if nearest:
        for t in reversed(before):
            code = country_of(t.text)
            if code:
                return code
            if t.i > 0:
                code = country_of(f"{doc[t.i - 1].text} {t.text}")
                if code:
                    return code
    sents = list(doc.sents)
    index = next((k for k, s in enumerate(sents) if s.start == sent.start), 0)
    window = sents[max(0, index - CONTEXT_SENTENCES) : index + 1]
    for s in reversed(window):
        limit = char if s.start == sent.start else s.end_char
        for match in pats.country_pattern.finditer(s.text):
            start = s.start_char + match.start()
            if start >= limit:
                break
            span = doc.char_span(start, s.start_char + match.end(), alignment_mode="expand")
            if span is not None and _in_subject(span):
                return country_of(match.group(1))
    first = pats.country_pattern.search(sent.text)
    if first and sent.start_char + first.start() < char:
        return country_of(first.group(1))
    return None


def _in_subject(span: SpacySpan) -> bool:
    for tok in (span.root, *span.root.ancestors):
        if tok.dep_ in {"nsubj", "nsubjpass"}:
            return True
        if tok.dep_ not in {"poss", "compound", "amod", "appos", "case", "nmod"}:
            return False
    return False


def _token_at(doc: Doc, char: int) -> Token | None:
    for tok in doc:
        if tok.idx <= char < tok.idx + len(tok.text) or tok.idx >= char:
            return tok
    return None


# ---- the passages around one mention


def _mention_tokens(doc: Doc, mention: Span) -> SpacySpan | None:
    return doc.char_span(mention.start, mention.end, alignment_mode="expand")


def _pre_title(doc: Doc, first: int) -> list[Token]:
    """Title words directly before the name: 'White House national security spokesman', 'U.S. Army Gen.'."""
    pats = load_patterns()
    out: list[Token] = []
    i = first - 1
    sent_start = 0  # sentence splits after abbreviations ("Brig. Gen.") are unreliable; lines and punctuation bound the walk
    while i >= sent_start:
        tok = doc[i]
        low = tok.lower_
        if "\n" in tok.text_with_ws:
            break
        if tok.text == ".":
            if not (i > 0 and _is_cap(doc[i - 1]) and len(doc[i - 1].text) <= 4 and not doc[i - 1].whitespace_):
                break
            out.insert(0, tok)
            i -= 1
            continue
        if tok.text in _POSSESSIVE:
            out.insert(0, tok)
            i -= 1
            continue
        if tok.ent_type_ == "PERSON" and tok.i < first:
            break  # another person's name: "President X and North Korean leader Y"
        if low in {"of", "and", "&"} and out and _is_cap(out[0]) and i - 1 >= 0 and _is_cap(doc[i - 1]) and (
            doc[i - 1].ent_type_ != "PERSON"
        ):
            out.insert(0, tok)
            i -= 1
            continue
        if low == "the" and out and out[0].lower_ in {"of"}:
            out.insert(0, tok)
            i -= 1
            continue
        if tok.is_punct and tok.text not in {"-", "."}:
            break
        if tok.pos_ in {"VERB", "AUX", "ADP", "DET", "CCONJ", "SCONJ", "PRON", "NUM", "PART", "ADV"} and not (
            _is_cap(tok) or low in pats.role_nouns or low in pats.role_modifiers
        ):
            break
        if not _is_cap(tok) and low not in pats.role_nouns and low not in pats.role_modifiers and tok.pos_ not in {"NOUN", "ADJ", "PROPN"}:
            break
        if _is_cap(tok) and tok.pos_ in {"ADP", "DET", "CCONJ", "SCONJ", "PRON", "ADV"}:
            break  # sentence-initial "In", "But", "The"
        out.insert(0, tok)
        i -= 1
    # a title ends in a role word, a rank or a possessive; drop trailing honorifics for that test
    while out and out[-1].lower_ in pats.honorifics:
        out.pop()
    while out and not _is_cap(out[0]) and out[0].lower_ not in pats.role_modifiers and out[0].lower_ not in pats.role_nouns:
        out.pop(0)
    return out


def _describe_pre(doc: Doc, first: int, anchor: int) -> Description:
    tokens = _pre_title(doc, first)
    if not tokens:
        return Description()
    pats = load_patterns()
    words = [t.text for t in tokens]
    if tokens[-1].text in _POSSESSIVE:
        owner_org = resolve(_join(tokens[:-1]))
        return Description(institution=owner_org) if owner_org else Description()
    # the role: from the first role word (with the title words and lower-case modifiers before it) to the end
    role_idx = [i for i, t in enumerate(tokens) if t.lower_.strip(".") in pats.role_nouns or t.lower_ in pats.military_roles]
    if not role_idx:
        return Description()
    start = role_idx[0]
    while start > 0:
        prev = tokens[start - 1]
        if prev.text in _POSSESSIVE:
            break
        if not _is_cap(prev) or prev.lower_ in pats.role_modifiers:
            start -= 1
            continue
        # a capitalised portfolio before a minister/secretary belongs to the title ("Industry and Trade Minister")
        head = tokens[role_idx[0]].lower_
        if head in {"minister", "secretary", "ministers"} and country_of(prev.text) is None and norm(prev.text) not in _name_index():
            start -= 1
            continue
        break
    # "Secretary of State", "Minister of Foreign Affairs": the whole tail is the title
    owner_tokens = tokens[:start]
    role_tokens = tokens[start:]
    poss = next((i for i, t in enumerate(owner_tokens) if t.text in _POSSESSIVE), None)
    if poss is not None:
        owner_tokens = owner_tokens[:poss]
    owner = _join(owner_tokens) if owner_tokens else ""
    country, rest = _strip_country(owner) if owner else (None, "")
    if owner and norm(owner) in {"the country", "country"}:
        country = _country_from_context(doc, anchor, nearest=True)
    role_core = [t.text for t in role_tokens if t.lower_ not in pats.military_roles or t.lower_ in pats.role_nouns]
    ranks = [t.text for t in role_tokens if t.lower_ in pats.military_roles and t.lower_ not in pats.role_nouns]
    role = _shorten_role(role_core) or _shorten_role(ranks)
    former = _former_flag(words)[0]
    if role:
        role = re.sub(r"^(?:former|ex-)\s+", "", role, flags=re.IGNORECASE)
    institution: Resolved | None = None
    if rest or (owner and not country):
        hint = country
        target = owner
        if country is None and norm(owner) in _generic_forms():
            hint = _country_from_context(doc, anchor, nearest=False)
        institution = resolve(target, hint)
    if institution is None:
        institution = _title_institution(_join(role_tokens), country)
    type_hint = _role_type(role) or ("military" if ranks and not role_core else None)
    if ranks and not role_core:
        type_hint = "military"
    return Description(role=role, institution=institution, former=former, type_hint=type_hint)


@cache
def _name_index() -> frozenset[str]:
    return frozenset(load_registry().by_name)


def _chunks_after(doc: Doc, last: int) -> list[list[Token]]:
    """The appositive after a name, split into chunks: ', a professor at Y, and now Z', ' of the Y', ' (Y)'."""
    pats = load_patterns()
    n = len(doc)
    i = last + 1
    if i >= n:
        return []
    first = doc[i]
    if "\n" in doc[last].whitespace_ or first.text in _QUOTE_CHARS:
        return []
    label = _run_in_title(doc, i)
    if not (first.text in {",", "("} or first.lower_ in {"of", "at", "from", "with"} or label):
        return []
    chunks: list[list[Token]] = []
    current: list[Token] = []
    count = 0
    while i < n and count < MAX_APPOSITIVE_TOKENS:
        tok = doc[i]
        count += 1
        if tok.text in _QUOTE_CHARS and not (current and current[-1].lower_ in {"the", "of"}):
            break
        if tok.text in {".", "!", "?", ";", ":"} and (
            i + 1 >= n or doc[i + 1].text[:1].isupper() or "\n" in tok.whitespace_ or doc[i + 1].is_space
        ) and not (tok.text == "." and current and _abbreviation(current[-1])):
            break
        if "\n" in tok.text or tok.is_space:
            break
        if _titled_person(doc, i):
            break  # "..., and Russia's President Vladimir Putin": another person's description starts
        if tok.text in {",", "(", ")", ";"} or tok.text == "&" and _role_follows(doc, i + 1):
            if current:
                chunks.append(current)
            current = []
            i += 1
            if "\n" in tok.whitespace_:
                break
            continue
        if _opens_relative(doc, i):
            # "a former sanctions official who now runs X", "... and now heads Y": a second, relative description
            if current:
                chunks.append(current)
            current = []
            i, implied = _relative_clause(doc, i)
            if implied:
                current = implied
            continue
        if tok.lower_ == "who" and not current:
            i, implied = _relative_clause(doc, i)
            if implied is None and i >= n:
                break
            if implied:
                current = implied
            continue
        if tok.lower_ == "and" and i + 1 < n and (
            doc[i + 1].lower_ in {"a", "an", "the", "now", "former", "currently", "also"}
            or _role_follows(doc, i + 1)
        ):
            if current:
                chunks.append(current)
            current = []
            i += 1
            continue
        if tok.pos_ in {"VERB", "AUX"} and not _adjectival(doc, i) and not (_is_cap(tok) and current) and not (
            tok.lower_ in pats.role_modifiers or tok.tag_ in {"VBG", "VBN"} and current and current[-1].pos_ in {"DET", "ADJ"}
        ):
            break
        if tok.lower_ in {"who", "which", "that", "where", "when"}:
            break
        current.append(tok)
        i += 1
        if "\n" in tok.whitespace_:
            break
    if current:
        chunks.append(current)
    return chunks


def _abbreviation(tok: Token) -> bool:
    """'U.S', 'Dr', 'St' before a full stop: the stop does not end the sentence."""
    return not tok.whitespace_ and (len(tok.text) <= 2 or "." in tok.text and len(tok.text) <= 5)


def _titled_person(doc: Doc, i: int) -> bool:
    """A role word directly followed by a multi-token person name: 'President Vladimir Putin'."""
    pats = load_patterns()
    if doc[i].lower_ not in pats.role_nouns or i + 2 >= len(doc):
        return False
    nxt, after = doc[i + 1], doc[i + 2]
    return nxt.ent_type_ == "PERSON" and after.ent_type_ == "PERSON" and nxt.pos_ == "PROPN"


def _role_follows(doc: Doc, i: int) -> bool:
    """'... and recent visiting fellow at Y': a second role starts here (a role word before any preposition)."""
    pats = load_patterns()
    for tok in doc[i : i + 4]:
        if tok.lower_ in _CHUNK_PREPS or tok.is_punct:
            return False
        if tok.lower_ in pats.role_nouns:
            return True
    return False


def _run_in_title(doc: Doc, i: int) -> bool:
    """A header 'Name Senior Fellow, Center' / 'Name Stanton Senior Fellow ...': capitalised title words follow."""
    pats = load_patterns()
    for tok in doc[i : i + 5]:
        if not _is_cap(tok) or tok.is_punct:
            return False
        if tok.lower_ in pats.role_nouns:
            return True
    return False


def _adjectival(doc: Doc, i: int) -> bool:
    """'Seoul-based', 'state-run', 'government-funded': participles glued to a hyphen are modifiers."""
    return i > 0 and doc[i - 1].text in {"-", "–"}


def _opens_relative(doc: Doc, i: int) -> bool:
    """"and now heads", "who now runs", "who also chairs": a relative description starts at token i."""
    if i + 1 >= len(doc):
        return False
    following = doc[i + 1].lower_
    if doc[i].lower_ == "and":
        return following in {*_RELATIVE_VERBS, "now", "currently"}
    if doc[i].lower_ == "who":
        return following in {*_RELATIVE_VERBS, "now", "currently", "also"}
    return False


def _relative_clause(doc: Doc, i: int) -> tuple[int, list[Token] | None]:
    """Skip 'who is now', 'who heads', 'who was' and return where the description starts, marking tense."""
    n = len(doc)
    j = i + 1
    past = False
    implied_role: str | None = None
    while j < n and (doc[j].lower_ in _RELATIVE_VERBS or doc[j].lower_ in {"also", "now", "currently", "previously"}):
        past = past or doc[j].lower_ in _PAST_RELATIVE
        implied_role = implied_role or _RELATIVE_VERBS.get(doc[j].lower_)
        j += 1
        if doc[j - 1].lower_ in {"served", "serves"} and j < n and doc[j].lower_ == "as":
            j += 1
        if doc[j - 1].lower_ in {"works", "worked", "teaches", "taught"} and j < n and doc[j].lower_ in {"at", "for", "with"}:
            break
    if j == i + 1:
        return n, None
    del implied_role
    # keep the tense as a marker token the chunk parser understands
    marker = [doc[k] for k in range(i + 1, j) if doc[k].lower_ in {"now", "currently"}]
    if past and not marker:
        return j, _former_marker(doc, i, j)
    return j, marker or []


def _former_marker(doc: Doc, i: int, j: int) -> list[Token]:
    # "who was director of X": the past tense marks the role as former; use the verb token itself
    # ("was") as the carrier and let _parse_chunk read it through the former list.
    return [t for t in doc[i + 1 : j] if t.lower_ in _PAST_RELATIVE]


def _chunk_description(doc: Doc, chunk: list[Token], anchor: int) -> Description:
    if not chunk:
        return Description()
    past = any(t.lower_ in _PAST_RELATIVE for t in chunk[:2])
    pats = load_patterns()
    body = list(chunk)
    # leading tense markers from a relative clause ("now", "was") are not part of the description
    while body and (body[0].lower_ in pats.current or body[0].lower_ in _PAST_RELATIVE or body[0].lower_ == "also"):
        body = body[1:]
    if not body:
        return Description()
    desc = _parse_chunk(body, doc, anchor)
    if past and not desc.empty:
        return Description(desc.role, desc.institution, True, desc.type_hint)
    return desc


def _describe_post(doc: Doc, last: int, anchor: int) -> Description:
    """The first chunk naming a current institution wins; a former one is kept only when nothing current follows."""
    best = Description()
    role: str | None = None
    for chunk in _chunks_after(doc, last):
        desc = _chunk_description(doc, chunk, anchor)
        if desc.empty:
            continue
        role = role or desc.role
        if desc.institution is not None and not desc.former:
            return Description(desc.role or role, desc.institution, False, desc.type_hint)
        if best.institution is None and (desc.institution is not None or best.empty):
            best = desc
    if best.empty:
        return best
    return Description(best.role or role, best.institution, best.former, best.type_hint)


def _describe_before_comma(doc: Doc, first: int, anchor: int) -> Description:
    """'the country's chief of the General Staff, X' / 'expert of the "Y" group, X': a description then a comma."""
    if first < 2 or doc[first - 1].text != ",":
        return Description()
    end = first - 1
    start = end - 1
    sent_start = doc[first].sent.start
    while start > sent_start:
        tok = doc[start - 1]
        if tok.text in {",", ";", ":", "(", ")"} or "\n" in tok.whitespace_:
            break
        if tok.pos_ in {"VERB", "AUX", "SCONJ"} or tok.lower_ in {"from", "by", "to", "between", "and", "said", "according"}:
            break
        start -= 1
    chunk = list(doc[start:end])
    if not chunk or not _has_role_noun([t.text for t in chunk]):
        return Description()
    return _parse_chunk(chunk, doc, anchor)


def describe(doc: Doc, mention: Span) -> Description:
    """Everything the text attached to one mention says about the speaker."""
    span = _mention_tokens(doc, mention)
    if span is None or len(span) == 0:
        return Description()
    if span.text.lower() in _PERSON_PRONOUNS:
        return Description()
    if _is_descriptor(span):
        return _parse_chunk(list(span), doc, span.start_char)
    pats = load_patterns()
    while len(span) > 1 and (
        span[0].lower_ in pats.role_nouns or span[0].lower_ in pats.role_modifiers
        or span[0].lower_ in pats.military_roles or span[0].lower_ in pats.honorifics
    ):
        span = span[1:]  # title words caught inside the name span ("Cabinet Secretary Yoshimasa Hayashi")
    person = next((k for k, t in enumerate(span) if t.ent_type_ == "PERSON"), 0)
    if 0 < person < len(span) and all(_is_cap(t) for t in span[:person]) and _has_role_noun(
        [t.text for t in span[:person]]
    ):
        span = span[person:]
    pre = _describe_pre(doc, span.start, span.start_char)
    post = _describe_post(doc, span.end - 1, span.start_char)
    before = _describe_before_comma(doc, span.start, span.start_char) if pre.empty else Description()
    pre = pre if not pre.empty else before
    institution = post.institution or pre.institution
    former = post.former if post.institution is not None or pre.institution is None and not post.empty else pre.former
    role = post.role or pre.role
    type_hint = post.type_hint or pre.type_hint
    return Description(role=role, institution=institution, former=former, type_hint=type_hint)


def _is_descriptor(span: SpacySpan) -> bool:
    """A mention that is itself a description ('the Japanese government spokesman'), not a name."""
    pats = load_patterns()
    return any(t.lower_ in pats.role_nouns for t in span) and span[0].lower_ in {"the", "a", "an"} | {
        w.lower() for w in pats.country_words
    } or (len(span) > 0 and span[0].text in _POSSESSIVE)


# ---- interview transcripts


def _label_only(doc: Doc, mentions: Sequence[Span]) -> bool:
    """True when the speaker appears as a 'Name:' label at the start of a line."""
    text = doc_text(doc)
    for m in mentions:
        line_start = text.rfind("\n", 0, m.start) + 1
        if text[line_start : m.start].strip() == "" and text[m.end : m.end + 2].lstrip().startswith(":"):
            return True
    return False


def _opening_description(doc: Doc) -> Description:
    """The guest introduced in the opening of an interview ('A senior commentator for NHK ... explains')."""
    pats = load_patterns()
    paragraphs = 0
    for sent in doc.sents:
        if "\n" in sent.text_with_ws:
            paragraphs += 1
        if paragraphs > 4:
            break
        tokens = list(sent)
        for i, tok in enumerate(tokens):
            if tok.lower_ not in {"a", "an"}:
                continue
            j = i + 1
            while j < len(tokens) and (tokens[j].lower_ in pats.role_modifiers or tokens[j].pos_ == "ADJ"):
                j += 1
            if (
                j + 1 < len(tokens)
                and tokens[j].lower_ in pats.role_nouns
                and tokens[j + 1].lower_ in {"for", "at", "with", "of"}
            ):
                desc = _parse_chunk(_trim_chunk(tokens[i : min(len(tokens), j + 8)]), doc, tok.idx)
                if desc.institution is not None and desc.institution.known:
                    return desc
    return Description()


def _trim_chunk(tokens: list[Token]) -> list[Token]:
    for k, t in enumerate(tokens):
        if k > 2 and (t.pos_ in {"VERB", "AUX"} or t.lower_ in {"and", ","} or t.is_punct):
            return tokens[:k]
    return tokens


# --------------------------------------------------------------------------------------------- affiliate


def _ordered_mentions(speaker: Speaker, quote: Quote) -> list[Span]:
    seen: set[tuple[int, int]] = set()
    out: list[Span] = []
    for m in speaker.mentions:
        if (m.start, m.end) not in seen:
            seen.add((m.start, m.end))
            out.append(m)
    if not out and quote.speaker_mention is not None:
        out.append(quote.speaker_mention)
    return out


_ENVOYS = ("ambassador", "envoy", "representative", "delegate", "permanent representative")


def _to_affiliation(desc: Description) -> Affiliation:
    institution = desc.institution
    if (
        institution is not None
        and institution.type == "international_org"
        and desc.role
        and any(w in desc.role.lower() for w in _ENVOYS)
    ):
        # "Russia's UN ambassador": the body is where the diplomat is posted, not who employs them
        desc = Description(desc.role, None, desc.former, "government")
        institution = None
    type_ = institution.type if institution is not None and institution.type else desc.type_hint
    if institution is not None and type_ is None:
        type_ = _role_type(desc.role) or "other"
    if type_ is not None and type_ not in INSTITUTION_TYPES:
        type_ = None
    return Affiliation(
        role=desc.role,
        institution=institution.name if institution is not None else None,
        institution_type=type_,  # type: ignore[arg-type]
        former=bool(desc.former and institution is not None) or (desc.former and institution is None and desc.role is not None),
        known=institution.known if institution is not None else True,
    )


def affiliate(doc: Doc, speaker: Speaker, quote: Quote) -> Affiliation:
    """Role, canonical institution and type named for ``speaker`` in this article (see module docstring)."""
    site = quote.speaker_mention
    if site is not None:
        # only an appositive at the attribution site re-describes the speaker ("Mr. Nam, who is now a
        # professor at Korea University, said"); title words there are the first mention's, read below
        span = _mention_tokens(doc, site)
        if span is not None and len(span) and span.text.lower() not in _PERSON_PRONOUNS and not _is_descriptor(span):
            at_site = _describe_post(doc, span.end - 1, span.start_char)
            if at_site.institution is not None:
                return _to_affiliation(at_site)
    mentions = _ordered_mentions(speaker, quote)
    descriptions = [describe(doc, m) for m in mentions]
    with_institution = next((d for d in descriptions if d.institution is not None and not d.former), None) or next(
        (d for d in descriptions if d.institution is not None), None
    )
    first_role = next((d for d in descriptions if not d.empty), None)
    if with_institution is not None:
        if with_institution.role is None and first_role is not None and first_role.role:
            with_institution = Description(
                first_role.role, with_institution.institution, with_institution.former, with_institution.type_hint
            )
        return _to_affiliation(with_institution)
    if first_role is not None:
        return _to_affiliation(first_role)
    if _label_only(doc, mentions):
        opening = _opening_description(doc)
        if not opening.empty:
            return _to_affiliation(opening)
    return Affiliation()
