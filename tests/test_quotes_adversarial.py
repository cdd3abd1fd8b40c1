"""Quote finding and attribution stay linear on hostile input (issue 15, case 1): thousands of quotation marks,
unbalanced and mixed marks, thousands of attributed quotes. Every text here is invented for the test.

Each case asserts a time budget on quote finding + attribution (the parse is timed apart: it is spaCy's), and that
the ordinary quote beside the noise is still found with its speaker, exactly as without the noise.
"""

from __future__ import annotations

import itertools
import re
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc

from analysis.attribution import attribute
from analysis.quotes import Marked, MarkSet, find_marked, find_quotes, paragraphs
from analysis.records import Span

BUDGET_S = 3.0  # before the fix: 1,000 quoted words took 185 s, 20,000 straight marks 73 s
ORDINARY = "“The partnership is real and it will deepen next year,” said Anna Lind, a professor at Halden College."


def _parse(nlp: Language, text: str) -> Doc:
    """The full parse, with a run of marks longer than 50 characters tokenised one mark per token by hand: spaCy's
    own tokenizer is quadratic on a long run of punctuation (not the code under test here)."""
    words: list[str] = []
    spaces: list[bool] = []
    for piece in re.split(r"(\S{51,})", text):
        if len(piece) > 50 and not any(ch.isspace() for ch in piece):
            words += list(piece)
            spaces += [False] * len(piece)
        elif piece:
            made = nlp.make_doc(piece)
            words += [t.text for t in made]
            spaces += [bool(t.whitespace_) for t in made]
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    assert doc.text == text
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def _extract(nlp: Language, text: str) -> tuple[float, list[tuple[str, str | None]]]:
    doc = _parse(nlp, text)
    started = time.perf_counter()
    found = attribute(doc, find_quotes(doc))
    seconds = time.perf_counter() - started
    return seconds, [(a.quote.text, a.speaker.name if a.speaker else None) for a in found]


def _ordinary_result(nlp: Language) -> list[tuple[str, str | None]]:
    return _extract(nlp, ORDINARY)[1]


def test_ordinary_quote_is_found(nlp: Language) -> None:
    assert _ordinary_result(nlp) == [("The partnership is real and it will deepen next year", "Anna Lind")]


def test_a_thousand_short_quoted_words(nlp: Language) -> None:
    noise = "Officials listed " + ", ".join(f"“w{i}”" for i in range(1000)) + " as code words."
    seconds, found = _extract(nlp, noise + "\n" + ORDINARY)
    assert seconds < BUDGET_S, seconds
    assert found == _ordinary_result(nlp)  # short scare quotes are dropped; the real quote is untouched


def test_a_thousand_quoted_words_in_one_reported_sentence(nlp: Language) -> None:
    noise = "Kim Soo-min said " + " ".join(f'"w{i}"' for i in range(1000)) + "."
    seconds, found = _extract(nlp, noise + "\n" + ORDINARY)
    assert seconds < BUDGET_S, seconds
    assert found[-1] == _ordinary_result(nlp)[0]


def test_twenty_thousand_straight_marks(nlp: Language) -> None:
    seconds, found = _extract(nlp, '"' * 20_000 + "\n" + ORDINARY)
    assert seconds < BUDGET_S, seconds
    assert found == _ordinary_result(nlp)


def test_twenty_thousand_spaced_straight_marks(nlp: Language) -> None:
    seconds, found = _extract(nlp, " ".join('"' for _ in range(20_000)) + "\n" + ORDINARY)
    assert seconds < BUDGET_S, seconds
    assert found == _ordinary_result(nlp)


def test_unbalanced_and_mixed_marks(nlp: Language) -> None:
    marks = ["“", "”", '"', "«", "»", "‘", "’", "''", "„"]
    words = ["ties", "said", "he", "deepen", "Mr. Kim", ",", "."]
    noise = " ".join(f"{m}{w}" for m, w in zip(itertools.islice(itertools.cycle(marks), 8000),
                                              itertools.cycle(words), strict=False))
    seconds, found = _extract(nlp, noise + "\n" + ORDINARY)
    assert seconds < BUDGET_S, seconds
    assert found[-1] == _ordinary_result(nlp)[0]


def test_thousands_of_attributed_quotes(nlp: Language) -> None:
    text = "\n".join(f"“The ties will deepen in month {i},” said Anna Lind, an analyst." for i in range(1000))
    seconds, found = _extract(nlp, text)
    assert seconds < BUDGET_S, seconds
    assert len(found) == 1000 and {speaker for _, speaker in found} == {"Anna Lind"}


def test_thousands_of_continued_paragraphs(nlp: Language) -> None:
    """Paragraphs with no attribution of their own take the previous paragraph's speaker (one pass, not a rescan
    of every earlier quote per quote)."""
    text = ORDINARY + "\n" + "\n".join(f"“The second stage follows in week {i} of the plan,”" for i in range(1000))
    seconds, found = _extract(nlp, text)
    assert seconds < BUDGET_S, seconds
    assert len(found) == 1001 and {speaker for _, speaker in found} == {"Anna Lind"}


# ---------------------------------------------------------------------------------- properties

_MARK_PIECES = st.sampled_from(['"', "“", "”", "‘", "’", "«", "»", "„", "''", "'", " ", "\n", "w", "said", "Kim"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(_MARK_PIECES, min_size=200, max_size=1500))
def test_adversarial_marks_stay_within_budget(nlp: Language, pieces: list[str]) -> None:
    text = "".join(pieces) + "\n" + ORDINARY
    seconds, found = _extract(nlp, text)
    assert seconds < BUDGET_S, seconds
    assert found[-1] == _ordinary_result(nlp)[0]


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(_MARK_PIECES, max_size=300), probes=st.lists(st.integers(0, 400), max_size=20))
def test_mark_index_agrees_with_a_scan(pieces: list[str], probes: list[int]) -> None:
    """The bisection index answers as a scan over the spans would."""
    text = "".join(pieces)
    for para in paragraphs(text):
        spans: list[Marked] = list(find_marked(text, para))
        index = MarkSet.of(spans)
        assert list(index) == sorted(spans, key=lambda m: (m.outer.start, m.outer.end))
        for a, b in zip(spans, spans[1:], strict=False):
            assert a.outer.end <= b.outer.start  # disjoint, in order
        for pos in probes:
            assert index.covering(pos) == any(m.outer.start <= pos < m.outer.end for m in spans)
            end = pos + 7
            assert index.overlapping(pos, end) == [m for m in index if m.outer.start < end and pos < m.outer.end]


def test_mark_index_on_nested_spans() -> None:
    spans = [Marked(Span(1, 9), Span(0, 10), True), Marked(Span(3, 4), Span(2, 5), True),
             Marked(Span(13, 14), Span(12, 15), True)]
    index = MarkSet.of(spans)
    assert [p for p in range(17) if index.covering(p)] == [*range(10), 12, 13, 14]
    assert index.overlapping(4, 13) == spans
    assert index.overlapping(10, 12) == []
