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

Each passage is read as descriptive chunks by ``analysis.descriptions``; institution names are resolved against the
curated registry and typed by ``analysis.institution_names``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from functools import cache

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from analysis.descriptions import (
    CHUNK_PREPS,
    POSSESSIVE,
    Description,
    country_from_context,
    former_flag,
    generic_forms,
    has_role_noun,
    is_cap,
    join_tokens,
    parse_chunk,
    resolve_in_article,
    role_type,
    shorten_role,
    title_institution,
)
from analysis.institution_names import (  # re-exported: the registry is read through this module elsewhere
    QUOTE_CHARS,
    REGISTRY_FILE,
    REGISTRY_FOLDER,
    Resolved,
    canonical_institution,
    country_of,
    load_patterns,
    load_registry,
    norm,
    resolve,
    strip_country,
)
from analysis.lexicons import load_tsv
from analysis.nlp import doc_text
from analysis.records import INSTITUTION_TYPES, Affiliation, InstitutionType, Quote, Span, Speaker

__all__ = ["REGISTRY_FILE", "REGISTRY_FOLDER", "VERSION", "Description", "affiliate", "canonical_institution",
           "describe", "load_patterns", "load_registry", "norm", "official_type", "resolve"]

VERSION = "5"
OFFICIALS_FILE = "officials.tsv"
MAX_APPOSITIVE_TOKENS = 45
_PERSON_PRONOUNS = {"he", "she", "him", "her", "they", "i", "we", "his", "hers"}
_RELATIVE_VERBS = {
    # verb after "who" -> the role it implies (None: keep the role from the rest of the clause)
    "is": None, "was": None, "heads": "head", "headed": "head", "leads": "head", "led": "head",
    "runs": "head", "ran": "head", "directs": "director", "directed": "director", "chairs": "chair",
    "chaired": "chair", "teaches": "professor", "taught": "professor", "works": None, "worked": None,
    "served": None, "serves": None, "has": None, "had": None, "been": None, "founded": "founder",
    "left": None, "quit": None,
}
# organisation heads that also name a unit inside a title ("company commander", "group leader", "staff officer")
_UNIT_WORDS = {"company", "group", "staff", "office", "service", "mission", "program", "programme", "project", "firm",
               "club", "party", "bank", "lab", "laboratory", "faculty", "council", "committee", "commission"}
_COUNTERPARTS = {"counterpart", "host", "hosts", "counterparts", "guest"}
_POSTED = {"ambassador", "envoy", "consul", "representative", "ambassador-designate", "attache", "attaché"}
_PAST_RELATIVE = {"left", "quit", "was", "headed", "led", "ran", "directed", "chaired", "taught", "worked", "served", "had", "founded"}

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
            if not (i > 0 and is_cap(doc[i - 1]) and len(doc[i - 1].text) <= 4 and not doc[i - 1].whitespace_):
                break
            out.insert(0, tok)
            i -= 1
            continue
        if tok.text in POSSESSIVE:
            out.insert(0, tok)
            i -= 1
            continue
        if tok.ent_type_ == "PERSON" and tok.i < first:
            break  # another person's name: "President X and North Korean leader Y"
        if low in {"of", "and", "&", "for", "on"} and out and (is_cap(out[0]) or out[0].lower_ == "the") and i - 1 >= 0 and is_cap(doc[i - 1]) and (
            doc[i - 1].ent_type_ != "PERSON"
        ):
            out.insert(0, tok)
            i -= 1
            continue
        if low == "the" and out and (out[0].lower_ == "of" or is_cap(out[0]) and i > 0 and doc[i - 1].lower_ in {"of", "for", "on"}):
            out.insert(0, tok)
            i -= 1
            continue
        if tok.is_punct and tok.text not in {"-", "."}:
            break
        if low in {"to", "in"} and out and all(is_cap(t) for t in out) and i > 0 and doc[i - 1].lower_ in _POSTED:
            # "Russian Ambassador to North Korea X", "Ambassador in Pyongyang X": the posting is not the employer
            out = []
            i -= 1
            continue
        if tok.pos_ in {"VERB", "AUX", "ADP", "DET", "CCONJ", "SCONJ", "PRON", "NUM", "PART", "ADV"} and not (
            is_cap(tok) or low in pats.role_nouns or low in pats.role_modifiers
        ):
            break
        if not is_cap(tok) and low not in pats.role_nouns and low not in pats.role_modifiers and tok.pos_ not in {"NOUN", "ADJ", "PROPN"}:
            break
        if is_cap(tok) and tok.pos_ in {"ADP", "DET", "CCONJ", "SCONJ", "PRON", "ADV"}:
            break  # sentence-initial "In", "But", "The"
        out.insert(0, tok)
        i -= 1
    # a title ends in a role word, a rank or a possessive; drop trailing honorifics for that test
    while out and out[-1].lower_ in pats.honorifics:
        out.pop()
    while out and not is_cap(out[0]) and out[0].lower_ not in pats.role_modifiers and out[0].lower_ not in pats.role_nouns:
        out.pop(0)
    return out


def _describe_pre(doc: Doc, first: int, anchor: int) -> Description:
    tokens = _pre_title(doc, first)
    if not tokens:
        return Description()
    pats = load_patterns()
    words = [t.text for t in tokens]
    if tokens[-1].text in POSSESSIVE:
        owner_org = resolve_in_article(doc, join_tokens(tokens[:-1]))
        return Description(institution=owner_org) if owner_org else Description()
    # the role: from the first role word (with the title words and lower-case modifiers before it) to the end
    role_idx = [i for i, t in enumerate(tokens) if t.lower_.strip(".") in pats.role_nouns or t.lower_ in pats.military_roles]
    if not role_idx:
        return Description()
    start = role_idx[0]
    while start > 0:
        prev = tokens[start - 1]
        if prev.text in POSSESSIVE:
            break
        if _owner_word(tokens, start - 1):
            break
        if not is_cap(prev) or prev.lower_ in pats.role_modifiers:
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
    poss = next((i for i, t in enumerate(owner_tokens) if t.text in POSSESSIVE), None)
    owner_country: str | None = None
    if poss is not None:
        before, after = owner_tokens[:poss], owner_tokens[poss + 1 :]
        owner_country = country_of(join_tokens(before)) if before else None
        # "Ukraine's Kharkiv Group of Forces spokesperson": the body after a country's possessive is the owner
        owner_tokens = after if after and owner_country else before
    while owner_tokens and (owner_tokens[0].lower_ in pats.former or owner_tokens[0].lower_ in {"the", "a", "an"}):
        owner_tokens = owner_tokens[1:]  # "former Aidar Battalion company commander"
    owner = join_tokens(owner_tokens) if owner_tokens else ""
    country, rest = strip_country(owner) if owner else (None, "")
    if owner_country and owner:
        country, rest = owner_country, owner
    if owner and norm(owner) in {"the country", "country"}:
        country = country_from_context(doc, anchor, nearest=True)
    role_core = [t.text for t in role_tokens if t.lower_ not in pats.military_roles or t.lower_ in pats.role_nouns]
    ranks = [t.text for t in role_tokens if t.lower_ in pats.military_roles and t.lower_ not in pats.role_nouns]
    role = shorten_role(role_core) or shorten_role(ranks)
    former = former_flag(words)[0]
    if role:
        role = re.sub(r"^(?:former|ex-)\s+", "", role, flags=re.IGNORECASE)
    institution: Resolved | None = None
    if rest or (owner and not country):
        hint = country
        target = owner
        if country is None and norm(owner) in generic_forms():
            hint = country_from_context(doc, anchor, nearest=False)
        institution = resolve_in_article(doc, target, hint)
    if institution is None:
        institution = title_institution(join_tokens(role_tokens), country)
    type_hint = role_type(role) or ("military" if ranks and not role_core else None)
    if type_hint is None and country and not rest and role and role.lower() in _COUNTERPARTS:
        type_hint = "government"  # "his North Korean counterpart X", "their Russian hosts": a state's representative
    if ranks and not role_core:
        type_hint = "military"
    return Description(role=role, institution=institution, former=former, type_hint=type_hint)


def _owner_word(tokens: Sequence[Token], k: int) -> bool:
    """Does tokens[k], just before the role words, end the owner's name rather than start the title?

    A lower-case organisation head ("Air force commander", "British army officer") or a capitalised title-like word
    that completes a registry name ("Homeland Security spokesman") belongs to the owner.
    """
    pats = load_patterns()
    tok = tokens[k]
    if k == 0 or tokens[k - 1].text in POSSESSIVE:
        return False
    pair = f"{tokens[k - 1].lower_} {tok.lower_}"
    if not is_cap(tok):
        return pair in pats.org_heads or (
            tok.lower_ in pats.org_heads and tok.lower_ not in pats.role_modifiers and tok.lower_ not in _UNIT_WORDS
        )
    if tok.lower_ not in pats.role_modifiers or not is_cap(tokens[k - 1]):
        return False
    with_word = resolve(join_tokens(tokens[: k + 1]))
    return with_word is not None and with_word.known


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
    if "\n" in doc[last].whitespace_ or first.text in QUOTE_CHARS:
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
        if tok.text in QUOTE_CHARS and not (current and current[-1].lower_ in {"the", "of"}):
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
        if tok.pos_ in {"VERB", "AUX"} and not _adjectival(doc, i) and not (is_cap(tok) and current) and not (
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
        if tok.lower_ in CHUNK_PREPS or tok.is_punct:
            return False
        if tok.lower_ in pats.role_nouns:
            return True
    return False


def _run_in_title(doc: Doc, i: int) -> bool:
    """A header 'Name Senior Fellow, Center' / 'Name Stanton Senior Fellow ...': capitalised title words follow."""
    pats = load_patterns()
    for tok in doc[i : i + 5]:
        if not is_cap(tok) or tok.is_punct:
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
    # ("was") as the carrier and let parse_chunk read it through the former list.
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
    desc = parse_chunk(body, doc, anchor)
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
    if not chunk or not has_role_noun([t.text for t in chunk]):
        return Description()
    return parse_chunk(chunk, doc, anchor)


def describe(doc: Doc, mention: Span) -> Description:
    """Everything the text attached to one mention says about the speaker."""
    span = _mention_tokens(doc, mention)
    if span is None or len(span) == 0:
        return Description()
    if span.text.lower() in _PERSON_PRONOUNS:
        return Description()
    if _is_descriptor(span):
        return parse_chunk(list(span), doc, span.start_char)
    pats = load_patterns()
    while len(span) > 1 and (
        span[0].lower_ in pats.role_nouns or span[0].lower_ in pats.role_modifiers
        or span[0].lower_ in pats.military_roles or span[0].lower_ in pats.honorifics
    ):
        span = span[1:]  # title words caught inside the name span ("Cabinet Secretary Yoshimasa Hayashi")
    person = next((k for k, t in enumerate(span) if t.ent_type_ == "PERSON"), 0)
    if 0 < person < len(span) and all(is_cap(t) for t in span[:person]) and has_role_noun(
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
    } or (len(span) > 0 and span[0].text in POSSESSIVE)


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
                desc = parse_chunk(_trim_chunk(tokens[i : min(len(tokens), j + 8)]), doc, tok.idx)
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


def _full_name_mentions(doc: Doc, speaker: Speaker, mentions: list[Span]) -> list[Span]:
    """A speaker known only by one name ("Go", "Bretton-Gordon") is described where the article gives the full
    name ("Go Myong-hyun, a research fellow at ..."): the occurrences of the one person name in the article that
    holds it as its first or last word, when exactly one such name exists."""
    name = speaker.name.strip()
    if not name or len(name.split()) > 1:
        return []
    found = [(ent.text, ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1
             and name in (ent.text.split()[0], ent.text.split()[-1])]
    # a surname before a hyphenated given name ("Go Myong-hyun"), which the tagger often leaves untagged
    found += [(m.group(0), m.start(), m.end()) for m in re.finditer(
        rf"(?<![\w-]){re.escape(name)} [A-Z][a-z]+-[a-z]+(?![\w-])", doc.text)]
    if len({text for text, _, _ in found}) != 1:
        return []
    seen = {(m.start, m.end) for m in mentions}
    return [Span(start, end) for _, start, end in sorted(set(found), key=lambda f: f[1]) if (start, end) not in seen]


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
        type_ = role_type(desc.role) or "other"
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
    mentions += _full_name_mentions(doc, speaker, mentions)
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
        found = _to_affiliation(first_role)
        return found if found.institution_type else replace(found, institution_type=official_type(speaker.name))
    if _label_only(doc, mentions):
        opening = _opening_description(doc)
        if not opening.empty:
            return _to_affiliation(opening)
    return Affiliation(institution_type=official_type(speaker.name))


# ---- office holders the text names without a title


def _letters(name: str) -> str:
    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", name).lower())


@cache
def _officials() -> dict[str, str]:
    """Letters of every listed spelling of an office holder -> the type of their office."""
    out: dict[str, str] = {}
    for row in load_tsv(OFFICIALS_FILE):
        for name in (row["name"], *row["aliases"].split("|")):
            if name.strip():
                out.setdefault(_letters(name), row["type"])
    return out


def official_type(name: str) -> InstitutionType | None:
    """The type of a well-known office holder's office ("Putin" -> government), for a speaker whose article gives
    no role or body; None for anyone else."""
    type_ = _officials().get(_letters(name))
    return type_ if type_ in INSTITUTION_TYPES else None  # type: ignore[return-value]
