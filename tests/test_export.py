"""analysis.export: every format, effective stance, and CSV cells escaped against formula injection."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from test_store import make_article, make_quote  # shared record builders (pytest puts tests/ on sys.path)

from analysis.export import escape_formula, export_quotes
from analysis.pipeline import ArticleResult
from analysis.store import Store

DANGEROUS = '=HYPERLINK("http://evil.test","click") said the fund would grow'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1 more trains", "'+1 more trains"),
        ("-2 percent", "'-2 percent"),
        ("@cmd", "'@cmd"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("\nfeed", "'\nfeed"),
        ("\uff1dSUM(1+1)", "'\uff1dSUM(1+1)"),  # full-width = + - @
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(1)", "'\uff20SUM(1)"),
        ("  =1+1", "'  =1+1"),
        ("plain words", "plain words"),
        ("a = b", "a = b"),
        ("", ""),
        (-1, -1),
        (None, None),
    ],
)
def test_escape_formula(value: object, expected: object) -> None:
    assert escape_formula(value) == expected


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    text = f"{DANGEROUS}, said Lena Okafor of the Harbor Institute. -Nothing will last, Raj Patel said."
    article = make_article(text=text)
    first = make_quote(article, DANGEROUS, "Lena Okafor", label=1, institution="Harbor Institute")
    second = make_quote(article, "-Nothing will last", "Raj Patel", label=-1, kind="indirect")
    result = Store(tmp_path / "s.duckdb")
    result.write_results([ArticleResult(article, (first, second))])
    result.set_override(second.id, 0, "=note")
    return result


def test_csv_export_escapes_formulas(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out" / "quotes.csv"
    assert export_quotes(store, out, "csv") == 2
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_speaker = {r["speaker"]: r for r in rows}
    assert by_speaker["Lena Okafor"]["quote"] == "'" + DANGEROUS
    assert by_speaker["Raj Patel"]["quote"] == "'-Nothing will last"
    assert by_speaker["Raj Patel"]["override_note"] == "'=note"
    assert by_speaker["Raj Patel"]["model_stance"] == "-1"  # numbers are not text cells: left alone
    assert by_speaker["Raj Patel"]["effective_stance"] == "0"
    assert by_speaker["Lena Okafor"]["outlet"] == "Example Post" and by_speaker["Lena Okafor"]["date"] == "2024-04-02"


def test_parquet_and_jsonl_keep_values(store: Store, tmp_path: Path) -> None:
    assert export_quotes(store, tmp_path / "q.parquet", "parquet") == 2
    frame = pd.read_parquet(tmp_path / "q.parquet")
    assert set(frame["quote"]) == {DANGEROUS, "-Nothing will last"}  # only CSV needs escaping
    assert export_quotes(store, tmp_path / "q.jsonl", "jsonl") == 2
    rows = [json.loads(line) for line in (tmp_path / "q.jsonl").read_text(encoding="utf-8").splitlines()]
    patel = next(r for r in rows if r["speaker"] == "Raj Patel")
    assert (patel["model_stance"], patel["effective_stance"], patel["overridden"]) == (-1, 0, True)
    assert patel["institution"] is None and patel["date"] == "2024-04-02"


def test_unknown_format(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_quotes(store, tmp_path / "q.xlsx", "xlsx")


def test_csv_cells_with_carriage_returns_cannot_start_a_row(tmp_path: Path) -> None:
    """A title "Title\r@SUM(1+1)": every cell is quoted and every line of a cell escaped, so even a reader that
    splits on CR or LF (ignoring quotes) never sees a line that starts with a formula."""
    from analysis.export import csv_text

    frame = pd.DataFrame({"title": ["Title\r@SUM(1+1)", "Two\n=1+1", "\uff1dHYPERLINK()"], "n": [1, 2, 3]})
    text = csv_text(frame)
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        assert not line.lstrip('"').startswith(("@", "=", "+", "-", "\uff1d")), line
    assert "\r" not in text.replace("\r\n", "")  # no bare CR anywhere
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == ["Title\n'@SUM(1+1)", "1"] and rows[2] == ["Two\n'=1+1", "2"]
    assert rows[3] == ["'\uff1dHYPERLINK()", "3"]


def test_dashboard_download_shares_the_prefix_list() -> None:
    from dashboard.export import table_csv

    data = table_csv(pd.DataFrame({"outlet": ["\uff20cmd", "\uff0bx"]})).decode("utf-8")
    assert "'\uff20cmd" in data and "'\uff0bx" in data
