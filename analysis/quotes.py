"""Doc -> Quote candidates: direct (in marks, split, continued, headline, labelled blocks) and indirect.

Passes, in the spirit of the Gender Gap Tracker extractor:
1. marks: pair quotation marks per paragraph (straight, curly, guillemets; single marks only at top level); an
   unbalanced mark is skipped, or runs to the paragraph end when it opens the paragraph (continued quotation);
2. syntactic: each reporting verb (``resources/reporting.toml``) with a clausal complement gives an indirect quote,
   "according to X" and "in X's opinion" give the rest of the clause, "X's suggestion that ..." the noun's clause;
3. direct attribution: a quoted span takes the nearest reporting cue of its sentence outside the marks; two spans
   around one attribution in a paragraph become one split quote; a paragraph-initial span with no cue floats (its
   speaker is resolved by ``analysis.attribution`` from the neighbouring paragraphs); short spans with no cue are
   scare quotes or titles and are dropped;
4. heuristics: ``Name "..."`` headlines and ``Name:`` interview labels;
5. de-duplication: a quoted span inside a longer indirect clause stays in it, a clause that is nearly all quotation
   becomes the direct quote, overlapping candidates keep the longer one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Token

from analysis.attribution import looks_like_person, name_run
from analysis.lexicons import load_toml
from analysis.records import SEGMENT_JOINER, Quote, Span

VERSION = "2"

OPEN_MARKS = "“«„"
CLOSE_MARKS = "”»"
STRAIGHT = '"'
MIN_INDIRECT_WORDS = 4
MAX_FRAGMENT_OUTSIDE_WORDS = 4  # a clause with this few words outside its marks is recorded as the direct fragment
MAX_SPLIT_GAP_TOKENS = 16  # "A," said X, a professor at Y. "B" -> one quote when the gap is short
_WORD = re.compile(r"\w+")
_TRAILING = " \t,.;:"
_LEADING_DROP = {"that", "but", "and", "while", "whether"}


@dataclass(frozen=True, slots=True)
class Cues:
    """Reporting cues from ``resources/reporting.toml``."""

    verbs: frozenset[str]
    weak: frozenset[str]
    np_object: frozenset[str]
    speech_nouns: frozenset[str]
    according: frozenset[str]
    opinion: frozenset[str]
    title_cues: frozenset[str]
    interviewer: frozenset[str]


@cache
def cues() -> Cues:
    """The reporting cue lists, loaded once per process."""
    data = load_toml("reporting.toml")

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data.get(key, []))

    return Cues(
        verbs=words("reporting_verbs"),
        weak=words("weak_verbs"),
        np_object=words("np_object_verbs"),
        speech_nouns=words("speech_nouns"),
        according=words("according_markers"),
        opinion=words("opinion_nouns"),
        title_cues=words("title_cues"),
        interviewer=words("interviewer_labels"),
    )


@dataclass(frozen=True, slots=True)
class Marked:
    """A span inside quotation marks: ``inner`` is the trimmed content, ``outer`` includes the marks."""

    inner: Span
    outer: Span
    closed: bool


# --------------------------------------------------------------------------------------------- pass 1: marks


def paragraphs(text: str) -> list[Span]:
    """Non-empty lines of the text (one paragraph per line in the corpus)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append(Span(pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip whitespace and a final period/comma (keep ? and !)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",."):
        if text[end - 1] == "." and end - start >= 3 and text[end - 3 : end] == "...":
            break
        end -= 1
    return start, end


def find_marked(text: str, para: Span) -> Iterator[Marked]:
    """Quoted spans of one paragraph; an unclosed span runs to the paragraph end only when it opens the paragraph."""
    open_at: int | None = None
    open_kind = ""
    i = para.start
    while i < para.end:
        c = text[i]
        prev = text[i - 1] if i > para.start else " "
        nxt = text[i + 1] if i + 1 < para.end else " "
        if open_at is None:
            if c in OPEN_MARKS or (c == STRAIGHT and not nxt.isspace()):
                open_at, open_kind = i, "d"
            elif c == "‘" and not prev.isalnum() and nxt.isalpha() and not _has_double(text, para):
                open_at, open_kind = i, "s"
        else:
            closes = False
            width = 1
            if open_kind == "d":
                if c in CLOSE_MARKS or c == STRAIGHT:
                    closes = True
                elif c == "'" and nxt == "'":
                    closes, width = True, 2
                elif c in OPEN_MARKS and not prev.isspace():
                    closes = True  # a curly opener used as a closer
                elif c in OPEN_MARKS:
                    open_at = i  # unbalanced: forget the earlier opener, keep the rest
            elif open_kind == "s" and c == "’" and not nxt.isalpha():
                closes = True
            if closes:
                s, e = _trim(text, open_at + 1, i)
                if e > s:
                    yield Marked(Span(s, e), Span(open_at, i + width), True)
                open_at = None
                i += width
                continue
        i += 1
    if open_at is not None and open_kind == "d" and text[para.start : open_at].strip() == "":
        s, e = _trim(text, open_at + 1, para.end)
        if e > s:
            yield Marked(Span(s, e), Span(open_at, para.end), False)


def _has_double(text: str, para: Span) -> bool:
    chunk = text[para.start : para.end]
    return any(m in chunk for m in OPEN_MARKS + CLOSE_MARKS + STRAIGHT)


# --------------------------------------------------------------------------------------------- helpers


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _inside(pos: int, spans: list[Marked]) -> bool:
    return any(m.outer.start <= pos < m.outer.end for m in spans)


def _is_cue_verb(tok: Token) -> bool:
    c = cues()
    return tok.lemma_.lower() in c.verbs and tok.pos_ in {"VERB", "AUX"} or (
        tok.lemma_.lower() in c.verbs and tok.tag_.startswith("VB")
    )


def subject_of(verb: Token) -> Token | None:
    """The grammatical subject of a reporting verb, climbing through participles ("..., saying ...")."""
    tok: Token | None = verb
    for _ in range(4):
        if tok is None:
            return None
        for child in tok.children:
            if child.dep_ in {"nsubj", "nsubjpass"}:
                return child
        if tok.dep_ in {"advcl", "xcomp", "conj", "pcomp", "acl"} and tok.head is not tok:
            tok = tok.head
        else:
            return None
    return None


def mention_span(tok: Token) -> Span:
    """The attribution-site text for a subject token: a name run, a pronoun, or a descriptor noun phrase."""
    doc = tok.doc
    if tok.lower_ in cues().speech_nouns:
        # "according to a statement from X": the source is the object of from/by/of
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ in {"from", "by", "of"}:
                objs = [g for g in prep.children if g.dep_ == "pobj"]
                if objs:
                    return mention_span(objs[0])
    for child in tok.children:
        # "a Russian expert, Konstantin Asmolov, said": the appositive name is the mention
        if child.dep_ == "appos" and child.pos_ == "PROPN" and tok.pos_ != "PROPN":
            run = name_run(child)
            if run:
                return Span(doc[run[0]].idx, doc[run[1] - 1].idx + len(doc[run[1] - 1].text))
    if tok.pos_ == "PROPN" or (tok.text[:1].isupper() and tok.tag_ in {"NNP", "NNPS"}):
        run = name_run(tok)
        if run:
            return Span(doc[run[0]].idx, doc[run[1] - 1].idx + len(doc[run[1] - 1].text))
    if tok.pos_ == "PRON":
        return Span(tok.idx, tok.idx + len(tok.text))
    left = tok.left_edge
    return Span(left.idx, tok.idx + len(tok.text))


def _span_text(doc: Doc, span: Span) -> str:
    return doc.text[span.start : span.end]


def _sentence_tokens(doc: Doc, span: Span) -> list[Token]:
    first = doc.char_span(span.start, span.end, alignment_mode="expand")
    if first is None or len(first) == 0:
        return []
    start = first[0].sent.start
    end = first[-1].sent.end
    return list(doc[start:end])


# --------------------------------------------------------------------------------------------- pass 2: indirect


@dataclass(frozen=True, slots=True)
class _Candidate:
    span: Span
    kind: str
    cue: Span | None
    mention: Span | None


def _clause_span(doc: Doc, head: Token, exclude: set[int], para: Span) -> Span | None:
    toks = [t for t in head.subtree if t.i not in exclude]
    if not toks:
        return None
    start_i, end_i = toks[0].i, toks[-1].i
    # keep it contiguous: stop at the first excluded token
    for t in doc[start_i : end_i + 1]:
        if t.i in exclude:
            if t.i > head.i:
                end_i = t.i - 1
                break
            start_i = t.i + 1
    while start_i <= end_i and (doc[start_i].is_punct or doc[start_i].lower_ in _LEADING_DROP) and (
        doc[start_i].text not in OPEN_MARKS + STRAIGHT
    ):
        start_i += 1
    while end_i >= start_i and doc[end_i].is_punct and doc[end_i].text not in CLOSE_MARKS + STRAIGHT + "?!)]":
        end_i -= 1
    if end_i < start_i:
        return None
    s, e = doc[start_i].idx, doc[end_i].idx + len(doc[end_i].text)
    s, e = max(s, para.start), min(e, para.end)
    s, e = _trim(doc.text, s, e)
    if e <= s or "\n" in doc.text[s:e]:
        return None
    return Span(s, e)


def _indirect(doc: Doc, para: Span) -> Iterator[_Candidate]:
    c = cues()
    span = doc.char_span(para.start, para.end, alignment_mode="expand")
    if span is None:
        return
    for tok in span:
        low = tok.lemma_.lower()
        if _is_cue_verb(tok):
            subj = subject_of(tok)
            if subj is None:
                continue
            comp = [ch for ch in tok.children if ch.dep_ == "ccomp"]
            if not comp and low in c.np_object:
                comp = [ch for ch in tok.children if ch.dep_ == "dobj"]
            for head in comp[:1]:
                exclude = {t.i for t in subj.subtree} | {tok.i}
                cl = _clause_span(doc, head, exclude, para)
                if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                    yield _Candidate(cl, "indirect", Span(tok.idx, tok.idx + len(tok.text)), mention_span(subj))
        elif tok.lower_ in c.according:
            to = [ch for ch in tok.children if ch.lower_ == "to"]
            objs = [g for t in to for g in t.children if g.dep_ == "pobj"]
            if not objs:
                continue
            head = tok.head if tok.head is not tok else tok
            exclude = {t.i for t in tok.subtree}
            cl = _clause_span(doc, head, exclude, para)
            if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                yield _Candidate(cl, "indirect", Span(tok.idx, tok.idx + len(tok.text)), mention_span(objs[0]))
        elif tok.lower_ in c.opinion and tok.head.lower_ == "in":
            owner = [ch for ch in tok.children if ch.dep_ == "poss"]
            if not owner:
                continue
            prep = tok.head
            head = prep.head if prep.head is not prep else prep
            exclude = {t.i for t in prep.subtree}
            cl = _clause_span(doc, head, exclude, para)
            if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                yield _Candidate(cl, "indirect", Span(tok.idx, tok.idx + len(tok.text)), mention_span(owner[0]))
        elif tok.lower_ in c.speech_nouns:
            owner = [ch for ch in tok.children if ch.dep_ == "poss"]
            if not owner:
                continue
            clause = [ch for ch in tok.children if ch.dep_ in {"acl", "ccomp", "relcl"} and any(
                g.lower_ == "that" and g.dep_ == "mark" for g in ch.children)]
            if not clause and tok.dep_ == "nsubj":
                clause = [ch for ch in tok.head.children if ch.dep_ in {"ccomp", "attr"} and ch.i > tok.i]
            for head in clause[:1]:
                cl = _clause_span(doc, head, {t.i for t in owner[0].subtree}, para)
                if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                    yield _Candidate(cl, "indirect", Span(tok.idx, tok.idx + len(tok.text)), mention_span(owner[0]))


# --------------------------------------------------------------------------------------------- pass 3: direct


def _cue_for(doc: Doc, m: Marked, marks: list[Marked], para: Span) -> tuple[Token, Token] | None:
    """(cue token, subject token) nearest to the quoted span within its sentence(s), outside any marks."""
    c = cues()
    best: tuple[int, Token, Token] | None = None
    for tok in _sentence_tokens(doc, m.outer):
        if tok.idx < para.start or tok.idx >= para.end or _inside(tok.idx, marks):
            continue
        subj: Token | None = None
        if _is_cue_verb(tok):
            subj = subject_of(tok)
        elif tok.lower_ in c.according:
            objs = [g for t in tok.children if t.lower_ == "to" for g in t.children if g.dep_ == "pobj"]
            subj = objs[0] if objs else None
        if subj is None or _inside(subj.idx, marks):
            continue
        dist = min(abs(tok.idx - m.outer.start), abs(tok.idx - m.outer.end))
        if best is None or dist < best[0]:
            best = (dist, tok, subj)
    return (best[1], best[2]) if best else None


def _is_title(doc: Doc, m: Marked) -> bool:
    """A quoted name of a work, label or slogan ("a book titled ...", "the so-called ...")."""
    before = doc.text[max(0, m.outer.start - 25) : m.outer.start].lower()
    words = re.findall(r"[\w\-]+", before)[-2:]
    return any(w in cues().title_cues for w in words)


def _headline_speaker(doc: Doc, m: Marked, para: Span) -> Span | None:
    """``Name "..."`` at the start of a paragraph (headline or deck)."""
    lead = doc.text[para.start : m.outer.start]
    if not lead.strip() or len(lead.split()) > 6 or any(ch in lead for ch in ".,;"):
        return None
    span = doc.char_span(para.start, m.outer.start, alignment_mode="contract")
    if span is None or len(span) == 0:
        return None
    run = name_run(span[-1])
    if run is None or not looks_like_person(doc, *run):
        return None
    return Span(doc[run[0]].idx, doc[run[1] - 1].idx + len(doc[run[1] - 1].text))


def _direct(doc: Doc, para: Span, marks: list[Marked]) -> Iterator[_Candidate]:
    prev: _Candidate | None = None
    prev_mark: Marked | None = None
    for m in marks:
        content = _span_text(doc, m.inner)
        found = _cue_for(doc, m, marks, para)
        paragraph_initial = doc.text[para.start : m.outer.start].strip() == ""
        if found is not None and not _is_title(doc, m):
            cue_tok, subj = found
            cue = Span(cue_tok.idx, cue_tok.idx + len(cue_tok.text))
            mention = mention_span(subj)
            # split quote: "A," he said. "B"  -> the second span shares the first one's attribution
            if (
                prev is not None
                and prev_mark is not None
                and prev.cue == cue
                and prev.kind == "direct"
                and _split_gap_ok(doc, prev_mark, m)
            ):
                prev = _Candidate(Span(prev.span.start, m.inner.end), "direct", cue, mention)
                yield _Candidate(m.inner, "split", cue, mention)
                prev_mark = m
                continue
            cand = _Candidate(m.inner, "direct", cue, mention)
            if _words(content) < 4 and not _governed_by(doc, m, cue_tok):
                prev, prev_mark = None, None
                continue
            yield cand
            prev, prev_mark = cand, m
            continue
        headline = _headline_speaker(doc, m, para) if not found else None
        if headline is not None:
            cand = _Candidate(m.inner, "direct", None, headline)
            yield cand
            prev, prev_mark = cand, m
            continue
        if (
            prev is not None
            and prev_mark is not None
            and prev.kind == "direct"
            and _split_gap_ok(doc, prev_mark, m)
            and _gap_has_cue(doc, prev_mark, m)
        ):
            yield _Candidate(m.inner, "split", prev.cue, prev.mention)
            prev_mark = m
            continue
        if paragraph_initial and _words(content) >= 4:
            cand = _Candidate(m.inner, "direct", None, None)  # continued or lead quote: resolved by attribution
            yield cand
            prev, prev_mark = cand, m
            continue
        prev, prev_mark = None, None


def _split_gap_ok(doc: Doc, a: Marked, b: Marked) -> bool:
    gap = doc.char_span(a.outer.end, b.outer.start, alignment_mode="contract")
    n = len(gap) if gap is not None else 0
    return a.outer.end <= b.outer.start and n <= MAX_SPLIT_GAP_TOKENS


def _gap_has_cue(doc: Doc, a: Marked, b: Marked) -> bool:
    gap = doc.char_span(a.outer.end, b.outer.start, alignment_mode="contract")
    return gap is not None and any(_is_cue_verb(t) for t in gap)


def _governed_by(doc: Doc, m: Marked, cue: Token) -> bool:
    """A short fragment counts as speech only when it sits in the reporting verb's complement."""
    span = doc.char_span(m.inner.start, m.inner.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    root = span.root
    tok: Token = root
    for _ in range(6):
        if tok is cue:
            return True
        if tok.head is tok:
            break
        tok = tok.head
    return False


# --------------------------------------------------------------------------------------------- pass 4: labels

_LABEL = re.compile(r"^\s*([A-Z][^:\n]{1,70}?)\s*:\s*(.*)$")


def _label(doc: Doc, para: Span) -> tuple[Span, Span | None] | None:
    """``Name:`` or ``NAME, ROLE:`` at a paragraph start -> (name span, rest-of-paragraph span or None)."""
    text = doc.text[para.start : para.end]
    m = _LABEL.match(text)
    if m is None:
        return None
    label = m.group(1)
    if any(w in cues().interviewer for w in re.findall(r"[a-z]+", label.lower())):
        return None
    name_part = re.split(r"[,(]", label)[0].strip()
    words = name_part.split()
    if not 1 <= len(words) <= 4 or not all(w[:1].isupper() for w in words):
        return None
    start = para.start + m.start(1)
    span = doc.char_span(start, start + len(name_part), alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    caps = name_part.isupper()
    if not caps:
        run = name_run(span[-1])
        if run is None or not looks_like_person(doc, *run):
            return None
    rest = m.group(2)
    rest_span = None
    if rest.strip():
        s, e = _trim(doc.text, para.start + m.start(2), para.end)
        rest_span = Span(s, e) if e > s else None
        if rest_span and doc.text[rest_span.start] in OPEN_MARKS + STRAIGHT:
            return None  # "Name: "..." " is a quote in marks, handled by pass 3
    return Span(span.start_char, span.end_char), rest_span


def _labelled(doc: Doc, paras: list[Span]) -> Iterator[_Candidate]:
    current: Span | None = None
    for para in paras:
        found = _label(doc, para)
        if found is not None:
            name, rest = found
            if rest is not None:
                yield _Candidate(rest, "direct", None, name)
                current = None
            else:
                current = name
            continue
        text = doc.text[para.start : para.end]
        if _LABEL.match(text) and text.rstrip().endswith(":"):
            current = None  # an interviewer label
            continue
        if current is not None:
            s, e = _trim(doc.text, para.start, para.end)
            if e > s and _words(doc.text[s:e]) >= 4:
                yield _Candidate(Span(s, e), "direct", None, current)


# --------------------------------------------------------------------------------------------- pass 5: merge


def _outside_words(doc: Doc, span: Span, marks: list[Marked]) -> int:
    text = doc.text
    pieces = []
    pos = span.start
    for m in marks:
        if m.outer.end <= span.start or m.outer.start >= span.end:
            continue
        pieces.append(text[pos : max(pos, m.outer.start)])
        pos = max(pos, m.outer.end)
    pieces.append(text[pos : span.end] if pos < span.end else "")
    return _words(" ".join(pieces))


_FIRST_PERSON = re.compile(r"\b(?:I|we|We|our|Our|us|my|My)\b")


def _first_person(text: str) -> bool:
    return bool(_FIRST_PERSON.search(text))


def _full_sentence(text: str) -> bool:
    return text[:1].isupper() and _words(text) >= 5


def find_quotes(doc: Doc) -> list[Quote]:
    """Direct and indirect quote candidates of one parsed article, in document order."""
    text = doc.text
    paras = paragraphs(text)
    out: list[Quote] = []
    for para in paras:
        marks = list(find_marked(text, para))
        direct = list(_direct(doc, para, marks))
        indirect = list(_indirect(doc, para))
        # group split parts with their head
        items: list[tuple[list[Span], _Candidate]] = []
        for cand in direct:
            if cand.kind == "split" and items:
                items[-1][0].append(cand.span)
            else:
                items.append(([cand.span], cand))
        kept_indirect: list[_Candidate] = []
        for ind in indirect:
            touching = [m for m in marks if m.outer.start < ind.span.end and ind.span.start < m.outer.end]
            inner = [m for m in touching if ind.span.start <= m.outer.start and m.outer.end <= ind.span.end]
            if len(inner) != len(touching):
                continue  # straddles a quotation: a parse of the quoted words, the direct quote carries it
            if any(_full_sentence(text[m.inner.start : m.inner.end]) for m in inner):
                continue  # a whole quoted sentence inside: the direct quote carries it
            outside = _outside_words(doc, ind.span, marks)
            quoted = sum(_words(text[m.inner.start : m.inner.end]) for m in inner)
            if len(inner) == 1 and (outside <= MAX_FRAGMENT_OUTSIDE_WORDS or quoted >= outside):
                continue  # nearly all quotation: recorded as the direct fragment
            if not inner and _first_person(text[ind.span.start : ind.span.end]) and ind.span.end <= (ind.cue or ind.span).start:
                # unmarked first-person speech before "he said" is direct speech printed without marks
                ind = _Candidate(ind.span, "direct", ind.cue, ind.mention)
            kept_indirect.append(ind)
            inner_ids = {(m.inner.start, m.inner.end) for m in inner}
            items = [it for it in items if not (len(it[0]) == 1 and (it[0][0].start, it[0][0].end) in inner_ids)]
        for segs, cand in items:
            out.append(_make(text, tuple(segs), "direct", cand))
        for ind in _dedupe(kept_indirect):
            out.append(_make(text, (ind.span,), ind.kind, ind))
    covered = [(q.start, q.end) for q in out]
    for cand in _labelled(doc, paras):
        if any(s < cand.span.end and cand.span.start < e for s, e in covered):
            continue
        out.append(_make(text, (cand.span,), "direct", cand))
    out.sort(key=lambda q: (q.start, q.end))
    return out


def _dedupe(cands: list[_Candidate]) -> list[_Candidate]:
    """Overlapping indirect candidates: keep the longer."""
    out: list[_Candidate] = []
    for c in sorted(cands, key=lambda c: -(c.span.end - c.span.start)):
        if any(c.span.start < o.span.end and o.span.start < c.span.end for o in out):
            continue
        out.append(c)
    return sorted(out, key=lambda c: c.span.start)


def _make(text: str, segs: tuple[Span, ...], kind: str, cand: _Candidate) -> Quote:
    body = SEGMENT_JOINER.join(text[s.start : s.end] for s in segs)
    return Quote(
        segments=segs,
        kind="direct" if kind == "direct" else "indirect",
        text=body,
        cue=cand.cue,
        speaker_mention=cand.mention,
    )


__all__ = ["Marked", "cues", "find_marked", "find_quotes", "mention_span", "paragraphs", "subject_of"]
