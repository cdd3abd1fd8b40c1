"""One identity per person across articles: spelling variants of a name folded to one person id.

The store's ``speaker_key`` folds case, accents and hyphens ("Kim Jong-un" = "Kim Jong Un"). A person id goes
further, and only where the evidence is a spelling, never a guess:

* middle initials and Russian patronymics drop out ("Vladimir V. Putin" = "Vladimir Vladimirovich Putin" =
  "Vladimir Putin");
* transliteration variants fold by a small skeleton ("y" = "i", "ks" = "x", doubled "i"/"s" single:
  "Zelensky" = "Zelenskyy" = "Zelenskiy", "Sergey" = "Sergei", "Vassily" = "Vasily");
* the curated list ``resources/people.tsv`` joins the spellings no rule can ("Kirill"/"Kyrylo Budanov");
* a bare surname joins a full name only when the same article names exactly one person with that surname;
  a bare East Asian family name ("Kim", "Lee", "Park") never does, being shared by too many people.

Korean names keep every given-name syllable ("Kim Jong Un", "Kim Yo Jong" and "Kim Taewoo" stay three people).
Pure: no I/O beyond reading the packaged resources once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from analysis.lexicons import load_toml, load_tsv, word_set

_PATRONYMIC = re.compile(r"^[a-z]+(?:ovich|evich|ovna|evna|ichna)$")
_NAME_WORD = r"(?:[A-Z]\.|[A-Z][\w'’\-]*)"  # a capitalised word or an initial; no sentence-final period
_LETTERS = re.compile(r"[^a-z]")


@dataclass(frozen=True, slots=True)
class Person:
    """A person's identity: a stable id, the display name, and the name as the article wrote it."""

    id: str
    name: str
    as_written: str


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def name_words(name: str) -> list[str]:
    """Lower-case ASCII words of a name; hyphenated parts stay one word ("jong-un" -> "jongun")."""
    text = _ascii(name).lower().replace("’", "'")
    text = re.sub(r"\s*[-‐]\s*", "", text)  # "Jong-un", "Thomas-Greenfield": one word
    text = text.replace(".", ". ")
    return [w for w in (re.sub(r"[^a-z']", "", w) for w in text.split()) if w]


def core_words(name: str) -> list[str]:
    """The name's words without middle initials and patronymics (first and last word always kept)."""
    ws = name_words(name)
    if len(ws) < 3:
        return ws
    middle = [w for w in ws[1:-1] if len(w.strip("'")) > 1 and not _PATRONYMIC.match(w)]
    return [ws[0], *middle, ws[-1]]


def skeleton(word: str) -> str:
    """A transliteration-insensitive form of one name word ("zelenskyy" -> "zelenski")."""
    w = _LETTERS.sub("", word.lower())
    w = w.replace("ks", "x").replace("y", "i")
    w = re.sub(r"i{2,}", "i", w)
    return re.sub(r"s{2,}", "s", w)


def name_key(name: str) -> str:
    """The spelling-insensitive key of a full name, also the person id: skeletons of the core words joined, so
    spacing and hyphens do not matter ("Kim Jong-un" = "Kim Jong Un" -> "kimjongun") but order does."""
    return "".join(skeleton(w) for w in core_words(name)) or _LETTERS.sub("", _ascii(name).lower())


@cache
def _aliases() -> dict[str, str]:
    """Curated spelling -> canonical name, keyed by ``name_key``; canonical names map to themselves."""
    table: dict[str, str] = {}
    for row in load_tsv("people.tsv"):
        canonical = row["name"]
        for spelling in (canonical, *(a.strip() for a in row.get("aliases", "").split("|") if a.strip())):
            table.setdefault(name_key(spelling), canonical)
    return table


@cache
def _stop_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words that are not given names (titles, honorifics, descriptors) and the East Asian family names."""
    data = load_toml("reporting.toml")
    titles = word_set(data, "titles") | word_set(data, "honorifics") | word_set(data, "descriptor_nouns")
    return frozenset(w.strip(".") for w in titles), word_set(data, "east_asian_surnames")


def _full_names_in(text: str, surname: str) -> set[str]:
    """Full names in the text that end with the surname ("President Vladimir Putin" -> "Vladimir Putin"),
    titles, honorifics and nationality adjectives dropped from the front."""
    stops, _ = _stop_words()
    found: set[str] = set()
    pattern = re.compile(rf"((?:{_NAME_WORD}\s+){{1,3}}){re.escape(surname)}\b")
    for m in pattern.finditer(text):
        given = m.group(1).split()
        while given and (given[0].lower().strip(".") in stops or given[0].lower().endswith(("ian", "ean", "ese"))
                         or given[0].lower() in {"the", "but", "and", "a", "an", "as", "in", "on", "said", "says"}):
            given = given[1:]
        if given:
            found.add(" ".join([*given, surname]))
    return found


def identify(name: str, article_text: str = "", article_names: Iterable[str] = ()) -> Person:
    """The identity of a speaker named ``name`` in an article (its text and its other speakers' names)."""
    written = re.sub(r"\s+", " ", name).strip()
    words = core_words(written)
    if len(words) == 1:
        joined = _surname_in_article(written, article_text, article_names)
        if joined is not None:
            person = identify(joined)
            return Person(person.id, person.name, written)
    canonical = _aliases().get(name_key(written))
    display = canonical or written
    return Person(name_key(display), display, written)


def _surname_in_article(surname: str, text: str, names: Iterable[str]) -> str | None:
    """The one full name in the article that this bare surname stands for, else None."""
    _, east_asian = _stop_words()
    key = skeleton(surname)
    if not key or surname.lower() in east_asian:
        return None
    candidates = {n for n in names if len(core_words(n)) > 1 and skeleton(core_words(n)[-1]) == key}
    if text:
        candidates |= _full_names_in(text, surname)
    people = {identify(c).id: c for c in candidates}
    if len(people) != 1:
        return None
    return max(candidates, key=len)
