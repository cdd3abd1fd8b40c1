"""Long bodies (issue 15, case 2): parsed in paragraph-aligned chunks into ONE Doc whose text is the body, so
offsets stay exact and spaCy's max_length (E088) never loses a batch; a text the parser fails on loses only
itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from spacy.language import Language

from analysis import executors
from analysis.nlp import chunk_bounds, parse_stream, parse_text
from analysis.pipeline import analyze
from analysis.records import Article

QUOTE_A = '"The ferry link will carry more freight every year," said Mara Quill, an analyst at the Tidewater Institute.'
QUOTE_B = '"The fuel deal will not last the winter," said Oskar Brandt, a researcher at Northgate University.'
PARAGRAPH = "Ministers met again in the port city to discuss rail links, fuel and fishing rights this season."


def article(name: str, text: str) -> Article:
    return Article(id=name, name=name, text=text)


@pytest.fixture()
def small_max_length(nlp: Language) -> Iterator[int]:
    """The session pipeline with max_length lowered to 3,000, so a 20,000-character body is "over the limit"
    exactly as a 1,000,001-character one is with the default (same E088 code path, a fraction of the time)."""
    before = nlp.max_length
    nlp.max_length = 3000
    try:
        yield nlp.max_length
    finally:
        nlp.max_length = before


def test_body_over_max_length_is_analysed_with_exact_offsets(nlp: Language, small_max_length: int) -> None:
    body = QUOTE_A + "\n\n" + "\n\n".join([PARAGRAPH] * 200) + "\n\n" + QUOTE_B + "\n"
    assert len(body) > 6 * small_max_length
    with pytest.raises(ValueError, match="E088"):
        nlp(body)  # what used to stop the batch
    results = list(analyze([article("short-1", QUOTE_A), article("long", body), article("short-2", QUOTE_B)], nlp))
    assert [r.article.name for r in results] == ["short-1", "long", "short-2"]
    long_quotes = results[1].quotes
    assert [q.speaker.name for q in long_quotes] == ["Mara Quill", "Oskar Brandt"]
    for q in long_quotes:
        for seg in q.quote.segments:
            assert body[seg.start : seg.end] in q.quote.text
    assert long_quotes[-1].quote.start > len(body) - len(QUOTE_B) - 1


def test_the_real_limit_of_a_million_characters(nlp: Language) -> None:
    """The default max_length itself: a 1,000,200-character body (whitespace padding keeps the parse cheap)."""
    body = QUOTE_A + "\n\n" + (" " * 499 + "\n") * 2000 + QUOTE_B + "\n"
    assert len(body) > nlp.max_length
    [result] = list(analyze([article("long", body)], nlp))
    assert [q.speaker.name for q in result.quotes] == ["Mara Quill", "Oskar Brandt"]
    last = result.quotes[-1].quote
    assert last.start > 1_000_000 and body[last.start : last.end] == last.text


def test_chunk_bounds_prefer_paragraph_breaks() -> None:
    text = ("a" * 50 + "\n\n") * 10
    bounds = chunk_bounds(text, 120)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(b[1] == n[0] for b, n in zip(bounds, bounds[1:], strict=False))
    assert all(text[end - 2 : end] == "\n\n" for _, end in bounds[:-1])
    assert chunk_bounds("x" * 250, 100) == [(0, 100), (100, 200), (200, 250)]  # no break at all: hard cuts


def test_parse_text_reproduces_the_body(nlp: Language, small_max_length: int) -> None:
    body = "\n\n".join([PARAGRAPH] * 80) + "  trailing  "
    doc = parse_text(nlp, body)
    assert doc.text == body and len(list(doc.sents)) >= 80


def test_a_text_the_parser_fails_on_loses_only_itself(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    real_call = type(nlp).__call__

    def failing(self: Language, text: str, *args: object, **kwargs: object) -> object:
        if "POISON" in text:
            raise RuntimeError("parser failed")
        return real_call(self, text, *args, **kwargs)

    real_pipe = type(nlp).pipe

    def pipe(self: Language, texts: object, *args: object, **kwargs: object) -> object:
        texts = list(texts)  # type: ignore[call-overload]
        if any("POISON" in (t[0] if isinstance(t, tuple) else t) for t in texts):
            raise RuntimeError("batch failed")
        return real_pipe(self, texts, *args, **kwargs)

    monkeypatch.setattr(type(nlp), "__call__", failing)
    monkeypatch.setattr(type(nlp), "pipe", pipe)
    items = [(QUOTE_A, "a"), ("POISON text", "bad"), (QUOTE_B, "b")]
    outcome = [(type(doc).__name__, ctx) for doc, ctx in parse_stream(nlp, items, batch_size=3)]
    assert outcome == [("Doc", "a"), ("RuntimeError", "bad"), ("Doc", "b")]
    problems: list[object] = []
    names = [r.article.name for r in executors.analyse(
        [article("a", QUOTE_A), article("bad", "POISON text"), article("b", QUOTE_B)], nlp, batch_size=3,
        on_problem=problems.append,
    )]
    assert names == ["a", "b"]
    assert [str(p) for p in problems] == ["bad: could not be parsed (RuntimeError)"]
