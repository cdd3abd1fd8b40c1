"""Quote finding on sentences written for these tests (not taken from the corpus)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from analysis.quotes import find_marked, find_quotes, paragraphs
from analysis.records import SEGMENT_JOINER, Span


def _quotes(nlp: Language, text: str) -> list[tuple[str, str]]:
    return [(q.kind, q.text) for q in find_quotes(nlp(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "the plan is sound," and left.', ["the plan is sound"]),
        ("She called it “a marriage of convenience.”", ["a marriage of convenience"]),
        ("«Nothing will change» was the reply.", ["Nothing will change"]),
        ("Is this “over?” nobody asked.", ["over?"]),
        ('A stray " mark and "a real one" here.', ["a real one"]),
        ("The word ‘win-win’ appeared.", ["win-win"]),
    ],
)
def test_marks_are_paired_and_trimmed(text: str, expected: list[str]) -> None:
    found = [text[m.inner.start : m.inner.end] for p in paragraphs(text) for m in find_marked(text, p)]
    assert found == expected


def test_unclosed_mark_runs_to_paragraph_end_only_when_it_opens_the_paragraph() -> None:
    text = "“The first part of a long statement goes on\nAnd a stray “ mark in prose"
    found = [text[m.inner.start : m.inner.end] for p in paragraphs(text) for m in find_marked(text, p)]
    assert found == ["The first part of a long statement goes on"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # direct quote with a trailing attribution
        (
            "“The two armies will train together next spring,” said Olga Petrenko, a fellow at the Baltic Institute.",
            [("direct", "The two armies will train together next spring")],
        ),
        # indirect: the reported clause without "that"
        (
            "Professor Hans Vogel said that the deal would collapse within a year.",
            [("indirect", "the deal would collapse within a year")],
        ),
        # inverted indirect
        (
            "The shipments will probably continue through the winter, Maria Lopez told reporters.",
            [("indirect", "The shipments will probably continue through the winter")],
        ),
        # according to X
        (
            "According to Tomas Berg, the new railway line will double trade by next year.",
            [("indirect", "the new railway line will double trade by next year")],
        ),
        # a quoted fragment inside a reported clause stays inside it
        (
            "Anna Kowal said the talks had produced a very “modest” result for both sides so far.",
            [("indirect", "the talks had produced a very “modest” result for both sides so far")],
        ),
        # a clause that is nearly all quotation is recorded as the direct fragment
        (
            "Peter Holm said the summit was “a turning point in bilateral relations.”",
            [("direct", "a turning point in bilateral relations")],
        ),
    ],
)
def test_patterns(nlp: Language, text: str, expected: list[tuple[str, str]]) -> None:
    assert _quotes(nlp, text) == expected


def test_split_quote_is_one_item(nlp: Language) -> None:
    text = "“The pact is mostly symbolic,” Erik Sund said. “Neither side can afford much more.”"
    quotes = find_quotes(nlp(text))
    assert len(quotes) == 1
    q = quotes[0]
    assert q.kind == "direct"
    assert [text[s.start : s.end] for s in q.segments] == [
        "The pact is mostly symbolic",
        "Neither side can afford much more",
    ]
    assert q.text == SEGMENT_JOINER.join(text[s.start : s.end] for s in q.segments)


def test_continued_quotation_is_one_item_per_paragraph(nlp: Language) -> None:
    text = (
        "“The first reason is money, and the second is time,” said Lena Maier, an economist.\n\n"
        "“Both are running out faster than anyone in the capital admits.”"
    )
    quotes = find_quotes(nlp(text))
    assert [q.text for q in quotes] == [
        "The first reason is money, and the second is time",
        "Both are running out faster than anyone in the capital admits",
    ]
    assert quotes[1].speaker_mention is None  # resolved from the previous paragraph by attribution


def test_headline_quote(nlp: Language) -> None:
    text = "Olaf Brandt “The Border Will Stay Closed This Year”\n\nThe minister spoke on Monday."
    quotes = find_quotes(nlp(text))
    assert [q.text for q in quotes] == ["The Border Will Stay Closed This Year"]
    m = quotes[0].speaker_mention
    assert m is not None and text[m.start : m.end] == "Olaf Brandt"


def test_labelled_block_speech(nlp: Language) -> None:
    text = (
        "Jane Doe, HOST:\n\nWhat happens next?\n\n"
        "Karl Weiss:\n\nThe cooperation will deepen because both sides need it badly.\n\n"
    )
    quotes = find_quotes(nlp(text))
    assert [q.text for q in quotes] == ["The cooperation will deepen because both sides need it badly"]
    m = quotes[0].speaker_mention
    assert m is not None and text[m.start : m.end] == "Karl Weiss"


@pytest.mark.parametrize(
    "text",
    [
        # scare quotes and labels: no reporting cue
        "The so-called “iron alliance” has been discussed for years.",
        "Critics mocked the “friendship” as theatre.",
        # a title of a work
        "He wrote a book titled “The Long Winter” in 2019.",
        # no quote at all
        "The delegation arrived in the port city on Tuesday.",
    ],
)
def test_not_quotes(nlp: Language, text: str) -> None:
    assert find_quotes(nlp(text)) == []


def test_offsets_are_exact(nlp: Language) -> None:
    text = "Intro line.\n\n“It is a deal of necessity,” said Ivo Marek.\n\nMarek added that prices would rise sharply."
    for q in find_quotes(nlp(text)):
        for s in q.segments:
            assert isinstance(s, Span)
            assert text[s.start : s.end] in q.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "quotes X as saying": the quoted person, not the paper, is cited
        (
            "The weekly quotes one of the authors, Rita Oakes, as saying that exports would fall sharply next year.",
            [("indirect", "exports would fall sharply next year")],
        ),
        # "As X noted, CLAUSE"
        (
            "As Paul Varga noted, few investors are willing to finance the new terminal.",
            [("indirect", "few investors are willing to finance the new terminal")],
        ),
        # judgement adjective with a clause
        (
            "Irene Solberg was skeptical that the two navies could train together soon.",
            [("indirect", "the two navies could train together soon")],
        ),
        # an opening mark misused as the closing one
        (
            "“The port is already too small for the extra traffic,“ said Hugo Lambert.",
            [("direct", "The port is already too small for the extra traffic")],
        ),
        # an act summarised before the quotation is not itself a quote; the quotation is
        (
            "Minister Otto Brenn highlighted the same problem for his government in a speech: “We cannot wait.”",
            [("direct", "We cannot wait")],
        ),
    ],
)
def test_more_patterns(nlp: Language, text: str, expected: list[tuple[str, str]]) -> None:
    assert _quotes(nlp, text) == expected


def test_reported_clause_split_by_attribution(nlp: Language) -> None:
    text = "The grain deal could still help the border towns, she said, but the wider economy would gain little."
    quotes = find_quotes(nlp(text))
    assert [(q.kind, [text[s.start : s.end] for s in q.segments]) for q in quotes] == [
        ("indirect", ["The grain deal could still help the border towns", "the wider economy would gain little"])
    ]


def test_source_name_in_marks_is_not_a_quote(nlp: Language) -> None:
    text = "According to the state broadcaster “Channel-9”, the delegation toured the shipyard on Monday."
    assert [q.text for q in find_quotes(nlp(text)) if q.kind == "direct"] == []


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        (
            "Official trade between the two ports, he said, was worth only a few million dollars a year.",
            ["Official trade between the two ports", "was worth only a few million dollars a year"],
        ),
        ("So far, she said, almost none had.", ["So far", "almost none had"]),
        # a relative pronoun before the attribution is not part of the report
        (
            "The minister praised the engineers who, he said, had shown “real courage” in repairing the bridge.",
            ["had shown “real courage” in repairing the bridge"],
        ),
        (
            "The new bridge, Igor Brannikov noted, was already running far below capacity.",
            ["The new bridge", "was already running far below capacity"],
        ),
    ],
)
def test_reported_clause_interrupted_by_attribution(nlp: Language, text: str, segments: list[str]) -> None:
    quotes = find_quotes(nlp(text))
    assert [(q.kind, [text[s.start : s.end] for s in q.segments]) for q in quotes] == [("indirect", segments)]


def test_interrupted_direct_quote_stays_direct(nlp: Language) -> None:
    text = "“In some talks,” he said, “we learn things we did not know about the shipments.”"
    quotes = find_quotes(nlp(text))
    assert [q.kind for q in quotes] == ["direct"]
    assert quotes[0].text == "In some talks" + SEGMENT_JOINER + "we learn things we did not know about the shipments"


def test_deck_line_without_full_stop(nlp: Language) -> None:
    # a deck (subtitle) with no final full stop, followed on the next line by the body
    text = (
        "Japan is looking forward to further expanding its trade with Hanoi, Foreign Ministry spokesman Kenji Arai "
        "has said\nThe neighbour has shown a high level of solidarity with the region by sending its engineers to "
        "help repair the flooded railway, the spokesman has said."
    )
    assert _quotes(nlp, text)[0] == ("indirect", "Japan is looking forward to further expanding its trade with Hanoi")
