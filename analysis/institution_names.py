"""Institution names -> registry entries: the curated registry, the affiliation word lists, and resolution.

A name as written ("Asan Institute", "KINU", "the Russian Foreign Ministry", "Sejong institue") is resolved against
the registry (``resources/institutions.tsv`` and ``resources/institutions/*.tsv``): exact alias, country word +
generic form ("Russian" + "Foreign Ministry"), a registry name contained in a longer one (a centre of a university
-> the university), then fuzzy (rapidfuzz). Unknown institutions are kept as written and typed by keyword rules
(``resources/affiliation.toml``). Nothing here reads a parse: descriptions are read in ``analysis.descriptions``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from analysis.lexicons import load_toml, load_tsv, resource_files

REGISTRY_FILE = "institutions.tsv"
REGISTRY_FOLDER = "institutions"  # more registry files (same columns, plus an optional per-row `source` note)
PATTERNS_FILE = "affiliation.toml"
FUZZY_CUTOFF = 90.0
DISTINCTIVE_WORD_CUTOFF = 80.0  # per word, for the words that tell two same-shaped names apart
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
QUOTE_CHARS = set("\"“”„«»")
CLASSIFIERS = {
    "newsletter", "newspaper", "magazine", "journal", "daily", "weekly", "broadcaster", "website", "outlet",
    "think tank", "think-tank", "institute", "university", "consultancy", "company", "firm", "agency", "group",
    "channel", "news agency",
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
class Registry:
    entries: tuple[Entry, ...]
    by_name: dict[str, Entry]  # normalised canonical name or alias -> entry
    by_generic: dict[tuple[str, str], Entry]  # (country, normalised generic form) -> entry
    fuzzy_keys: tuple[str, ...]
    contained: tuple[tuple[re.Pattern[str], Entry], ...]  # longest first


def norm(text: str) -> str:
    """Normalised lookup key: lower case, straight apostrophes, no dots, hyphens as spaces, no leading 'the'."""
    text = text.translate(APOSTROPHES).lower().replace(".", "").replace("&", " and ")
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
    body = re.escape(name.translate(APOSTROPHES)).replace(r"\ ", r"[\s-]+")
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


def resolve(name: str, country_hint: str | None = None) -> Resolved | None:
    """The registry entry for an institution name as written, or the cleaned name with a rule-based type.

    None when the text is not an institution (a bare country word, a field of study).
    """
    paren = re.match(r"^(.*?\S)\s*\(([^()]+)\)\s*$", name.strip())
    if paren:
        # "Korea Institute for National Unification (KINU)", "Frontier Markets Review (newsletter)"
        base, inner = paren.group(1), paren.group(2).strip()
        found = resolve(base, country_hint)
        if inner.lower() in CLASSIFIERS:
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
        return known_entry(reg.by_name[key])
    country, rest = strip_country(cleaned)
    rest_key = norm(rest)
    if country and rest_key:
        if rest_key in reg.by_name:
            return known_entry(reg.by_name[rest_key])
        if (country, rest_key) in reg.by_generic:
            return known_entry(reg.by_generic[(country, rest_key)])
    elif country_hint and (country_hint, key) in reg.by_generic:
        return known_entry(reg.by_generic[(country_hint, key)])
    text = cleaned.translate(APOSTROPHES)
    for pattern, entry in reg.contained:
        if pattern.search(text) and norm(pattern.pattern) != key:
            return known_entry(entry)
    hit = process.extractOne(key, reg.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    if hit is not None and _distinctive_words_agree(key, hit[0], pats.generic_words):
        return known_entry(reg.by_name[hit[0]])
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


def known_entry(entry: Entry) -> Resolved:
    return Resolved(entry.canonical, entry.type, True, entry)


def canonical_institution(name: str) -> tuple[str, str | None, bool]:
    """(canonical name, type, known) for an institution name as written; unknown names come back cleaned."""
    resolved = resolve(name)
    if resolved is None:
        return _clean_name(name), type_from_name(name), False
    return resolved.name, resolved.type, resolved.known
