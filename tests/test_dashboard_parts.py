"""The dashboard's pure parts: filters (URL + SQL), queries, charts, exports, highlighting, `stance charts`."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dashboard_fixtures import build_store
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.export import FORMULA_PREFIXES
from dashboard import charts, export, highlight, ingest_ui, queries, report
from dashboard.filters import Filters, add_arguments, from_arguments, from_query, to_query, where_sql


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("parts") / "store.duckdb", 400, seed=3)


@pytest.fixture
def con(store_path: Path):  # type: ignore[no-untyped-def]
    c = duckdb.connect(str(store_path), read_only=True)
    yield c
    c.close()


# --- filters ---------------------------------------------------------------------------------------

filters_strategy = st.builds(
    Filters,
    institution_types=st.lists(st.sampled_from(["think_tank", "university", "government"]), unique=True,
                               max_size=2).map(tuple),
    institutions=st.lists(st.text(min_size=1, max_size=12), max_size=2).map(tuple),
    outlets=st.lists(st.text(min_size=1, max_size=12), max_size=2).map(tuple),
    speakers=st.lists(st.text(min_size=1, max_size=12), max_size=2).map(tuple),
    date_from=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    date_to=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    stances=st.lists(st.sampled_from([-1, 0, 1]), unique=True, max_size=3).map(tuple),
    kinds=st.lists(st.sampled_from(["direct", "indirect"]), unique=True, max_size=2).map(tuple),
    on_target_only=st.booleans(),
    min_quotes=st.integers(min_value=1, max_value=500),
    search=st.text(max_size=20).map(str.strip),
)


@settings(max_examples=60, deadline=None)
@given(filters_strategy)
def test_url_round_trip_keeps_every_filter(f: Filters) -> None:
    query = to_query(f)
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    assert from_query(as_lists) == f


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, Filters()),
        ({"type": ["think_tank", "bogus"]}, Filters(institution_types=("think_tank",))),
        ({"stance": ["1", "7", "x"]}, Filters(stances=(1,))),
        ({"from": ["2024-13-01"], "min": ["zero"]}, Filters()),
        ({"on_target": ["0"], "q": ["sanctions"]}, Filters(on_target_only=False, search="sanctions")),
    ],
)
def test_malformed_url_values_are_ignored(query: dict[str, list[str]], expected: Filters) -> None:
    assert from_query(query) == expected


def test_think_tank_preset_replaces_type_and_institution_only() -> None:
    f = Filters(institutions=("X",), outlets=("Y",), institution_types=("government",)).think_tanks()
    assert (f.institution_types, f.institutions, f.outlets) == (("think_tank",), (), ("Y",))


@pytest.mark.parametrize(
    ("f", "sql_fragment", "params"),
    [
        (Filters(on_target_only=False), "", []),
        (Filters(), "WHERE on_target", []),
        (Filters(on_target_only=False, kinds=("direct",)), "WHERE kind IN (?)", ["direct"]),
        (Filters(on_target_only=False, stances=(-1, 1)), "WHERE effective_stance IN (?, ?)", [-1, 1]),
    ],
)
def test_where_sql_binds_values(f: Filters, sql_fragment: str, params: list[object]) -> None:
    assert where_sql(f) == (sql_fragment, params)


@pytest.mark.parametrize("search", ["'; DROP TABLE quotes; --", "100%", "a_b", "\\"])
def test_search_is_bound_and_literal(con: duckdb.DuckDBPyConnection, search: str) -> None:
    assert queries.count_quotes(con, Filters(search=search)) == 0
    assert queries.count_quotes(con, Filters(on_target_only=False)) == 400


def test_cli_arguments_match_the_sidebar() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    ns = parser.parse_args(["--think-tanks", "--kind", "direct", "--from", "2023-01-01", "--all-targets"])
    assert from_arguments(ns) == Filters(institution_types=("think_tank",), kinds=("direct",),
                                         date_from=date(2023, 1, 1), on_target_only=False)


# --- queries ---------------------------------------------------------------------------------------


def test_stance_by_counts_and_threshold(con: duckdb.DuckDBPyConnection) -> None:
    raw = con.execute("SELECT * FROM quotes_effective WHERE on_target").df()
    df, total = queries.stance_by(con, Filters(min_quotes=25), "institution")
    sizes = raw.groupby("institution").size()
    assert total == int((sizes >= 25).sum()) == len(df)
    row = df.iloc[0]
    sub = raw[raw["institution"] == row["group"]]
    assert (row["n"], row["neg"], row["neu"], row["pos"]) == (
        len(sub), (sub["effective_stance"] < 0).sum(), (sub["effective_stance"] == 0).sum(),
        (sub["effective_stance"] > 0).sum())
    assert row["mean"] == pytest.approx(sub["effective_stance"].mean())
    assert row["ex_neg"].split(": ", 1)[1] in set(sub.loc[sub["effective_stance"] < 0, "quote"])
    top, total_all = queries.stance_by(con, Filters(min_quotes=1), "institution", top=5)
    assert len(top) == 5 and total_all == raw["institution"].nunique()


def test_timeline_leaves_out_undated_and_headline_counts_them(con: duckdb.DuckDBPyConnection) -> None:
    raw = con.execute("SELECT * FROM quotes_effective WHERE on_target").df()
    t = queries.timeline(con, Filters())
    h = queries.headline(con, Filters())
    assert int(t["n"].sum()) + h.undated == h.quotes == len(raw)
    assert h.undated == int(raw["date"].isna().sum()) > 0


def test_version_changes_with_an_override(tmp_path: Path) -> None:
    db = build_store(tmp_path / "v.duckdb", 10)
    c = duckdb.connect(str(db))
    before = queries.version(c)
    c.execute("INSERT INTO overrides VALUES ('q00000001', 1, NULL, now())")
    changed = queries.version(c)
    c.execute("UPDATE overrides SET stance = -1")
    assert len({before, changed, queries.version(c)}) == 3
    c.close()


def test_demo_flag(tmp_path: Path) -> None:
    for demo in (True, False):
        c = duckdb.connect(str(build_store(tmp_path / f"{demo}.duckdb", 10, demo=demo)), read_only=True)
        assert queries.is_demo(c) is demo
        c.close()


# --- charts ----------------------------------------------------------------------------------------

GROUPS = pd.DataFrame({
    "group": ["Alpha Institute", "Beta University", "Gamma Office"],
    "n": [10, 6, 4], "neg": [7, 1, 0], "neu": [2, 2, 1], "pos": [1, 3, 3],
    "mean": [-0.6, 0.333, 0.75], "ex_neg": ["A: <b>bad</b>", "B: meh", None], "ex_pos": [None, "B: ok", "C: good"],
})


def _raw(trace: object) -> list[str]:
    return [json.loads(c)[1] for c in trace.customdata]  # type: ignore[attr-defined]


def test_diverging_bars_ranked_by_shrunk_mean_with_n_and_own_mean_axis() -> None:
    fig = charts.diverging_bars(GROUPS, group="institution", title="Q?", baseline=0.1)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.marker.color for b in bars] == [charts.NEGATIVE, charts.NEUTRAL, charts.POSITIVE]
    prior = charts.overall_mean(GROUPS)
    shrunk = {g: (m * n + charts.PRIOR_QUOTES * prior) / (n + charts.PRIOR_QUOTES)
              for g, m, n in zip(GROUPS["group"], GROUPS["mean"], GROUPS["n"], strict=True)}
    assert _raw(bars[0]) == sorted(shrunk, key=shrunk.__getitem__)  # bottom = most limited
    assert [t.split("<br>")[0] for t in bars[0].y] == _raw(bars[0])
    assert all(f"n={n}" in t for t, n in zip(bars[0].y, [10, 6, 4], strict=True))  # n on every row
    assert "few" in bars[0].y[2] and "few" not in bars[0].y[0]  # 4 and 6 quotes < SMALL_GROUP; 10 is not
    assert list(bars[0].marker.opacity) == [1.0, 0.45, 0.45]
    mean = next(t for t in fig.data if t.type == "scatter")
    assert mean.xaxis == "x2" and list(mean.x) == pytest.approx([shrunk[g] for g in _raw(bars[0])])
    assert fig.layout.xaxis2.range == (-1.08, 1.08) and fig.layout.xaxis.range[0] < -1.5  # separate axes
    assert "&lt;b&gt;bad&lt;/b&gt;" in bars[0].hovertext[0] and "<b>bad" not in bars[0].hovertext[0]
    assert fig.layout.xaxis.title.text and fig.layout.meta["group_label"] == "Institution"
    assert any(a.text == "all +0.10" for a in fig.layout.annotations)


def test_small_groups_cannot_top_the_ranking() -> None:
    groups = pd.DataFrame({"group": ["Tiny", "Big", "Wide"], "n": [2, 40, 60], "neg": [0, 5, 20], "neu": [0, 10, 20],
                           "pos": [2, 25, 20], "mean": [1.0, 0.5, 0.0]})
    fig = charts.diverging_bars(groups, group="institution", title="Q?")
    assert _raw(fig.data[0]) == ["Wide", "Tiny", "Big"]  # Big on top despite Tiny's raw mean of +1


def test_outlets_fold_to_top_n_and_syndication_names() -> None:
    from dashboard.outlets import canonical_outlet

    assert canonical_outlet("Harbour Post (republished by Lantern Wire)") == "Harbour Post"
    assert canonical_outlet("Harbour Post, citing Reuters") == "Harbour Post"
    assert canonical_outlet("Harbour Post (via AFP)") == "Harbour Post"
    assert canonical_outlet("Via Verde Daily") == "Via Verde Daily"
    many = pd.DataFrame({"group": [f"O{i}" for i in range(20)], "n": list(range(40, 20, -1)), "neg": [1] * 20,
                         "neu": [1] * 20, "pos": [1] * 20, "mean": [0.0] * 20})
    many["n"] = 3
    folded = charts.fold_rest(many, 12)
    assert len(folded) == 13 and folded.iloc[-1]["group"] == "other outlets (8)" and folded.iloc[-1]["n"] == 24
    fig = charts.diverging_bars(folded, group="outlet", title="Q?")
    assert _raw(fig.data[0])[0] is None and "other outlets" in fig.data[0].y[0]  # drawn at the bottom


def test_syndicated_outlets_are_merged_in_queries(tmp_path: Path) -> None:
    db = build_store(tmp_path / "o.duckdb", 200, seed=5)
    c = duckdb.connect(str(db))
    outlet = c.execute("SELECT outlet FROM articles GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    c.execute("UPDATE articles SET outlet = outlet || ' (republished by Other Wire)' WHERE id IN "
              "(SELECT id FROM articles WHERE outlet = ? LIMIT 3)", [outlet])
    c.close()
    c = duckdb.connect(str(db), read_only=True)
    try:
        df, _ = queries.stance_by(c, Filters(on_target_only=False, min_quotes=1), "outlet")
        assert not any("republished" in g for g in df["group"])
        raw_n = c.execute("SELECT count(*) FROM quotes_effective WHERE outlet LIKE ? || '%'", [outlet]).fetchone()[0]
        assert int(df.loc[df["group"] == outlet, "n"].iloc[0]) == raw_n
        assert outlet in queries.options(c)["outlets"]
        assert queries.count_quotes(c, Filters(on_target_only=False, outlets=(outlet,))) == raw_n
    finally:
        c.close()


def test_heatmap_greys_sparse_cells() -> None:
    df = pd.DataFrame({"institution": ["A", "A", "B"], "outlet": ["X", "Y", "X"], "n": [5, 1, 3],
                       "mean": [0.5, -1.0, -0.2]})
    fig = charts.heatmap(df, min_quotes=2, title="Q?")
    (coloured,) = fig.data
    z = pd.DataFrame(coloured.z, index=coloured.y, columns=coloured.x)
    assert z.at["A", "X"] == 0.5 and pd.isna(z.at["A", "Y"])  # sparse: no colour at all (white), unlike mean 0
    labels = pd.DataFrame(coloured.text, index=coloured.y, columns=coloured.x)
    assert labels.at["A", "Y"] == "(1)" and labels.at["A", "X"] == "5"
    assert charts.DIVERGING_SCALE[2][1] != "#ffffff"  # the mean-0 colour is a visible grey
    assert json.loads(coloured.customdata[0][0])[0] == "cell"


def test_empty_data_gives_a_titled_message() -> None:
    fig = charts.diverging_bars(GROUPS.iloc[0:0], group="outlet", title="Q?")
    assert fig.layout.annotations[0].text.startswith("No quotes match")


def test_timeline_months_and_mean_axis() -> None:
    df = pd.DataFrame({"month": [date(2024, 1, 1), date(2024, 2, 1)], "n": [3, 2], "neg": [1, 2],
                       "neu": [1, 0], "pos": [1, 0], "mean": [0.0, -1.0]})
    fig = charts.timeline(df, title="Q?")
    assert list(fig.data[0].x) == ["2024-01", "2024-02"] and list(fig.data[0].y) == [-1, -2]
    assert fig.data[3].yaxis == "y2"


# --- export ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     # a bare CR (which splits a row in many readers) becomes LF, and each line of a cell is escaped on its own
     ("\r=x", "\n'=x"), ("ok\r\n=1+1", "ok\n'=1+1"), ("line\n@cmd", "line\n'@cmd"),
     ("plain", "plain"), ("a=b", "a=b")],
)
def test_csv_cells_cannot_become_formulas(cell: str, expected: str) -> None:
    text = export.table_csv(pd.DataFrame({"quote": [cell], "n": [-1]})).decode("utf-8")
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["quote", "n"]
    assert row == [expected, "-1"]  # the number's value is kept
    # Every cell is quoted (so a line break inside a cell never ends the row), and no physical line of the file
    # starts with a formula prefix, even for a reader that splits on line breaks without honouring quotes.
    assert text.splitlines()[0] == '"quote","n"' and text.splitlines()[1].startswith('"')
    assert not any(line.startswith(FORMULA_PREFIXES) for line in text.splitlines())


def test_parquet_round_trip() -> None:
    df = pd.DataFrame({"quote": ["=x"], "stance": [1]})
    assert pd.read_parquet(io.BytesIO(export.table_parquet(df))).equals(df)


def test_html_export_is_standalone() -> None:
    body = export.figure_bytes(charts.diverging_bars(GROUPS, group="outlet", title="Q?"), "html")
    assert b"<html>" in body[:100] and b"Alpha Institute" in body and b"cdn.plot.ly" not in body[:5000]


def test_static_export_without_browser_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "find_browser", lambda: None)
    with pytest.raises(export.ExportUnavailable, match="Chromium"):
        export.figure_bytes(charts.diverging_bars(GROUPS, group="outlet", title="Q?"), "png")


# --- highlighting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "segments", "expected"),
    [
        ("Intro.\nShe said “all is <fine>” today.\nNext.", [[17, 30]],
         "She said “<mark>all is &lt;fine&gt;</mark>” today."),
        ("“One,” he said. “Two.”\nOther.", [[1, 4], [17, 21]],
         "“<mark>One</mark>,” he said. “<mark>Two.</mark>”"),
        ("No newline at all", [], "No <mark>newline</mark> at all"),
    ],
)
def test_paragraph_html_marks_segments(text: str, segments: list[list[int]], expected: str) -> None:
    start = segments[0][0] if segments else 3
    end = segments[-1][1] if segments else 10
    out = highlight.paragraph_html(text, segments, start, end)
    inner = out[out.index(">") + 1 : out.rindex("</div>")]
    assert inner.replace(f' style="{highlight.MARK_STYLE}"', "") == expected


# --- ingest helpers --------------------------------------------------------------------------------


def test_parse_urls_and_size_limit(tmp_path: Path) -> None:
    assert ingest_ui.parse_urls("https://a.example/x\n\n ftp://b \nhttp://c.example") == (
        ["https://a.example/x", "http://c.example"], ["ftp://b"])
    out = ingest_ui.ingest_upload(str(tmp_path / "s.duckdb"), "big.txt", b"x" * 11, max_bytes=10)
    assert out.problems == (("big.txt", "file is 11 bytes; the limit is 10"),)


def test_ingest_report_is_summarised() -> None:
    class Problem:
        source, reason = "bad.csv", "no text column"

    class Report:
        articles, quotes, already_stored, skipped = 2, 9, 1, (Problem(),)

    assert ingest_ui._outcome(Report()) == ingest_ui.Outcome(2, 9, 1, (("bad.csv", "no text column"),))


# --- stance charts ---------------------------------------------------------------------------------


def test_report_writes_every_chart_as_html(store_path: Path, tmp_path: Path) -> None:
    assert report.main(["--db", str(store_path), "--out", str(tmp_path), "--format", "html", "--think-tanks"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{n}.html" for n in (
        "stance_by_institution", "stance_by_outlet", "stance_by_institution_type", "institution_outlet_heatmap",
        "stance_over_time", "stance_by_expert"))
    body = (tmp_path / "stance_by_institution.html").read_text(encoding="utf-8")
    assert "Northgate Institute" in body and "State Department of Marland" not in body  # think tanks only


def test_report_writes_valid_svg(store_path: Path, tmp_path: Path) -> None:
    assert report.main(["--db", str(store_path), "--out", str(tmp_path), "--format", "svg"]) == 0
    svg = (tmp_path / "stance_by_institution.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Which institutions" in svg


def test_report_on_missing_store_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main(["--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "o")]) == 1
    assert "stance ingest" in capsys.readouterr().err


def test_evidence_json_is_parsed(con: duckdb.DuckDBPyConnection) -> None:
    qid = con.execute("SELECT id FROM quotes WHERE stance <> 0 LIMIT 1").fetchone()[0]
    detail = queries.quote_detail(con, qid)
    assert detail is not None and detail["evidence"][0]["phrase"]
    assert detail["article_text"][detail["start_char"]: detail["end_char"]] == detail["quote"]
    assert json.dumps(detail["segments"]) == json.dumps([[detail["start_char"], detail["end_char"]]])


def test_timeline_shows_empty_months_as_gaps() -> None:
    df = pd.DataFrame({"month": [date(2024, 1, 1), date(2024, 3, 1)], "n": [1, 2], "neg": [1, 0],
                       "neu": [0, 1], "pos": [0, 1], "mean": [-1.0, 0.5]})
    fig = charts.timeline(df, title="Q?")
    assert list(fig.data[0].x) == ["2024-01", "2024-02", "2024-03"]
    assert list(fig.data[2].y) == [0, 0, 1]
    assert pd.isna(fig.data[3].y[1])  # no mean for an empty month


class _Bar:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str | None]] = []

    def progress(self, value: float, text: str | None = None) -> None:
        self.calls.append((value, text))


@pytest.mark.parametrize(
    ("args", "expected"),
    [((3, 4), (0.75, "3 of 4")), ((0, 0), (0.0, "0 done")), ((0.5,), (0.5, None)), ((7, 5), (1.0, "7 of 5"))],
)
def test_progress_callback_accepts_the_service_shapes(args: tuple[float, ...], expected: tuple[float, str]) -> None:
    from dashboard.ui import progress_callback

    bar = _Bar()
    progress_callback(bar)(*args)
    assert bar.calls == [expected]


# --- issue 13 / 15 helpers ---------------------------------------------------------------------------


def test_describe_names_the_picked_institutions_and_outlets() -> None:
    from dashboard.filters import describe

    text = describe(Filters(institutions=("Alpha Institute", "Beta University"), outlets=("Harbour Post",)))
    assert "institutions: Alpha Institute, Beta University" in text and "outlets: Harbour Post" in text
    many = describe(Filters(institutions=tuple(f"I{i}" for i in range(9))))
    assert "I5" in many and "I6" not in many and "+ 3 more" in many


def test_clamp_dates_moves_link_dates_into_the_store_and_says_so() -> None:
    from dashboard.filters import clamp_dates

    lo, hi = date(2023, 1, 1), date(2024, 6, 30)
    f, notes = clamp_dates(Filters(date_from=date(1900, 1, 1), date_to=date(2999, 1, 1)), lo, hi)
    assert (f.date_from, f.date_to) == (lo, hi) and len(notes) == 2
    f, notes = clamp_dates(Filters(date_from=date(2024, 3, 1), date_to=date(2023, 2, 1)), lo, hi)
    assert (f.date_from, f.date_to) == (date(2023, 2, 1), date(2024, 3, 1)) and "swapped" in notes[0]
    assert clamp_dates(Filters(date_from=date(2023, 5, 5)), lo, hi) == (Filters(date_from=date(2023, 5, 5)), [])
    f, notes = clamp_dates(Filters(date_from=date(2023, 5, 5)), None, None)
    assert f.date_from is None and notes


def test_keep_of_types_splits_picked_institutions() -> None:
    from dashboard.filters import keep_of_types

    types = {"A": "think_tank", "B": "government"}
    assert keep_of_types(["A", "B", "C"], types, ("think_tank",)) == (("A",), ("B", "C"))
    assert keep_of_types(["A", "B"], types, ()) == (("A", "B"), ())


def test_paragraph_html_underlines_search_hits_and_cues_and_escapes() -> None:
    text = "Intro.\nHe said the <axis> is deepening fast, Deepening indeed.\nNext."
    start = text.index("the")
    out = highlight.paragraph_html(text, [[start, start + 30]], start, start + 30, terms=["deepening", "x"])
    assert out.count(highlight.HIT_STYLE) == 2  # both cases of the cue; the 1-letter term is ignored
    assert "&lt;axis&gt;" in out and "<axis>" not in out and "Intro" not in out


def test_stance_strip_is_three_coloured_and_data_only() -> None:
    import base64

    svg = base64.b64decode(charts.stance_strip_svg(1, 2, 1).split(",", 1)[1]).decode()
    assert charts.NEGATIVE in svg and charts.NEUTRAL in svg and charts.POSITIVE in svg
    assert 'width="25.00"' in svg and 'width="50.00"' in svg
