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
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from analysis.lexicons import load_toml, word_set
from analysis.names import looks_like_person, name_run
from analysis.nlp import doc_text
from analysis.quote_marks import (
    CLOSE_MARKS,
    OPEN_MARKS,
    STRAIGHT,
    Marked,
    MarkSet,
    find_marked,
    paragraphs,
    trim,
)
from analysis.records import SEGMENT_JOINER, Quote, Span

VERSION = "15"

MIN_INDIRECT_WORDS = 4
MIN_NP_WORDS = 6  # a noun-phrase object shorter than this names an act ("highlighted the problem"), not content
MAX_FRAGMENT_OUTSIDE_WORDS = 4  # a clause with this few words outside its marks is recorded as the direct fragment
MAX_SPLIT_GAP_TOKENS = 16
MAX_INTERRUPTION_TOKENS = 9  # ", Brig. Gen. Patrick Ryder noted," fences an attribution inside a clause
MAX_NOUN_CLAUSE_GAP = 10  # "X's suggestion during his recent visit to Y that ...": words between noun and clause  # "A," said X, a professor at Y. "B" -> one quote when the gap is short
MIN_UNCUED_CLAUSE_WORDS = 8  # a quotation this long with no cue in its sentence is speech, not a scare quote
MAX_HEADLINE_LEAD_CHARS = 200  # six words of a name and title before a headline quote fit well within this
MAX_CLAUSE_TOKENS = 400  # a reported clause longer than this is a run-on parse, not one report
_WORD = re.compile(r"\w+")
_TRAILING = " \t,.;:"
_RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
_LEADING_DROP = {"that", "but", "and", "while", "whether"}


@dataclass(frozen=True, slots=True)
class Cues:
    """Reporting cues from ``resources/reporting.toml``."""

    verbs: frozenset[str]
    np_object: frozenset[str]
    speech_nouns: frozenset[str]
    according: frozenset[str]
    opinion: frozenset[str]
    stance_adjectives: frozenset[str]
    title_cues: frozenset[str]
    interviewer: frozenset[str]
    mental: frozenset[str]


@cache
def cues() -> Cues:
    """The reporting cue lists, loaded once per process."""
    data = load_toml("reporting.toml")

    def words(key: str) -> frozenset[str]:
        return word_set(data, key)

    return Cues(
        verbs=words("reporting_verbs"),
        np_object=words("np_object_verbs"),
        speech_nouns=words("speech_nouns"),
        according=words("according_markers"),
        opinion=words("opinion_nouns"),
        stance_adjectives=words("stance_adjectives"),
        title_cues=words("title_cues"),
        interviewer=words("interviewer_labels"),
        mental=words("mental_verbs"),
    )


# --------------------------------------------------------------------------------------------- helpers


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _inside(pos: int, spans: MarkSet) -> bool:
    return spans.covering(pos)


def _is_cue_verb(tok: Token) -> bool:
    c = cues()
    return tok.lemma_.lower() in c.verbs and tok.pos_ in {"VERB", "AUX"} or (
        tok.lemma_.lower() in c.verbs and tok.tag_.startswith("VB")
    )


def subject_of(verb: Token, marks: MarkSet | None = None) -> Token | None:
    """The grammatical subject of a reporting verb, climbing through participles ("..., saying ...", "was quoted
    as saying"); for "quotes X as saying" the quoted person X; a name at the paragraph start when the parse put the
    subject in another paragraph. Subjects inside quotation marks (``marks``) belong to the quoted words."""
    tok: Token | None = verb
    found: Token | None = None
    if verb.lemma_.lower() == "quote":
        # "the paper quotes X as saying": the speaker is the object
        objs = [c for c in verb.children if c.dep_ == "dobj"]
        if objs:
            return objs[0]
    for _ in range(6):
        if tok is None:
            break
        if tok.lemma_.lower() == "quote" and tok.i != verb.i:
            objs = [c for c in tok.children if c.dep_ == "dobj"]
            if objs:
                found = objs[0]
                break
        subj = [c for c in tok.children if c.dep_ in {"nsubj", "nsubjpass"} and not (marks and _inside(c.idx, marks))]
        # when the parse ran two paragraphs together, a subject in the verb's own paragraph comes first
        subj.sort(key=lambda c: not _same_paragraph(c, verb))
        if subj:
            found = subj[0]
            if found.lower_ in {"who", "that"} and tok.dep_ == "relcl" and tok.head.i != tok.i:
                # "said X, who warned ...": the relative pronoun stands for the noun it modifies; a mental verb
                # there ("X, who fears ...") is the writer's description of X, not X's words
                if tok.lemma_.lower() in cues().mental:
                    return None
                found = tok.head
            break
        if tok.dep_ in _CLIMB and tok.head.i != tok.i:
            tok = tok.head
        else:
            break
    if found is not None and not _same_paragraph(found, verb):
        found = None
    if found is None or (found.pos_ == "PROPN" and not _personish(found)):
        return _paragraph_name_before(verb) or found
    return found


_CLIMB = {"advcl", "xcomp", "conj", "pcomp", "acl", "prep", "pobj", "dobj", "npadvmod"}


def _same_paragraph(a: Token, b: Token) -> bool:
    """No line break between the two tokens (by bisection over the document's line breaks)."""
    lo, hi = (a, b) if a.i < b.i else (b, a)
    breaks = _line_breaks(a.doc)
    k = bisect_left(breaks, lo.idx)
    return not (k < len(breaks) and breaks[k] < hi.idx)


def _line_breaks(doc: Doc) -> list[int]:
    cached = doc.user_data.get("analysis.line_breaks")
    if not isinstance(cached, list):
        cached = [m.start() for m in re.finditer("\n", doc_text(doc))]
        doc.user_data["analysis.line_breaks"] = cached
    return cached


def _paragraph_name_before(verb: Token) -> Token | None:
    """The nearest person name left of the verb within its paragraph, outside quotation marks, when the verb
    directly follows that name's noun phrase (``Name, an associate fellow at X, observes that``)."""
    doc = verb.doc
    i = verb.i - 1
    depth = 0
    while i >= 0 and "\n" not in doc[i].text and "\n" not in doc[i].whitespace_:
        t = doc[i]
        if t.text in {".", "!", "?", ";"}:
            return None
        if t.text in CLOSE_MARKS + OPEN_MARKS + STRAIGHT or t.pos_ in {"VERB", "AUX"} and t.dep_ not in {"acl", "relcl"}:
            depth += 1
        if depth:
            return None
        if t.pos_ == "PROPN" and _personish(t):
            return t
        i -= 1
    return None


def _personish(tok: Token) -> bool:
    """Could this subject token name a person (pronoun, person name, definite descriptor)?"""
    low = tok.lower_
    if tok.pos_ == "PRON":
        return low in {"he", "she", "him", "her"}
    if any(c.dep_ == "appos" and c.pos_ == "PROPN" and _personish(c) for c in tok.children):
        return True  # "one of the report's authors, Lee Jong-kyu,"
    if tok.pos_ == "PROPN" or tok.tag_ in {"NNP", "NNPS"}:
        run = name_run(tok)
        return run is not None and looks_like_person(tok.doc, *run)
    if tok.lemma_.lower() in _descriptor_heads() and tok.tag_ == "NN":
        return any(c.dep_ in {"det", "poss"} and c.lower_ not in {"a", "an", "one"} for c in tok.children) or any(
            c.dep_ == "appos" for c in tok.children
        )
    return False


@cache
def _descriptor_heads() -> frozenset[str]:
    return frozenset(str(w).lower() for w in load_toml("reporting.toml").get("descriptor_nouns", []))


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
    if tok.pos_ == "PROPN" or (tok.text[:1].isupper() and tok.pos_ not in {"PRON", "DET", "NOUN"}):
        run = name_run(tok)
        if run:
            return Span(doc[run[0]].idx, doc[run[1] - 1].idx + len(doc[run[1] - 1].text))
    if tok.pos_ == "PRON":
        return Span(tok.idx, tok.idx + len(tok.text))
    left = tok.left_edge
    if left.i < tok.i and (left.pos_ == "PROPN" or left.text[:1].isupper()):
        # "X, spokesperson for Y, said" parsed with the title as head: the name before the comma is the mention
        run = name_run(left)
        if run and run[0] == left.i and run[1] < tok.i and doc[run[1]].text == "," and looks_like_person(doc, *run):
            return Span(doc[run[0]].idx, doc[run[1] - 1].idx + len(doc[run[1] - 1].text))
    return Span(left.idx, tok.idx + len(tok.text))


def _span_text(doc: Doc, span: Span) -> str:
    return doc_text(doc)[span.start : span.end]


def _sentence_starts(doc: Doc) -> list[int]:
    """Token index of each sentence start, found once per document (``Token.sent`` walks the sentence on every
    call, which is quadratic when called for every token of a long sentence)."""
    cached = doc.user_data.get("analysis.sent_starts")
    if not isinstance(cached, list):
        cached = [s.start for s in doc.sents]
        doc.user_data["analysis.sent_starts"] = cached
    return cached


def _sent_of(tok: Token) -> SpacySpan:
    """``tok.sent`` by bisection over the cached sentence starts."""
    doc = tok.doc
    starts = _sentence_starts(doc)
    k = max(0, bisect_right(starts, tok.i) - 1)
    end = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return doc[starts[k] if starts else 0 : end]


def _sentence_chars(doc: Doc, span: Span) -> tuple[int, int] | None:
    """Character range of the sentence(s) a span touches."""
    first = doc.char_span(span.start, span.end, alignment_mode="expand")
    if first is None or len(first) == 0:
        return None
    return _sent_of(first[0]).start_char, _sent_of(first[-1]).end_char


# --------------------------------------------------------------------------------------------- pass 2: indirect


@dataclass(frozen=True, slots=True)
class _Candidate:
    span: Span
    kind: str
    cue: Span | None
    mention: Span | None
    segments: tuple[Span, ...] = ()  # when a reported clause continues after the attribution


def _contentful_np(np: Token) -> bool:
    """A noun phrase that states content: long, and with an "of"/"between" complement or a clause."""
    if sum(1 for _ in np.subtree) < MIN_NP_WORDS:
        return False
    return any(
        (c.dep_ == "prep" and c.lower_ in {"of", "between", "about", "on", "in", "over"}) or c.dep_ in {"acl", "relcl"}
        for c in np.subtree
        if c.head.i == np.i or c.head.head.i == np.i
    )


def _inverted_clause(doc: Doc, verb: Token, subj: Token, para: Span) -> Span | None:
    """"CLAUSE, X noted." when the parse gave the verb no clausal complement: the text before ", X"."""
    sent = _sent_of(verb)
    if subj.i >= verb.i or subj.left_edge.i - 1 <= sent.start:
        return None
    comma = doc[subj.left_edge.i - 1]
    # a deck line without a full stop runs into the next paragraph in the parse: stop at the paragraph end
    if comma.text != "," or not _only_adverbs_after(doc, verb, sent.end, para.end):
        return None
    start = max(sent.start_char, para.start)
    s, e = trim(doc_text(doc), start, comma.idx)
    if e <= s or "\n" in doc_text(doc)[s:e] or _words(doc_text(doc)[s:e]) < MIN_INDIRECT_WORDS:
        return None
    return Span(s, e)


def _only_adverbs_after(doc: Doc, verb: Token, sent_end: int, para_end: int) -> bool:
    """Nothing but adverbs and punctuation follow the verb up to the sentence or paragraph end (stops at the first
    other word, so a long sentence costs nothing)."""
    for t in doc[verb.i + 1 : sent_end]:
        if t.idx >= para_end:
            break
        if not (t.is_punct or t.is_space) and t.dep_ not in {"npadvmod", "advmod"}:
            return False
    return True


def _previous_sentence(doc: Doc, tok: Token, para: Span) -> Span | None:
    sent = _sent_of(tok)
    if sent.start == 0:
        return None
    before = _sent_of(doc[sent.start - 1])
    s, e = trim(doc_text(doc), max(before.start_char, para.start), min(before.end_char, para.end))
    if e <= s or "\n" in doc_text(doc)[s:e] or _words(doc_text(doc)[s:e]) < MIN_INDIRECT_WORDS:
        return None
    return Span(s, e)


def _continued_clause(doc: Doc, verb: Token, comp: Token, para: Span) -> Span | None:
    """"CLAUSE, he said, but CLAUSE2": the second clause, coordinated with the verb, continues the report."""
    if comp.i > verb.i:
        return None
    for ch in verb.children:
        if ch.dep_ == "conj" and ch.i > verb.i and any(g.dep_ in {"nsubj", "nsubjpass"} for g in ch.children):
            if not any(g.dep_ == "cc" for g in verb.children if verb.i < g.i < ch.i):
                continue
            first = next(g for g in ch.subtree)
            if first.i - verb.i > 4:
                continue
            return _clause_span(doc, ch, {g.i for g in verb.children if g.dep_ == "cc"}, para)
    return None


def _interrupted_clause(doc: Doc, verb: Token, para: Span) -> tuple[Span, ...] | None:
    """"Official trade, he said, was small.": the clause around a short comma-fenced attribution, as the part before
    and the part after it."""
    left, right = verb.left_edge, verb.right_edge
    if left.text != "," and left.i > 0:
        left = doc[left.i - 1]  # the parse may hang the opening comma on the clause
    if right.text != "," and right.i + 1 < len(doc):
        right = doc[right.i + 1]
    if left.text != "," or right.text != "," or right.i - left.i > MAX_INTERRUPTION_TOKENS:
        return None
    if any(t.dep_ in {"ccomp", "xcomp", "dobj"} for t in verb.children):
        return None
    whole = _clause_span(doc, verb.head, set(), para)
    if whole is None or not whole.start < left.idx or not right.idx + 1 < whole.end:
        return None
    text = doc_text(doc)
    first = trim(text, whole.start, left.idx)
    second = trim(text, right.idx + 1, whole.end)
    if first[1] <= first[0] or second[1] <= second[0]:
        return None
    marks = OPEN_MARKS + CLOSE_MARKS + STRAIGHT
    if text[first[1] - 1] in marks or text[second[0]] in marks:
        return None  # '"A," he said, "B"' is a split direct quote, found by the marks pass
    if _words(text[first[0] : first[1]]) + _words(text[second[0] : second[1]]) < MIN_INDIRECT_WORDS:
        return None
    if text[first[0] : first[1]].lower() in _RELATIVE_PRONOUNS:
        return (Span(*second),)  # "troops who, he said, had fought": the report is the relative clause's predicate
    return Span(*first), Span(*second)


def _clause_span(doc: Doc, head: Token, exclude: set[int], para: Span) -> Span | None:
    if head.right_edge.i - head.left_edge.i >= MAX_CLAUSE_TOKENS:
        return None
    exclude = set(exclude)
    for t in head.subtree:
        # ", noting that ...", "and adding ...": a second report inside the clause is its own quote
        if t.i in exclude:
            continue  # already cut out with an enclosing report (keeps nested reports linear)
        if t.i != head.i and t.i > head.i and t.dep_ in {"advcl", "conj"} and _is_cue_verb(t) and t.tag_ == "VBG":
            exclude.update(g.i for g in t.subtree)
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
    s, e = trim(doc_text(doc), s, e)
    if e <= s or "\n" in doc_text(doc)[s:e]:
        return None
    return Span(s, e)


def _indirect(doc: Doc, para: Span, marks: MarkSet) -> Iterator[_Candidate]:
    c = cues()
    span = doc.char_span(para.start, para.end, alignment_mode="expand")
    if span is None:
        return
    for tok in span:
        low = tok.lemma_.lower()
        if _is_cue_verb(tok):
            if _inside(tok.idx, marks):
                continue
            subj = subject_of(tok, marks)
            if subj is None:
                continue
            cue = Span(tok.idx, tok.idx + len(tok.text))
            comp = [ch for ch in tok.children if ch.dep_ == "ccomp" and para.start <= ch.idx < para.end]
            if not comp and low in c.np_object:
                # "suggested the possibility of ...": a noun phrase long enough to carry content
                comp = [ch for ch in tok.children if ch.dep_ == "dobj" and _contentful_np(ch)]
                for np in comp[:1]:
                    np_end = np.right_edge.idx + len(np.right_edge.text)
                    sent_end = _sent_of(tok).end_char
                    colon = doc_text(doc).find(":", np_end, sent_end)
                    if colon >= 0 and marks.last_start_before(sent_end) > colon:
                        comp = []  # "highlighted the problem ...: “quote”": an act summarised, the quote is the content
            # the subject's words are not content; when the subject is the noun a relative clause modifies ("X, who
            # warned that ..."), the verb's own subtree is the report and stays in
            own = {t.i for t in tok.subtree} if subj.i < tok.i <= subj.right_edge.i else set()
            exclude = ({t.i for t in subj.subtree} - own) | {tok.i}
            if not comp and tok.dep_ == "advcl" and any(ch.lower_ == "as" and ch.dep_ == "mark" for ch in tok.children):
                # "As X pointed out, CLAUSE": the main clause is the content
                cl = _clause_span(doc, tok.head, {t.i for t in tok.subtree}, para)
                if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                    yield _Candidate(cl, "indirect", cue, mention_span(subj))
                continue
            if not comp and subj.lower_ in {"this", "that"} and subj.dep_ == "nsubjpass":
                # "This was stated by X": the content is the preceding sentence of the paragraph
                agent = [g for ch in tok.children if ch.dep_ == "agent" for g in ch.children if g.dep_ == "pobj"]
                prev = _previous_sentence(doc, tok, para)
                if agent and prev is not None:
                    yield _Candidate(prev, "indirect", cue, mention_span(agent[0]))
                continue
            if not comp and tok.dep_ == "parataxis" and tok.head.i > tok.i:
                # "PART, he said, REST.": an attribution interrupting the reported clause, two segments
                segs2 = _interrupted_clause(doc, tok, para)
                if segs2 is not None:
                    yield _Candidate(Span(segs2[0].start, segs2[-1].end), "indirect", cue, mention_span(subj), segs2)
                continue
            if not comp and tok.dep_ == "parataxis" and tok.head.i < tok.i:
                # "CLAUSE, he said, but CLAUSE2": the parse hangs the verb off the reported clause
                head = tok.head
                after = [c for c in head.children if c.i > tok.i and c.dep_ in {"conj", "cc", "punct"}]
                cl = _clause_span(doc, head, {t.i for t in tok.subtree} | {t.i for c in after for t in c.subtree}, para)
                if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                    conj = [c for c in after if c.dep_ == "conj" and any(g.dep_ == "nsubj" for g in c.children)]
                    second = _clause_span(doc, conj[0], set(), para) if conj else None
                    segs = (cl,) if second is None else (cl, second)
                    yield _Candidate(cl, "indirect", cue, mention_span(subj), segs)
                continue
            if not comp:
                inverted = _inverted_clause(doc, tok, subj, para)
                if inverted is not None:
                    yield _Candidate(inverted, "indirect", cue, mention_span(subj))
                continue
            for head in comp[:1]:
                cl = _clause_span(doc, head, exclude, para)
                if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                    second = _continued_clause(doc, tok, head, para)
                    segs = (cl,) if second is None else (cl, second)
                    yield _Candidate(cl, "indirect", cue, mention_span(subj), segs)
        elif tok.lemma_.lower() in c.stance_adjectives and tok.dep_ == "acomp":
            # "X was skeptical (that) a deal could be struck": the adjective's clause is the content
            subj = subject_of(tok.head)
            comp = [ch for ch in tok.children if ch.dep_ in {"ccomp", "advcl"} and ch.i > tok.i]
            if subj is None or not comp:
                continue
            cl = _clause_span(doc, comp[0], {t.i for t in subj.subtree}, para)
            if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                yield _Candidate(cl, "indirect", Span(tok.idx, tok.idx + len(tok.text)), mention_span(subj))
        elif tok.lower_ in c.according:
            to = [ch for ch in tok.children if ch.lower_ == "to"]
            objs = [g for t in to for g in t.children if g.dep_ == "pobj"]
            if not objs:
                continue
            head = tok.head
            exclude = {t.i for t in tok.subtree}
            cl = _clause_span(doc, head, exclude, para)
            if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                yield _Candidate(cl, "indirect", Span(tok.idx, tok.idx + len(tok.text)), mention_span(objs[0]))
        elif tok.lower_ in c.opinion and tok.head.lower_ == "in":
            owner = [ch for ch in tok.children if ch.dep_ == "poss"]
            if not owner:
                continue
            prep = tok.head
            head = prep.head
            exclude = {t.i for t in prep.subtree}
            cl = _clause_span(doc, head, exclude, para)
            if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                yield _Candidate(cl, "indirect", Span(tok.idx, tok.idx + len(tok.text)), mention_span(owner[0]))
        elif tok.lower_ in c.speech_nouns:
            owner = [ch for ch in tok.children if ch.dep_ == "poss"]
            possessive = bool(owner)
            if not owner:
                # "the suggestion by X that ...", "the warning of X that ...": only a named person
                owner = [g for ch in tok.children if ch.dep_ == "prep" and ch.lower_ in {"by", "of", "from"}
                         for g in ch.children if g.dep_ == "pobj" and g.pos_ == "PROPN" and _personish(g)]
            if not owner or _adjunct_of_person_report(tok):
                continue
            clause = [ch for ch in tok.children if ch.dep_ in {"acl", "ccomp", "relcl"} and any(
                g.lower_ == "that" and g.dep_ == "mark" for g in ch.children)]
            if not clause and possessive and tok.dep_ == "nsubj":
                clause = [ch for ch in tok.head.children if ch.dep_ in {"ccomp", "attr"} and ch.i > tok.i]
            if not clause:
                clause = _detached_that_clause(tok)
            for head in clause[:1]:
                cl = _clause_span(doc, head, {t.i for t in owner[0].subtree}, para)
                if cl and _words(_span_text(doc, cl)) >= MIN_INDIRECT_WORDS:
                    yield _Candidate(cl, "indirect", Span(tok.idx, tok.idx + len(tok.text)), mention_span(owner[0]))


def _adjunct_of_person_report(noun: Token) -> bool:
    """"Y said in response to X's remarks that ...": the speech noun sits in a prepositional adjunct of a person's
    reporting verb, so a following that-clause is Y's report, not X's."""
    tok = noun
    while tok.dep_ in {"pobj", "prep"} and tok.head.i != tok.i:
        tok = tok.head
        if tok.pos_ in {"VERB", "AUX"}:
            return _is_cue_verb(tok) and any(
                g.dep_ in {"nsubj", "nsubjpass"} and _personish(g) for g in tok.children)
    return False


def _detached_that_clause(noun: Token) -> list[Token]:
    """"X's suggestion during his visit that CLAUSE": the parse hangs the that-clause on a noun of an intervening
    prepositional phrase; take it when only a noun-phrase stretch (no verb, no clause break) separates the two."""
    doc = noun.doc
    sent_end = _sent_of(noun).end
    for t in doc[noun.i + 1 : min(sent_end, noun.i + MAX_NOUN_CLAUSE_GAP + 1)]:
        if t.pos_ in {"VERB", "AUX"} or t.text in {";", ":", ".", "?", "!", "(", ")"} or "\n" in t.whitespace_:
            return []
        if t.text in OPEN_MARKS + CLOSE_MARKS + STRAIGHT:
            return []
        if t.lower_ == "that" and t.dep_ == "mark":
            head = t.head
            host = head.head
            # on a noun between the two, or on the verb governing the speech noun ("expressed concern over X's
            # suggestion ... that"), unless that verb reports a person's own words ("Y said, replying to X's
            # remarks, that ...": the clause is Y's)
            attached = noun.i <= host.i < t.i or (host.i < noun.i and host in noun.ancestors)
            has_subject = any(g.dep_ in {"nsubj", "nsubjpass"} for g in head.children)
            if head.i > t.i and head.dep_ in {"acl", "ccomp", "advcl", "relcl"} and attached and has_subject:
                return [head]
            return []
    return []


# --------------------------------------------------------------------------------------------- pass 3: direct


@dataclass(frozen=True, slots=True)
class _CueSites:
    """Reporting cues of one paragraph outside its marks, with their subjects, sorted by offset: computed once per
    paragraph, so each quoted span finds its nearest cue by bisection (not by re-reading its sentence)."""

    offsets: tuple[int, ...]
    sites: tuple[tuple[Token, Token], ...]

    def nearest(self, m: Marked, lo: int, hi: int) -> tuple[int, int, tuple[Token, Token]] | None:
        """(distance, offset, site) of the cue nearest to the span within [lo, hi); the earlier one on a tie."""
        best: tuple[int, int, tuple[Token, Token]] | None = None
        k = bisect_left(self.offsets, m.outer.start) - 1
        if k >= 0 and self.offsets[k] >= lo:
            best = (m.outer.start - self.offsets[k], self.offsets[k], self.sites[k])
        k = bisect_left(self.offsets, m.outer.end)
        if k < len(self.offsets) and self.offsets[k] < hi:
            dist = self.offsets[k] - m.outer.end
            if best is None or dist < best[0]:
                best = (dist, self.offsets[k], self.sites[k])
        return best


def _cue_sites(doc: Doc, marks: MarkSet, para: Span) -> tuple[_CueSites, _CueSites]:
    """(cues whose subject may name a person, the others) of a paragraph."""
    c = cues()
    person: list[tuple[int, tuple[Token, Token]]] = []
    other: list[tuple[int, tuple[Token, Token]]] = []
    span = doc.char_span(para.start, para.end, alignment_mode="expand")
    for tok in span if span is not None else ():
        if tok.idx < para.start or tok.idx >= para.end or _inside(tok.idx, marks):
            continue
        subj: Token | None = None
        if _is_cue_verb(tok):
            subj = subject_of(tok, marks)
        elif tok.lower_ in c.according:
            objs = [g for t in tok.children if t.lower_ == "to" for g in t.children if g.dep_ == "pobj"]
            subj = objs[0] if objs else None
        if subj is None or _inside(subj.idx, marks):
            continue
        (person if _personish(subj) else other).append((tok.idx, (tok, subj)))
    return (_CueSites(tuple(o for o, _ in person), tuple(x for _, x in person)),
            _CueSites(tuple(o for o, _ in other), tuple(x for _, x in other)))


def _cue_for(doc: Doc, m: Marked, sites: tuple[_CueSites, _CueSites], para: Span) -> tuple[Token, Token] | None:
    """(cue token, subject token) nearest to the quoted span within its sentence(s), outside any marks; an
    organisation or unnamed source only when no person is cited (or the person is 10,000 characters further)."""
    bounds = _sentence_chars(doc, m.outer)
    if bounds is None:
        return None
    lo, hi = max(bounds[0], para.start), min(bounds[1], para.end)
    person = sites[0].nearest(m, lo, hi)
    other = sites[1].nearest(m, lo, hi)
    if other is not None:
        other = (other[0] + 10_000, other[1], other[2])
    found = min((x for x in (person, other) if x is not None), key=lambda x: (x[0], x[1]), default=None)
    return found[2] if found else None


def _is_title(doc: Doc, m: Marked) -> bool:
    """A quoted name of a work, label or slogan ("a book titled ...", "the so-called ...")."""
    before = doc_text(doc)[max(0, m.outer.start - 25) : m.outer.start].lower()
    words = re.findall(r"[\w\-]+", before)[-2:]
    return any(w in cues().title_cues for w in words)


def _headline_speaker(doc: Doc, m: Marked, para: Span) -> Span | None:
    """``Name "..."`` at the start of a paragraph (headline or deck)."""
    if m.outer.start - para.start > MAX_HEADLINE_LEAD_CHARS:
        return None
    lead = doc_text(doc)[para.start : m.outer.start]
    if not lead.strip() or len(lead.split()) > 6 or any(ch in lead for ch in ".,;"):
        return None
    span = doc.char_span(para.start, m.outer.start, alignment_mode="contract")
    if span is None or len(span) == 0:
        return None
    run = name_run(span[-1])
    if run is None or not looks_like_person(doc, *run):
        return None
    return Span(doc[run[0]].idx, doc[run[1] - 1].idx + len(doc[run[1] - 1].text))


def _direct(doc: Doc, para: Span, marks: MarkSet) -> Iterator[_Candidate]:
    prev: _Candidate | None = None
    prev_mark: Marked | None = None
    sites = _cue_sites(doc, marks, para)
    text = doc_text(doc)
    first_char = para.start + len(text[para.start : para.end]) - len(text[para.start : para.end].lstrip())
    for k, m in enumerate(marks):
        content = _span_text(doc, m.inner)
        found = _cue_for(doc, m, sites, para)
        paragraph_initial = m.outer.start <= first_char
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
            if mention.start < m.outer.end and m.outer.start < mention.end:
                prev, prev_mark = None, None
                continue  # the quoted words are the source's own name ("according to the broadcaster “X”")
            if _words(content) < 4 and not _governed_by(doc, m, cue_tok) and not _opens_split(doc, m, marks, k, cue):
                prev, prev_mark = None, None
                continue
            yield cand
            prev, prev_mark = cand, m
            continue
        headline = _headline_speaker(doc, m, para) if not found and _words(content) >= 3 else None
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
        if (paragraph_initial and _words(content) >= 4) or (
            _words(content) >= MIN_UNCUED_CLAUSE_WORDS and not _is_title(doc, m)
        ):
            # continued or lead quote, or a clause-long quotation with no cue in its sentence ("Under the deal,
            # “...”"): its speaker is the one of the neighbouring attribution, resolved by analysis.attribution
            cand = _Candidate(m.inner, "direct", None, None)
            yield cand
            prev, prev_mark = cand, m
            continue
        prev, prev_mark = None, None


def _opens_split(doc: Doc, m: Marked, marks: MarkSet, k: int, cue: Span) -> bool:
    """'“In short,” he said, “...”': a short span closed by a comma, whose attribution is followed by more quoted
    words, is the first part of a split quote, not a scare quote."""
    text = doc_text(doc)
    if "," not in text[m.inner.end : m.outer.end]:
        return False
    nxt = next((marks.items[j] for j in range(k + 1, len(marks)) if marks.items[j].outer.start >= m.outer.end), None)
    return nxt is not None and m.outer.end <= cue.start and cue.end <= nxt.outer.start and _split_gap_ok(doc, m, nxt)


def _split_gap_ok(doc: Doc, a: Marked, b: Marked) -> bool:
    if a.outer.end > b.outer.start:
        return False
    gap = doc.char_span(a.outer.end, b.outer.start, alignment_mode="contract")
    n = len(gap) if gap is not None else 0
    return n <= MAX_SPLIT_GAP_TOKENS


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
        if tok.i == cue.i:
            return True
        if tok.head.i == tok.i:
            break
        tok = tok.head
    return False


# --------------------------------------------------------------------------------------------- pass 4: labels

_LABEL = re.compile(r"^\s*([A-Z][^:\n]{1,70}?)\s*:\s*(.*)$")


@dataclass(frozen=True, slots=True)
class _Label:
    name: Span
    rest: Span | None  # the speech on the label's own line (transcripts), None for a label line
    interviewer: bool


def _label(doc: Doc, para: Span) -> _Label | None:
    """``Name:`` on its own line, or ``NAME, ROLE: speech`` in an all-caps transcript, at a paragraph start."""
    text = doc_text(doc)[para.start : para.end]
    m = _LABEL.match(text)
    if m is None:
        return None
    label = m.group(1)
    name_part, *role = re.split(r"[,(]", label, maxsplit=1)
    name_part = name_part.strip()
    if role and len(role[0].split()) > 6:
        return None
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
    interviewer = any(w in cues().interviewer for w in re.findall(r"[a-z]+", label.lower()))
    name = Span(span.start_char, span.end_char)
    rest = m.group(2)
    if not rest.strip():
        return _Label(name, None, interviewer)
    if not caps:
        return None  # "President X: ..." in title case is a headline, not a transcript line
    s, e = trim(doc_text(doc), para.start + m.start(2), para.end)
    if e <= s or _words(doc_text(doc)[s:e]) < 4 or doc_text(doc)[s] in OPEN_MARKS + STRAIGHT:
        return None  # too short, or a quote in marks handled by pass 3
    return _Label(name, Span(s, e), interviewer)


def _labelled(doc: Doc, paras: list[Span]) -> Iterator[_Candidate]:
    """Speech under ``Name:`` labels (interviews, transcripts); the interviewer's lines are the outlet's voice."""
    current: Span | None = None
    interviewers: set[str] = set()
    for para in paras:
        found = _label(doc, para)
        if found is not None:
            words = set(doc_text(doc)[found.name.start : found.name.end].lower().split())
            if found.interviewer or words & interviewers:
                interviewers |= words
                current = None
            elif found.rest is not None:
                yield _Candidate(found.rest, "direct", None, found.name)
                current = None
            else:
                current = found.name
            continue
        if current is not None:
            s, e = trim(doc_text(doc), para.start, para.end)
            if e > s and _words(doc_text(doc)[s:e]) >= 4:
                yield _Candidate(Span(s, e), "direct", None, current)


# --------------------------------------------------------------------------------------------- pass 5: merge


def _outside_words(doc: Doc, span: Span, marks: MarkSet) -> int:
    text = doc_text(doc)
    pieces = []
    pos = span.start
    for m in marks.overlapping(span.start, span.end):
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
    text = doc_text(doc)
    paras = paragraphs(text)
    out: list[Quote] = []
    for para in paras:
        marks = MarkSet.of(find_marked(text, para))
        direct = list(_direct(doc, para, marks))
        indirect = list(_indirect(doc, para, marks))
        # group split parts with their head
        items: list[tuple[list[Span], _Candidate]] = []
        for cand in direct:
            if cand.kind == "split" and items:
                items[-1][0].append(cand.span)
            else:
                items.append(([cand.span], cand))
        kept_indirect: list[_Candidate] = []
        for ind in indirect:
            touching = marks.overlapping(ind.span.start, ind.span.end)
            inner = [m for m in touching if ind.span.start <= m.outer.start and m.outer.end <= ind.span.end]
            after = text[ind.span.end : ind.span.end + 4].lstrip(" :,\u2014-")
            if after[:1] in OPEN_MARKS + STRAIGHT:
                continue  # a lead-in to a quotation ("X highlighted the problem: “...”")
            if len(inner) != len(touching):
                continue  # straddles a quotation: a parse of the quoted words, the direct quote carries it
            if any(_full_sentence(text[m.inner.start : m.inner.end]) for m in inner):
                continue  # a whole quoted sentence inside: the direct quote carries it
            outside = _outside_words(doc, ind.span, marks)
            quoted = sum(_words(text[m.inner.start : m.inner.end]) for m in inner)
            # a fragment closing the sentence with the full stop inside its marks stands for the whole report
            ends_clause = (
                bool(inner)
                and text[inner[-1].outer.end : ind.span.end].strip(" .,;:") == ""
                and any(ch in ".?!," for ch in text[inner[-1].inner.end : inner[-1].outer.end])
            )
            if len(inner) == 1 and (outside <= MAX_FRAGMENT_OUTSIDE_WORDS or quoted >= outside or ends_clause):
                continue  # the quoted words are the whole complement: recorded as the direct fragment
            if not inner and _first_person(text[ind.span.start : ind.span.end]) and ind.span.end <= (ind.cue or ind.span).start:
                # unmarked first-person speech before "he said" is direct speech printed without marks
                ind = _Candidate(ind.span, "direct", ind.cue, ind.mention, ind.segments)
            kept_indirect.append(ind)
        covers = _Coverage([ind.span for ind in kept_indirect])
        items = [it for it in items if not covers.contains(it[0][0].start, max(seg.end for seg in it[0]))]
        for segs, cand in items:
            out.append(_make(text, tuple(segs), "direct", cand))
        for ind in _dedupe(doc, kept_indirect):
            out.append(_make(text, ind.segments or (ind.span,), ind.kind, ind))
    covered = sorted((q.start, q.end) for q in out)
    covered_starts = [s for s, _ in covered]
    para_starts = [p.start for p in paras]
    for cand in _labelled(doc, paras):
        size = cand.span.end - cand.span.start
        # every quote lies within one paragraph, and a labelled candidate is a paragraph's speech: only the quotes
        # starting in its paragraph can overlap it
        para_start = para_starts[max(0, bisect_right(para_starts, cand.span.start) - 1)]
        lo, hi = bisect_left(covered_starts, para_start), bisect_left(covered_starts, cand.span.end)
        overlap = sum(max(0, min(e, cand.span.end) - max(s, cand.span.start)) for s, e in covered[lo:hi])
        if overlap * 2 > size:
            continue
        out.append(_make(text, (cand.span,), "direct", cand))
    out.sort(key=lambda q: (q.start, q.end))
    return out


class _Coverage:
    """Does one of these spans contain [start, end)? By bisection over the starts with a running maximum of the
    ends."""

    def __init__(self, spans: Iterable[Span]) -> None:
        ordered = sorted((s.start, s.end) for s in spans)
        self.starts = [s for s, _ in ordered]
        self.max_ends: list[int] = []
        for _, e in ordered:
            self.max_ends.append(max(self.max_ends[-1], e) if self.max_ends else e)

    def contains(self, start: int, end: int) -> bool:
        k = bisect_right(self.starts, start) - 1
        return k >= 0 and self.max_ends[k] >= end


def _dedupe(doc: Doc, cands: list[_Candidate]) -> list[_Candidate]:
    """Overlapping indirect candidates: prefer one attributed to a person, then the longer."""
    def rank(c: _Candidate) -> tuple[bool, int]:
        span = doc.char_span(c.mention.start, c.mention.end, alignment_mode="expand") if c.mention else None
        person = span is not None and len(span) > 0 and _personish(span[-1])
        return (not person, -(c.span.end - c.span.start))

    out: list[_Candidate] = []
    # the kept spans are disjoint, so sorted by start their ends are sorted too: the one kept span that could
    # overlap a candidate is the last one starting before the candidate's end
    starts: list[int] = []
    ends: list[int] = []
    for c in sorted(cands, key=rank):
        k = bisect_left(starts, c.span.end)
        if k > 0 and ends[k - 1] > c.span.start:
            continue
        starts.insert(k, c.span.start)
        ends.insert(k, c.span.end)
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
