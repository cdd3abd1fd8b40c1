"""Quote + Doc -> Speaker: who said it, resolved within the article.

Passes:
1. collect the people named in the article (NER PERSON entities, plus the capitalised name runs found at attribution
   sites, which the small model often misses or mislabels), strip titles/honorifics, drop organisations and places;
2. cluster the mentions into people: a full name opens a person, a surname or "Mr. Kim" joins the most recent person
   it fits (East-Asian names family-name first, Western names last token), a surname seen before its full name is
   upgraded when the full name arrives, two people with one surname stay apart;
3. resolve each quote's attribution-site mention (name, pronoun, descriptor) to a person; quotes with no mention of
   their own (a continued paragraph, a lead quote) take the speaker of the neighbouring paragraph.
Unnamed sources, organisations and plural subjects resolve to None.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from spacy.tokens import Doc, Token

from analysis.lexicons import load_toml, word_set
from analysis.names import (
    described_as_person,
    flat_key,
    lexicon,
    looks_like_person,
    name_key,
    name_run,
    norm_word,
)
from analysis.nlp import doc_text
from analysis.records import AttributedQuote, Quote, Span, Speaker

VERSION = "15"

# ----------------------------------------------------------------------------------------------- people


@dataclass(slots=True)
class _Person:
    name: str
    key: tuple[str, ...]
    mentions: list[tuple[int, int]] = field(default_factory=list)
    descriptors: set[str] = field(default_factory=set)
    full_start: int | None = None  # char offset of the first full-name mention

    def aliases(self) -> set[str]:
        if len(self.key) == 1:
            return {self.key[0]}
        out = {self.key[-1]}
        lex = lexicon()
        if self.key[0] in lex.east_asian_surnames or len(self.key) >= 3:
            out.add(self.key[0])
        else:
            out.add(self.key[0])  # family-name-first order is common in translated names; weaker, see _match
        return out

    def family(self) -> str:
        lex = lexicon()
        if len(self.key) >= 2 and self.key[0] in lex.east_asian_surnames:
            return self.key[0]
        return self.key[-1]


def _descriptor_words(doc: Doc, i: int, j: int) -> set[str]:
    """Title words in the noun phrase before the name and in an appositive after it."""
    words: set[str] = set()
    head = doc[j - 1]
    k = i - 1
    while k >= 0 and k >= i - 8 and not doc[k].is_punct and "\n" not in doc[k].whitespace_:
        if doc[k].pos_ in {"VERB", "AUX", "ADP"} and doc[k].lower_ not in {"of"}:
            break
        words.add(norm_word(doc[k].text))
        k -= 1
    for child in head.children:
        if child.dep_ == "appos" and child.i > head.i:
            words.update(norm_word(t.text) for t in child.subtree if t.i - head.i < 25)
    if j < len(doc) and doc[j].text == ",":
        for t in doc[j + 1 : min(len(doc), j + 12)]:
            if t.pos_ in {"VERB", "AUX"} or "\n" in t.whitespace_:
                break
            words.add(norm_word(t.text))
    if head.dep_ == "nsubj" and head.head.lemma_ == "be":
        # "X is Russia's deputy foreign minister": a copular introduction names the title too
        for attr in head.head.children:
            if attr.dep_ == "attr" and attr.i > head.i:
                words.update(norm_word(t.text) for t in attr.subtree if t.i - attr.i < 4 and not t.is_punct)
                words.update(norm_word(t.text) for t in attr.lefts)
    return words


def _person_mentions(doc: Doc, extra_sites: Sequence[Span]) -> list[tuple[int, int]]:
    """Token ranges of person-name mentions in document order."""
    ranges: set[tuple[int, int]] = set()
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        run = name_run(doc[ent.end - 1]) or (ent.start, ent.end)
        i, j = max(run[0], ent.start), run[1]
        while j > i and doc[j - 1].lower_ in {"'s", "’s", "'"}:
            j -= 1
        if i < j and looks_like_person(doc, i, j):
            ranges.add((i, j))
    for site in extra_sites:
        span = doc.char_span(site.start, site.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        site_run = name_run(span[-1])
        if site_run and looks_like_person(doc, *site_run):
            ranges.add(site_run)
    ranges.update(_copular_introductions(doc))
    # drop ranges nested in a longer one
    ordered = sorted(ranges)
    out: list[tuple[int, int]] = []
    for r in ordered:
        if out and r[0] < out[-1][1]:
            if r[1] - r[0] > out[-1][1] - out[-1][0]:
                out[-1] = r
            continue
        out.append(r)
    return out


def _copular_introductions(doc: Doc) -> list[tuple[int, int]]:
    """Subject names introduced with a title, by a copula ("X is Russia's deputy foreign minister") or an appositive
    ("X, a professor at Y, was cautious"), which the small model often misses or tags as an organisation: the
    title makes the subject a person."""
    descriptors = lexicon().descriptors
    out: list[tuple[int, int]] = []
    for tok in doc:
        if tok.dep_ != "nsubj" or tok.pos_ != "PROPN" or tok.i > tok.head.i:
            continue
        run = name_run(tok)
        if not run or run[1] - run[0] < 2:
            continue
        copular = tok.head.lemma_ == "be" and any(
            a.dep_ == "attr" and a.tag_ == "NN" and a.lower_ in descriptors for a in tok.head.children)
        if (copular or described_as_person(doc, *run)) and looks_like_person(doc, *run):
            out.append(run)
    return out


def _cluster(doc: Doc, ranges: list[tuple[int, int]]) -> tuple[list[_Person], dict[tuple[int, int], int]]:
    people: list[_Person] = []
    owner: dict[tuple[int, int], int] = {}
    last_seen: dict[int, int] = {}
    for i, j in ranges:
        text = doc[i:j].text
        key = name_key(text)
        if not key:
            continue
        idx = _match(people, key, last_seen)
        if idx is None:
            people.append(_Person(name=text, key=key))
            idx = len(people) - 1
        person = people[idx]
        if len(key) > len(person.key) and set(person.key) <= set(key):
            # a surname seen first, the full name later ("Lukin said ... Artyom Lukin, a professor")
            person.name, person.key = text, key
            person.full_start = doc[i].idx
        if person.full_start is None and len(key) >= 2:
            person.full_start = doc[i].idx
        person.mentions.append((doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)))
        person.descriptors |= _descriptor_words(doc, i, j)
        owner[(i, j)] = idx
        last_seen[idx] = i
    return people, owner


def _match(people: list[_Person], key: tuple[str, ...], last_seen: dict[int, int]) -> int | None:
    """The person a name key refers to: same full name, else the most recent person the short form fits."""
    for idx, p in enumerate(people):
        if flat_key(p.key) == flat_key(key):
            return idx
    fits: list[int] = []
    for idx, p in enumerate(people):
        if len(key) == 1 and key[0] in p.aliases() or len(key) >= 2 and len(p.key) == 1 and p.key[0] in {key[0], key[-1]}:
            fits.append(idx)
        elif len(key) >= 2 and len(p.key) >= 2 and key[-1] == p.key[-1] and key[0][:1] == p.key[0][:1] and (
            len(key) != len(p.key) and (set(key) <= set(p.key) or set(p.key) <= set(key))
        ):
            fits.append(idx)  # "Patrick Ryder" vs "Patrick S. Ryder"
    if not fits:
        return None
    # a family name is a stronger fit than a given name
    strong = [i for i in fits if len(key) != 1 or people[i].family() == key[0]]
    pool = strong or fits
    return max(pool, key=lambda i: last_seen.get(i, -1))


# ----------------------------------------------------------------------------------------------- resolution


class _Sites:
    """(offset, person) sites kept sorted, so "the latest site before this offset" is a bisection (an article with
    thousands of quotes must not rescan every earlier one). On equal offsets the first added wins."""

    def __init__(self, sites: Sequence[tuple[int, int]] = ()) -> None:
        self._items: list[tuple[int, int, int]] = []  # (offset, order added, person)
        for off, idx in sites:
            self.add(off, idx)

    def add(self, off: int, idx: int) -> None:
        insort(self._items, (off, len(self._items), idx))

    def last_before(self, pos: int) -> tuple[int, int] | None:
        """(offset, person) of the latest site strictly before ``pos``."""
        k = bisect_left(self._items, (pos,)) - 1
        if k < 0:
            return None
        off = self._items[k][0]
        first = self._items[bisect_left(self._items, (off,))]
        return off, first[2]


@dataclass(slots=True)
class _State:
    people: list[_Person]
    owner_by_char: list[tuple[int, int, int]]  # (start, end, person) sorted
    subject_positions: list[tuple[int, int]]  # (char offset, person) for mentions that are grammatical subjects
    quote_speakers: list[tuple[int, int]] = field(default_factory=list)  # (site offset, person) resolved so far
    mention_ends: list[int] = field(default_factory=list)  # end offsets of owner_by_char, for bisection
    subjects: _Sites = field(default_factory=_Sites)  # subject_positions, sorted for bisection

    mention_starts: list[list[int]] = field(default_factory=list)  # per person, sorted
    countries: list[set[str]] = field(default_factory=list)  # per person, the countries its titles name
    by_descriptor: dict[str, list[int]] = field(default_factory=dict)  # title word -> people, in order
    first_mentions: list[tuple[int, int]] = field(default_factory=list)  # (offset, person) sorted

    def __post_init__(self) -> None:
        self.mention_ends = [e for _, e, _ in self.owner_by_char]
        self.subjects = _Sites(self.subject_positions)
        self.mention_starts = [sorted(s for s, _ in p.mentions) for p in self.people]
        self.countries = [_countries(p.descriptors) for p in self.people]
        for idx, p in enumerate(self.people):
            for word in p.descriptors:
                self.by_descriptor.setdefault(word, []).append(idx)
        self.first_mentions = sorted((p.mentions[0][0], idx) for idx, p in enumerate(self.people) if p.mentions)


def _person_at(state: _State, start: int, end: int) -> int | None:
    """The person whose name ends the mention ("the Biden administration" is not Biden)."""
    # name mentions are disjoint, so sorted by start their ends are sorted too: bisect to the first that ends
    # after ``start`` and walk while they start before ``end``
    k = bisect_right(state.mention_ends, start)
    while k < len(state.owner_by_char) and state.owner_by_char[k][0] < end:
        s, e, idx = state.owner_by_char[k]
        if start < e and e >= end - 1:
            return idx
        k += 1
    return None


def _last_subject_before(state: _State, pos: int, speakers: _Sites) -> int | None:
    """Antecedent of "he"/"she": the most recent person in subject position or cited as a speaker (a subject
    before a speaker site at the same offset)."""
    subject = state.subjects.last_before(pos)
    cited = speakers.last_before(pos)
    if subject is not None and (cited is None or subject[0] >= cited[0]):
        return subject[1]
    return cited[1] if cited is not None else None


def _resolve_descriptor(doc: Doc, state: _State, span: Span, speakers: _Sites) -> int | None:
    """"the expert", "the Russian president", "Russia's Industry Minister": the person whose titles fit,
    the current speaker for a bare "the expert", or the person named next (cataphora)."""
    lex = lexicon()
    chunk = doc.char_span(span.start, span.end, alignment_mode="expand")
    toks = list(chunk) if chunk is not None else []
    if not toks:
        return None
    if toks[0].lower_ in lex.indefinite or toks[-1].tag_ in {"NNS", "NNPS"}:
        return None
    head = norm_word(toks[-1].text)
    if head not in lex.descriptors:
        return None  # the phrase is headed by something else ("the general military staff")
    modifiers = {norm_word(t.text) for t in toks if t.pos_ in {"ADJ", "PROPN", "NOUN"} and t.text[:1].isupper()} - {head}
    # lower-case rank words ("the deputy minister") must be in the person's title too
    ranks = {norm_word(t.text) for t in toks[:-1] if t.text[:1].islower()} & _rank_words()
    nations = _countries(modifiers)

    def fits(idx: int) -> bool:
        p = state.people[idx]
        if not ranks <= p.descriptors:
            return False
        own = state.countries[idx]
        return not (nations and own and not nations & own)

    def last_mention_before(idx: int) -> int | None:
        starts = state.mention_starts[idx]
        k = bisect_left(starts, span.start) - 1
        return starts[k] if k >= 0 else None

    # only the people introduced with this head word can fit (indexed once, so each descriptor costs little)
    titled = [i for i in state.by_descriptor.get(head, []) if fits(i) and last_mention_before(i) is not None]
    best: tuple[int, int] | None = None
    best_idx: int | None = None
    for idx in titled:
        p = state.people[idx]
        shared = len(modifiers & p.descriptors) + (1 if nations & state.countries[idx] else 0)
        if modifiers and not shared:
            continue
        rank = (shared, last_mention_before(idx) or 0)
        if best is None or rank > best:
            best, best_idx = rank, idx
    if best_idx is not None:
        return best_idx
    # "the Russian president" when the only president named so far was introduced without "Russian"
    nationality_only = all(t.ent_type_ in {"NORP", "GPE"} for t in toks if norm_word(t.text) in modifiers)
    if modifiers and nationality_only and len(titled) == 1:
        return titled[0]
    if not modifiers and head in lex.generic_descriptors:
        k = bisect_left(state.quote_speakers, (span.start,)) - 1  # the latest (offset, person) before the span
        return state.quote_speakers[k][1] if k >= 0 else _last_subject_before(state, span.start, speakers)
    # a descriptor before the name ("the Japanese government spokesman said ... added Hirokazu Matsuno")
    k = bisect_left(state.first_mentions, (span.end,))
    return state.first_mentions[k][1] if k < len(state.first_mentions) and state.first_mentions[k][0] <= span.end + 400 else None


@cache
def _rank_words() -> frozenset[str]:
    return word_set(load_toml("reporting.toml"), "rank_words")


@cache
def _country_names() -> tuple[tuple[str, frozenset[str]], ...]:
    """(country code, name words) for each name of a country in ``resources/affiliation.toml``."""
    table = load_toml("affiliation.toml").get("countries", {})
    return tuple(
        (str(code), frozenset(name_key(str(name)))) for code, names in table.items() for name in names if name_key(str(name))
    )


def _countries(words: set[str]) -> set[str]:
    """Countries named by a set of title words ("russian" and "russia" -> RU; "north korean" -> KP, not KR)."""
    hits = [(code, ws) for code, ws in _country_names() if ws <= words]
    return {code for code, ws in hits if not any(ws < other and code != c2 for c2, other in hits)}


def _resolve_mention(doc: Doc, state: _State, span: Span, speakers: _Sites) -> int | None:
    lex = lexicon()
    text = doc_text(doc)[span.start : span.end].strip()
    low = text.lower()
    if low in lex.pronouns or low in lex.possessives or low in {"him"}:
        return _last_subject_before(state, span.start, speakers)
    if low in lex.plural_pronouns:
        return None
    idx = _person_at(state, span.start, span.end)
    if idx is not None:
        return idx
    key = name_key(text)
    if key and all(w[:1].isupper() for w in text.split()) and len(key) <= 4:
        # a name the model did not tag ("BARROS:" in a transcript, a surname tagged ORG)
        stripped = tuple(w for w in key if w not in lex.honorifics and w + "." not in lex.honorifics)
        seen = {i: max((s for s, _ in p.mentions if s < span.start), default=-1) for i, p in enumerate(state.people)}
        idx = _match(state.people, stripped, seen) if stripped else None
        if idx is not None:
            return idx
    return _resolve_descriptor(doc, state, span, speakers)


def _paragraph_index(text: str) -> list[int]:
    """Start offsets of the non-empty lines (paragraphs)."""
    starts = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            starts.append(pos)
        pos += len(line) + 1
    return starts


def attribute(doc: Doc, quotes: Sequence[Quote]) -> list[AttributedQuote]:
    """Resolve each quote's speaker to a named person of the article (None for unnamed/organisation speakers)."""
    sites = [q.speaker_mention for q in quotes if q.speaker_mention is not None]
    ranges = _person_mentions(doc, sites)
    people, owner = _cluster(doc, ranges)
    _complete_names(doc, people)
    by_char = sorted(
        (doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text), idx) for (i, j), idx in owner.items()
    )
    subjects = [
        (doc[i].idx, idx)
        for (i, j), idx in owner.items()
        if any(t.dep_ in {"nsubj", "nsubjpass"} for t in doc[i:j])
    ]
    # a subject inside reported words (quoted or indirect) is part of the report, not an antecedent for "he said"
    quoted = sorted((seg.start, seg.end) for q in quotes for seg in q.segments)
    quoted_starts = [s for s, _ in quoted]
    quoted_max_end: list[int] = []
    for _, e in quoted:
        quoted_max_end.append(max(quoted_max_end[-1], e) if quoted_max_end else e)

    def in_quote(off: int) -> bool:
        k = bisect_right(quoted_starts, off) - 1
        return k >= 0 and quoted_max_end[k] > off

    # a subject inside quotation marks is part of the quoted words, not an antecedent for "he said"
    subjects = [(off, idx) for off, idx in subjects if not in_quote(off)]
    state = _State(people, by_char, sorted(subjects))
    order = sorted(range(len(quotes)), key=lambda k: quotes[k].start)
    resolved: dict[int, int | None] = {}
    speakers = _Sites()
    for k in order:
        q = quotes[k]
        if q.speaker_mention is None:
            continue
        idx = _resolve_mention(doc, state, q.speaker_mention, speakers)
        resolved[k] = idx
        if idx is not None:
            insort(state.quote_speakers, (q.speaker_mention.start, idx))
        if idx is not None and _verb_site(doc, q):
            speakers.add(q.speaker_mention.start, idx)
    _resolve_floating(doc_text(doc), quotes, order, resolved)
    sites_by_person: dict[int, list[tuple[int, int]]] = {}
    for k, idx in resolved.items():
        m = quotes[k].speaker_mention
        if idx is not None and m is not None:
            sites_by_person.setdefault(idx, []).append((m.start, m.end))
    speaker_objs = {idx: _speaker(p, sites_by_person.get(idx, [])) for idx, p in enumerate(people)}
    out = []
    for k, q in enumerate(quotes):
        idx = resolved.get(k)
        out.append(AttributedQuote(q, speaker_objs[idx] if idx is not None else None))
    return out


def _verb_site(doc: Doc, q: Quote) -> bool:
    """True when the quote's cue is a verb, so its speaker mention is a grammatical subject (pronoun antecedent)."""
    if q.cue is None:
        return True
    span = doc.char_span(q.cue.start, q.cue.end, alignment_mode="expand")
    return span is not None and len(span) > 0 and span[0].pos_ in {"VERB", "AUX"}


def _complete_names(doc: Doc, people: list[_Person]) -> None:
    """A person only ever named by surname in attributions gets the full name printed elsewhere in the article."""
    wanted = {p.key[0] for p in people if len(p.key) == 1}
    by_word: dict[str, list[Token]] = {}
    for tok in doc:
        if tok.lower_ in wanted:
            by_word.setdefault(tok.lower_, []).append(tok)
    for p in people:
        if len(p.key) != 1:
            continue
        for tok in by_word.get(p.key[0], []):
            if tok.i == 0:
                continue
            run = name_run(tok)
            if run is None or tok.i not in {run[0], run[1] - 1} or run[1] - run[0] < 2:
                continue
            if not looks_like_person(doc, *run) or p.key[0] not in _Person("", name_key(doc[run[0] : run[1]].text)).aliases():
                continue
            text = doc[run[0] : run[1]].text
            p.name, p.key = text, name_key(text)
            p.full_start = doc[run[0]].idx
            p.mentions.append((doc[run[0]].idx, tok.idx + len(tok.text)))
            p.descriptors |= _descriptor_words(doc, *run)
            break


def _resolve_floating(text: str, quotes: Sequence[Quote], order: list[int], resolved: dict[int, int | None]) -> None:
    """Quotes without an attribution of their own: a continued paragraph takes the previous paragraph's speaker,
    a lead quote the speaker named in the next paragraph.

    One pass each way over the quotes in document order (paragraph numbers by bisection), so the work is linear in
    the number of quotes."""
    para_starts = _paragraph_index(text)
    para = [max(0, bisect_right(para_starts, quotes[k].start) - 1) for k in order]
    # for each position, the nearest later quote with its own attribution that resolved to a person
    next_named: list[int | None] = [None] * len(order)
    upcoming: int | None = None
    for pos in range(len(order) - 1, -1, -1):
        next_named[pos] = upcoming
        k = order[pos]
        if quotes[k].speaker_mention is not None and resolved.get(k) is not None:
            upcoming = pos
    last: tuple[int, int] | None = None  # (paragraph, person) of the latest resolved quote so far
    for pos, k in enumerate(order):
        if quotes[k].speaker_mention is None:
            p = para[pos]
            if last is not None and last[0] in {p, p - 1}:
                resolved[k] = last[1]
            else:
                nxt = next_named[pos]
                resolved[k] = resolved[order[nxt]] if nxt is not None and para[nxt] in {p, p + 1} else None
        found = resolved.get(k)
        if found is not None:
            last = (para[pos], found)


def _speaker(person: _Person, sites: list[tuple[int, int]]) -> Speaker:
    spans = sorted(set(person.mentions) | set(sites))
    if person.full_start is not None:
        first = [s for s in spans if s[0] == person.full_start]
        spans = first + [s for s in spans if s[0] != person.full_start]
    return Speaker(name=person.name, mentions=tuple(Span(s, e) for s, e in spans))
