"""Recognising person names in a parsed article: shared by quote finding and attribution.

The small English model misses and mislabels names, so NER is combined with capitalised-token runs, honorific and
title words, and checks that a candidate is not an organisation or a place. Word lists come from
``resources/reporting.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Token

from analysis.lexicons import load_toml, word_set

_NON_PERSON_ENTS = {"GPE", "LOC", "NORP", "FAC", "ORG", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
# A capitalised run longer than this is a title-case headline or a list, not a name with its titles; refusing it
# early keeps name finding linear on text of thousands of capitalised words.
MAX_RUN_TOKENS = 12
_NAME_CHARS = re.compile(r"^[A-Z][\w'’.\-]*$|^[A-Z]\.$")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The reporting/naming word lists of ``resources/reporting.toml`` as frozensets."""

    honorifics: frozenset[str]
    titles: frozenset[str]
    descriptors: frozenset[str]
    organisation_words: frozenset[str]
    east_asian_surnames: frozenset[str]
    pronouns: frozenset[str]
    plural_pronouns: frozenset[str]
    possessives: frozenset[str]
    indefinite: frozenset[str]
    generic_descriptors: frozenset[str]  # "the expert": resolves to the current speaker
    name_particles: frozenset[str]  # lower-case words inside a name ("de", "van", "bin")


@cache
def lexicon() -> Lexicon:
    """The naming lexicon, loaded once per process."""
    data = load_toml("reporting.toml")

    def words(key: str) -> frozenset[str]:
        return word_set(data, key)

    return Lexicon(
        honorifics=words("honorifics"),
        titles=words("titles"),
        descriptors=words("descriptor_nouns"),
        organisation_words=words("organisation_words"),
        east_asian_surnames=words("east_asian_surnames"),
        pronouns=words("personal_pronouns"),
        plural_pronouns=words("plural_pronouns"),
        possessives=words("possessive_pronouns"),
        indefinite=words("indefinite_determiners"),
        generic_descriptors=words("generic_descriptors"),
        name_particles=words("name_particles"),
    )


# ----------------------------------------------------------------------------------------------- names




def norm_word(word: str) -> str:
    return word.lower().replace("’", "'").strip(".")


def _is_name_token(tok: Token) -> bool:
    text = tok.text
    if tok.is_punct and text not in {"-", "‐"}:
        return False
    if text in {"-", "‐"}:
        return True
    return bool(_NAME_CHARS.match(text)) and tok.lower_ not in {"'s", "’s"}


def _prefix_word(tok: Token) -> bool:
    """A word that continues a descriptive prefix before a name ("U.S. Secretary", "South Korean President")."""
    lex = lexicon()
    low = norm_word(tok.text)
    return (
        low in lex.titles or low in lex.honorifics or low in lex.organisation_words
        or tok.ent_type_ == "NORP"
    )


def _hyphen_tail(doc: Doc, k: int) -> bool:
    """The lower-case second half of a hyphenated given name ("Min-seok"), glued to a hyphen."""
    return (
        k >= 2
        and doc[k].text[:1].islower()
        and doc[k].is_alpha
        and doc[k - 1].text in {"-", "‐"}
        and not doc[k - 1].whitespace_
        and not doc[k - 2].whitespace_
        and doc[k - 2].text[:1].isupper()
    )


def _surname_word(doc: Doc, i: int, j: int) -> bool:
    """A capitalised East-Asian family name that is also an English function word ("Go Myong-hyun", "Ma Ying"),
    inside a sentence and followed by more name words: part of the name, not a word to strip."""
    return (
        i + 1 < j and not doc[i].is_sent_start and doc[i].text[:1].isupper()
        and doc[i].lower_ in lexicon().east_asian_surnames
    )


def _inner_particle(doc: Doc, k: int) -> bool:
    """A lower-case name particle ("de", "van", "bin") between two capitalised name words on one line."""
    return (
        0 < k < len(doc) - 1
        and doc[k].text in lexicon().name_particles
        and _is_name_token(doc[k - 1])
        and (_is_name_token(doc[k + 1]) or _inner_particle_chain(doc, k + 1))
        and "\n" not in doc[k - 1].whitespace_ + doc[k].whitespace_
    )


def _inner_particle_chain(doc: Doc, k: int) -> bool:
    """A second particle right after the first ("von der Leyen", "van der Berg")."""
    return (
        k < len(doc) - 1 and doc[k].text in lexicon().name_particles and _is_name_token(doc[k + 1])
        and "\n" not in doc[k].whitespace_
    )


def name_run(tok: Token) -> tuple[int, int] | None:
    """Token range [i, j) of the capitalised run around ``tok`` with titles and honorifics stripped."""
    doc = tok.doc
    if not _is_name_token(tok) and not _hyphen_tail(tok.doc, tok.i):
        return None
    lex = lexicon()
    i = tok.i
    while i - 1 >= 0 and "\n" not in doc[i - 1].whitespace_:
        if _is_name_token(doc[i - 1]) or (_hyphen_tail(doc, i - 1) and doc[i - 1].ent_type_ == "PERSON"):
            i -= 1  # a hyphenated given name the model tagged with the family name ("Seung-soo Hyun") comes along
        elif _inner_particle(doc, i - 1):
            i -= 2  # "Hamish de Bretton-Gordon": the particle and the given name before it
        else:
            break
        if tok.i - i > MAX_RUN_TOKENS:
            return None
    j = tok.i + 1
    while j < len(doc) and "\n" not in doc[j - 1].whitespace_:
        if _is_name_token(doc[j]) or _hyphen_tail(doc, j):
            j += 1
        elif _inner_particle(doc, j):
            j += 2  # "Charles de Gaulle", "Ursula von der Leyen" (one particle at a time)
        else:
            break
        if j - tok.i > MAX_RUN_TOKENS:
            return None
    if i < tok.i + 1 and _hyphen_tail(doc, tok.i):
        # started on the lower-case half of "Min-seok": walk back over the hyphen
        while i - 1 >= 0 and (_is_name_token(doc[i - 1]) or _hyphen_tail(doc, i - 1)):
            i -= 1
            if tok.i - i > MAX_RUN_TOKENS:
                return None
    # drop leading titles, honorifics, nationality adjectives, organisation words and function words
    # ("But Mr.", "Russian President", "Gen.")
    while i < j and (
        norm_word(doc[i].text) in lex.titles
        or doc[i].lower_ in lex.honorifics
        or norm_word(doc[i].text) in lex.honorifics
        or (doc[i].ent_type_ in {"NORP", "GPE"} and i < tok.i and _prefix_word(doc[i + 1]))
        or (norm_word(doc[i].text) in lex.organisation_words and i < tok.i)
        or doc[i].text in {"-", "‐"}
        or (doc[i].is_stop and doc[i].pos_ != "PROPN" and not _surname_word(doc, i, j))
    ):
        i += 1
    while j > i and doc[j - 1].text in {"-", "‐"}:
        j -= 1
    if i >= j:
        return None
    return i, j


def looks_like_person(doc: Doc, start: int, end: int) -> bool:
    """True when tokens [start, end) read as a person's name, not an organisation, place or acronym."""
    lex = lexicon()
    toks = [t for t in doc[start:end] if t.text not in {"-", "‐"}]
    if not toks:
        return False
    if any(norm_word(t.text) in lex.organisation_words for t in toks):
        return False
    if len(toks) == 1 and toks[0].text.isupper() and len(toks[0].text) > 1:
        return False
    if any(ch.isdigit() for t in toks for ch in t.text):
        return False  # "Russia-1", "G20"
    ents = {t.ent_type_ for t in toks if t.ent_type_}
    if "PERSON" in ents or described_as_person(doc, start, end):
        return True
    place_like = {"GPE", "LOC", "NORP", "FAC", "DATE", "TIME", "CARDINAL", "MONEY", "PERCENT", "EVENT", "LAW"}
    if len(toks) >= 2 and all(t.ent_type_ in place_like for t in toks):
        return False  # "North Korea", "New York"
    if len(toks) == 1 and ents & place_like:
        return toks[0].text in person_tokens(doc)
    if "ORG" in ents or "PRODUCT" in ents or "WORK_OF_ART" in ents:
        # the small model tags many names ORG: a surname of a PERSON named elsewhere in the article is a person
        if len(toks) == 1:
            return toks[0].text in person_tokens(doc)
        return any(t.pos_ == "PROPN" for t in toks)
    return any(t.pos_ == "PROPN" for t in toks)


def described_as_person(doc: Doc, start: int, end: int) -> bool:
    """A title right before the name ("Premier X") or a person descriptor in an appositive after it
    (", an analyst at ...") marks a person even when the model tagged the name as a place or organisation."""
    lex = lexicon()
    if start > 0 and norm_word(doc[start - 1].text) in lex.descriptors | lex.honorifics:
        return True
    if end < len(doc) and doc[end].text == ",":
        for t in doc[end + 1 : min(len(doc), end + 6)]:
            if t.text in {",", ".", ";"} or "\n" in t.whitespace_:
                break
            if t.pos_ == "NOUN" and norm_word(t.text) in lex.descriptors:
                return True
    return False


def person_tokens(doc: Doc) -> frozenset[str]:
    """Capitalised words of the article's PERSON entities, collected once per document."""
    cached = doc.user_data.get("analysis.person_tokens")
    if not isinstance(cached, frozenset):
        cached = frozenset(t.text for ent in doc.ents if ent.label_ == "PERSON" for t in ent if t.text[:1].isupper())
        doc.user_data["analysis.person_tokens"] = cached
    return cached


def name_key(text: str) -> tuple[str, ...]:
    """Lower-case name words, periods dropped, hyphenated parts kept together ("Kim Jong-un" -> kim, jong-un)."""
    clean = re.sub(r"\s*[\-‐]\s*", "-", text.lower().replace("’", "'").replace(".", " "))
    return tuple(w.strip("-") for w in clean.split() if w.strip("-"))


def flat_key(key: tuple[str, ...]) -> str:
    """Spelling-insensitive form for equality: "jong-un" == "jong un"."""
    return "".join(key).replace("-", "")
