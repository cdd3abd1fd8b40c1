"""Properties of the hostile-input defences (issue 15): escaped names, chunk bounds, safe CSV, quote-mark bombs."""

from __future__ import annotations

import csv
import io
import time

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from analysis.export import FORMULA_PREFIXES, csv_text
from analysis.ingest import display_name
from analysis.nlp import chunk_bounds

_NAME_CHARS = st.characters(codec=None, exclude_categories=())  # any code point, surrogates included
_ESCAPED_BYTES = st.binary(max_size=40).map(lambda b: b.decode("utf-8", "surrogateescape"))


@settings(max_examples=300)
@given(name=st.one_of(st.text(_NAME_CHARS, max_size=40), _ESCAPED_BYTES))
def test_display_name_is_one_storable_line(name: str) -> None:
    shown = display_name(name)
    shown.encode("utf-8")  # no surrogates: DuckDB and every terminal can take it
    assert "\n" not in shown and "\r" not in shown and "\x00" not in shown
    assert len(shown.splitlines()) <= 1
    if name.isprintable() and not any("\ud800" <= c <= "\udfff" for c in name):
        assert shown == name  # ordinary names are left alone


@settings(max_examples=200)
@given(text=st.text(st.sampled_from("ab \n.\t"), max_size=2000), limit=st.integers(min_value=1, max_value=300))
def test_chunk_bounds_cover_the_text_exactly(text: str, limit: int) -> None:
    bounds = chunk_bounds(text, limit)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(prev[1] == nxt[0] for prev, nxt in zip(bounds, bounds[1:], strict=False))
    assert all(0 < end - start <= limit for start, end in bounds) or text == ""


_CELL = st.text(st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20", "a", " ",
                                 '"', ",", "1"]), max_size=12)


@settings(max_examples=200)
@given(cells=st.lists(_CELL, min_size=1, max_size=5))
def test_csv_text_never_has_a_formula_line(cells: list[str]) -> None:
    text = csv_text(pd.DataFrame({"c": cells}))
    for line in text.replace("\r\n", "\n").split("\n"):
        assert "\r" not in line
        cell_start = line[1:] if line.startswith('"') else line  # the CSV quote, then what a reader sees
        assert not cell_start.lstrip(" ").startswith(FORMULA_PREFIXES), (cells, line)
    back = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert len(back) == len(cells)
    for original, read in zip(cells, back, strict=True):  # only escapes and CR->LF were added
        assert read.replace("'", "") == original.replace("\r\n", "\n").replace("\r", "\n").replace("'", "")


# ---------------------------------------------------------------------------------------------- case 1 (quotes fix)

_MARKS = st.sampled_from(['"', "\u201c", "\u201d", "\u00ab", "\u00bb", "'", "\u2018", "\u2019"])
_BOMB = st.one_of(
    st.integers(min_value=50, max_value=400).map(lambda n: " ".join(f'"w{i}"' for i in range(n))),
    st.lists(_MARKS, min_size=100, max_size=2000).map("".join),
    st.lists(st.tuples(_MARKS, st.sampled_from(["a", " said Kim", ", ", "\n\n", ""])), max_size=400).map(
        lambda pairs: "".join(m + w for m, w in pairs)
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_BOMB)
def test_quote_mark_bombs_stay_within_a_linear_budget(nlp: Language, text: str) -> None:
    """Adversarial quotation-mark texts: quote finding stays within ~linear time (issue 15 case 1, owned by the
    quotes fix; this test fails until that fix is merged)."""
    from analysis.quotes import find_quotes

    find_quotes(nlp('"Warm," she said.'))  # curated resources load on the first call: not part of the budget
    doc = nlp(text)
    started = time.perf_counter()
    find_quotes(doc)
    # 1 s + 1 s per 1,000 characters: generous for a linear pass on a loaded machine, far under what a cubic
    # one takes on the 400-quote texts (minutes)
    assert time.perf_counter() - started < 1.0 + len(text) / 1000
