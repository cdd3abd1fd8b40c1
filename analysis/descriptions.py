"""One descriptive chunk of text about a speaker -> role, institution and type hint.

"a former director of the Institute for X", "Senior Fellow", "Russia's Industry and Trade Minister", "Stimson
Center": the role is read from the words before the first affiliation preposition (or a run-in title), the
institution from the names after at/with/from, of/for/in, an owner's possessive or a title that implies its body
("Chief Cabinet Secretary" -> the Japanese government); a described but unnamed body ("a Seoul think tank") gives
only a type hint. ``analysis.institutions`` finds the chunks around a speaker's mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from analysis.institution_names import (
    CLASSIFIERS,
    QUOTE_CHARS,
    Resolved,
    country_of,
    head_noun,
    known_entry,
    load_patterns,
    load_registry,
    norm,
    resolve,
    strip_country,
    type_from_name,
)
from analysis.nlp import doc_text

CONTEXT_SENTENCES = 3  # how far back a bare "Foreign Ministry" looks for its country
POSSESSIVE = {"'s", "’s", "'", "’"}
CHUNK_PREPS = ("at", "with", "from", "of", "for", "in", "on")
_TO_OUTLET = {"contributor", "contributing", "columnist", "correspondent"}
_AFFILIATION_PREPS = {"at", "with", "from", "of", "for", "in"}
_NAME_CONNECTORS = {"of", "for", "the", "and", "&", "on", "a", "de", "-", "–", "'s", "’s", "upon"}

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


def is_cap(token: Token) -> bool:
    return token.text[:1].isupper() or token.text[:1].isdigit()


def _role_key(words: Iterable[str]) -> str:
    return " ".join(w.lower().strip(".") for w in words)


def has_role_noun(words: Sequence[str]) -> bool:
    pats = load_patterns()
    lowered = [w.lower().strip(".,") for w in words]
    joined = " ".join(lowered)
    if any(w in pats.role_nouns or w in pats.military_roles for w in lowered):
        return True
    return any(" " in noun and re.search(rf"\b{re.escape(noun)}\b", joined) for noun in pats.role_nouns)


def role_type(role: str | None) -> str | None:
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
    if len(words) > 1 and (joined in pats.role_nouns or " ".join(words[-2:]) in pats.role_nouns):
        return None  # "secretary general", "vice president": a civilian title ending in a rank-like word
    if head in pats.academic_roles or " ".join(words[-2:]) in pats.academic_roles:
        return "university"  # "a professor": a described but unnamed university
    if any(" ".join(words[-k:]) in pats.think_tank_roles for k in (2, 3, 4) if len(words) >= k):
        return "think_tank"  # "a senior fellow": a think tank's title
    if head == "officer" and any(w in pats.civilian_officers for w in words[:-1]):
        return None  # "chief executive officer", "press officer"
    if head in pats.military_roles or joined in pats.military_roles:
        return "military"
    if words and words[0] in pats.military_roles and words[0] not in pats.role_nouns:
        return "military"
    return None


def shorten_role(words: list[str]) -> str | None:
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


def former_flag(words: Sequence[str]) -> tuple[bool, bool]:
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
        # "a contributor to X": "to" names the outlet written for
        to_outlet = low == "to" and i > 0 and tokens[i - 1].lower_ in _TO_OUTLET
        if low in _AFFILIATION_PREPS or i == 0 or to_outlet:
            prep = low in _AFFILIATION_PREPS or to_outlet
            j = i + 1 if prep else i
            det = ""
            while j < n and tokens[j].lower_ in {"the", "a", "an"}:
                det = "the" if tokens[j].lower_ == "the" else "a"
                j += 1
            classifier = None
            if (det or prep) and j + 1 < n and not is_cap(tokens[j]):
                two = f"{tokens[j].lower_} {tokens[j + 1].lower_}"
                if j + 2 < n and two in CLASSIFIERS and is_cap(tokens[j + 2]):
                    classifier, j = two, j + 2  # "the news agency Yonhap", "news portal The Paper"
                elif tokens[j].lower_ in CLASSIFIERS and is_cap(tokens[j + 1]):
                    classifier, j = tokens[j].lower_, j + 1
            name, end = _read_name(tokens, j)
            if name and classifier:
                name = f"{name} ({classifier})"
            if name and i == 0 and not prep:
                # a name before the role ("a Kookmin University professor"); stop it at the role word
                before, after = _around_role(tokens, j, end)
                if before:
                    found.append((2, before, det))
                if after:
                    found.append((1, after, ""))  # run-in header: "Senior Fellow Nuclear Policy Program Carnegie ..."
                i = end if before == name else i + 1  # a whole name: its inner "of" starts no second one
                continue
            if name:
                found.append((0 if low in {"at", "with", "from"} or to_outlet else 1, name, det))
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
    return (join_tokens(tokens[j:b]) or None), (join_tokens(tokens[a:end]) if a < end and k < end else None)


def _preceded_by_possessive(tokens: Sequence[Token], j: int) -> bool:
    return any(t.text in POSSESSIVE for t in tokens[max(0, j - 3) : j])


def _read_name(tokens: Sequence[Token], j: int) -> tuple[str | None, int]:
    """A capitalised name starting at tokens[j] (connectors allowed inside: 'Institute for the Study of War')."""
    n = len(tokens)
    if j >= n:
        return None, j
    quoted = tokens[j].text in QUOTE_CHARS
    if quoted:
        k = j + 1
        while k < n and tokens[k].text not in QUOTE_CHARS:
            k += 1
        if k < n and k > j + 1:
            text = join_tokens(tokens[j + 1 : k])
            return text, k + 1
        return None, j
    while j + 2 < n and tokens[j + 1].text in {"-", "–"} and tokens[j + 2].tag_ in {"VBN", "JJ"} and not is_cap(tokens[j + 2]):
        j += 3  # "the Seoul-based Korea Institute ...", "the state-run Korea Development Institute"
    if j >= n or not is_cap(tokens[j]) or tokens[j].is_punct:
        return None, j
    k = j
    last_cap = j
    while k < n:
        tok = tokens[k]
        if is_cap(tok) and not tok.is_punct and tok.text not in QUOTE_CHARS:
            last_cap = k
            k += 1
            continue
        if tok.text in {"'", "’"} and k == last_cap + 1 and tokens[last_cap].lower_.endswith("s") and k + 1 < n and is_cap(tokens[k + 1]):
            k += 1  # "the Russian Academy of Sciences' Institute of ...": a plural possessive inside the name
            continue
        if tok.text in _NAME_CONNECTORS or tok.lower_ in _NAME_CONNECTORS or (tok.text == "." and k == last_cap + 1 and len(tokens[last_cap].text) <= 3):
            k += 1
            continue
        break
    end = last_cap + 1
    if end + 1 < n and tokens[end].lower_ == "in" and is_cap(tokens[end + 1]):
        # "Russia in Global Affairs": a registry name with "in" inside it ("X in Moscow" is not read on)
        longer, longer_end = _read_name(tokens, end + 1)
        if longer:
            resolved = resolve(join_tokens(tokens[j:longer_end]))
            if resolved is not None and resolved.known:
                return join_tokens(tokens[j:longer_end]), longer_end
    # trailing lower-case organisation head: "the British army", "the East-West Center think tank"
    pats = load_patterns()
    k = end
    while k < n and k - end < 6 and not is_cap(tokens[k]) and tokens[k].lower_ not in CHUNK_PREPS and (
        not tokens[k].is_punct or tokens[k].text in {"-", "–"}
    ):
        glued = k + 1 < n and tokens[k + 1].text in {"-", "–"}  # "government-run": a modifier, not the head
        if k + 1 < n and f"{tokens[k].lower_} {tokens[k + 1].lower_}" in pats.org_heads:
            end = k + 2
            k += 1
        elif tokens[k].lower_ in pats.org_heads and not glued:
            end = k + 1
        k += 1
    text = join_tokens(tokens[j:end])
    return (text or None), end


def _read_lower_org(tokens: Sequence[Token], j: int, determined: bool) -> str | None:
    """A lower-case organisation phrase after a determiner ('the South Korean parliamentary intelligence committee')."""
    if not determined:
        return None
    pats = load_patterns()
    k = j
    while k < len(tokens) and k - j < 8:
        tok = tokens[k]
        if tok.lower_ in CHUNK_PREPS or tok.is_punct and tok.text not in {"-", "'s", "’s"}:
            break
        k += 1
    words = [t.lower_ for t in tokens[j:k]]
    if not words:
        return None
    last_two = " ".join(words[-2:])
    if words[-1] in pats.org_heads or last_two in pats.org_heads:
        return join_tokens(tokens[j:k])
    return None


def join_tokens(tokens: Sequence[Token]) -> str:
    """Tokens back to their original text."""
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc_text(doc)[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]


def parse_chunk(tokens: Sequence[Token], doc: Doc, anchor: int) -> Description:
    """One descriptive chunk: 'a former director of the Institute for X', 'Senior Fellow', 'Stimson Center'."""
    pats = load_patterns()
    words = [t.text for t in tokens]
    former, _current = former_flag(words)
    # the role: the words before the first affiliation preposition, or the run-in title
    role_end = next(
        (i for i, t in enumerate(tokens) if t.lower_ in _AFFILIATION_PREPS and i > 0), len(tokens)
    )
    role_end = _extend_to_title(tokens, role_end)
    role_words = _through_last_role([t.text for t in tokens[:role_end] if t.lower_ not in pats.former and t.lower_ not in pats.current])
    has_role = has_role_noun(role_words)
    # possessive: "Russia's Industry and Trade Minister", "the country's chief of ...", "Stimson Center's"
    poss = next((i for i, t in enumerate(tokens[:role_end]) if t.text in POSSESSIVE), None)
    if poss is not None and not all(
        is_cap(t) or t.lower_ in {"the", "a", "an", "of", "for", "and", "&", "-", "country", "nation"}
        for t in tokens[:poss]
    ):
        poss = None  # "an expert on Russia and China's policy": not an owner's title
    country_hint: str | None = None
    owner: str | None = None
    if poss is not None:
        owner_text = join_tokens(tokens[:poss]).strip()
        owner_text = re.sub(r"^(?:the|a|an)\s+", "", owner_text, flags=re.IGNORECASE)
        if norm(owner_text) in {"country", "nation", "state"}:
            country_hint = country_from_context(doc, anchor, nearest=True)
        elif country_of(owner_text):
            country_hint = country_of(owner_text)
        else:
            owner = owner_text
        role_words = _through_last_role([t.text for t in tokens[poss + 1 : role_end]])
        has_role = has_role_noun(role_words)
    role = shorten_role(role_words) if has_role else None
    if role:
        country_in_role, rest = strip_country(role)
        if country_in_role:
            country_hint = country_hint or country_in_role
            role = rest or role
    institution = title_institution(role, country_hint)
    if institution is None and owner:
        institution = resolve_in_article(doc, owner, country_hint)
    if institution is None:
        candidates = _org_candidates(tokens[poss + 1 :] if poss is not None else tokens, 1 if has_role else None)
        institution, unnamed_type = _choose(candidates, country_hint, doc, anchor)
    else:
        unnamed_type = None
    if not has_role and institution is None and unnamed_type is None:
        return Description()
    type_hint = unnamed_type or role_type(role)
    return Description(role=role, institution=institution, former=former, type_hint=type_hint)


# "the Korea Institute for National Unification (KINU)": a name, then its acronym in brackets
_DEFINED_ACRONYM = re.compile(
    r"((?:[A-Z][\w'’.&-]*)(?:\s+(?:[A-Z][\w'’.&-]*|of|for|the|and|on|in|de|&))*)\s+\(([A-Z][A-Za-z0-9&.-]{1,11})\)"
)


def article_acronyms(doc: Doc) -> dict[str, str]:
    """Acronyms the article defines ("... Institute for National Unification (KINU)") -> the full name, so a later
    bare "KINU" resolves like the name it stands for. Computed once per document."""
    cached = doc.user_data.get("defined_acronyms")
    if isinstance(cached, dict):
        return cached
    found: dict[str, str] = {}
    for match in _DEFINED_ACRONYM.finditer(doc_text(doc)):
        full = _acronym_expansion(match.group(1), match.group(2))
        if full:
            found.setdefault(match.group(2), full)
    doc.user_data["defined_acronyms"] = found
    return found


def _acronym_expansion(words_before: str, acronym: str) -> str | None:
    """The shortest tail of ``words_before`` whose letters spell the acronym in order, starting at a word's initial
    ("Institute of National Strategy of India" for "NatStrat"; nothing for "said on Monday (AP)")."""
    letters = [c.lower() for c in acronym if c.isalpha()]
    words = words_before.split()
    if not letters:
        return None
    for start in range(len(words) - 1, -1, -1):
        if not words[start][:1].isupper() or words[start][0].lower() != letters[0]:
            continue
        text = " ".join(words[start:]).lower()
        k = 0
        for ch in text:
            if k < len(letters) and ch == letters[k]:
                k += 1
        capitals = sum(1 for w in words[start:] if w[:1].isupper())
        if k == len(letters) and len(words) - start >= 2 and capitals >= min(2, len(letters)):
            return " ".join(words[start:])
    return None


def resolve_in_article(doc: Doc, name: str, country_hint: str | None = None) -> Resolved | None:
    """``resolve``, reading an acronym the article defined as the full name it stands for."""
    full = article_acronyms(doc).get(name.strip())
    if full is not None:
        expanded = resolve(full, country_hint)
        if expanded is not None and (expanded.known or expanded.type is not None):
            return expanded
    return resolve(name, country_hint)


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
            known = resolve(name, country_hint)
            if known is not None and known.known:
                resolved.append(known)  # "Ukraine's air force": a country's body named by its generic form
                continue
            # only "a ... think tank" / "South Korea's ... think tank" describe the speaker's institution;
            # "an expert in North Korean history and military" names a field
            if det or re.search(r"['’]s\b", name):
                unnamed_type = unnamed_type or type_from_name(name)
            continue
        hint = country_hint
        if hint is None and norm(name) in generic_forms():
            hint = country_from_context(doc, anchor, nearest=False)
        r = resolve_in_article(doc, name, hint)
        if r is not None:
            resolved.append(r)
    typed = [r for r in resolved if r.type is not None and norm(r.name) not in pats.not_orgs]
    first_known = next((r for r in resolved if r.known), None)
    if (
        first_known is not None and typed and not typed[0].known and typed[0].type == first_known.type
        and resolved.index(typed[0]) < resolved.index(first_known) and head_noun(typed[0].name) not in pats.subunits
    ):
        # "spokesman of the Southern Defense Forces of the Armed Forces of Ukraine": the named unit itself, not the
        # body it belongs to (a school or centre of a university is the exception, below)
        return typed[0], None
    if first_known is not None:
        return first_known, None
    if len(typed) > 1 and head_noun(typed[0].name) in pats.subunits:
        # "a researcher at the Center for X at Y University": the centre's university is recorded
        university = next((r for r in typed[1:] if r.type == "university"), None)
        if university is not None:
            return university, None
    if typed:
        return typed[0], None
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
def generic_forms() -> frozenset[str]:
    return frozenset(g for _, g in load_registry().by_generic)


def title_institution(role: str | None, country: str | None) -> Resolved | None:
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
                return known_entry(entry)
    match = re.match(r"^(?:(?:deputy|vice|first deputy|acting|former)\s+)?(.+?)\s+minister$", key)
    if match and country:
        generic = pats.ministers.get(match.group(1))
        if generic and (country, norm(generic)) in reg.by_generic:
            return known_entry(reg.by_generic[(country, norm(generic))])
    if country:
        # "Security Council Secretary", "General Staff chief": a generic body named inside the title
        words = role.split()
        for size in range(len(words) - 1, 0, -1):
            for start in range(0, len(words) - size + 1):
                phrase = norm(" ".join(words[start : start + size]))
                if (country, phrase) in reg.by_generic and phrase not in {"military", "army", "armed forces"}:
                    return known_entry(reg.by_generic[(country, phrase)])
    return None


def country_from_context(doc: Doc, char: int, *, nearest: bool) -> str | None:
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
