"""AppTest: every view and filter of the dashboard against a small synthetic store, plus the empty states.

Expected numbers come from pandas over the raw store rows (an oracle independent of the dashboard's SQL).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from dashboard_fixtures import APP, build_store
from streamlit.testing.v1 import AppTest

from analysis.store import ParquetStore, StoreReadOnly
from dashboard import charts, ingest_ui, ui
from dashboard.filters import DEFAULT_MIN_QUOTES

DEEPENING = charts.STANCE_NAMES[1]

N_QUOTES = 800
TIMEOUT = 60


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("dash") / "store.duckdb", N_QUOTES, seed=7)


@pytest.fixture(scope="module")
def rows(store_path: Path) -> pd.DataFrame:
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        return con.execute("SELECT * FROM quotes_effective").df()
    finally:
        con.close()


@pytest.fixture
def app(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("STANCE_DB", str(store_path))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _figures(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _bar_groups(fig: dict[str, Any]) -> list[str]:
    """The raw group values (from ``customdata``) of the first bar trace of a diverging bar chart."""
    bars = next(t for t in fig["data"] if t.get("type") == "bar")
    return [json.loads(c)[1] for c in bars["customdata"]]


def _html(at: AppTest, needle: str) -> str:
    """The first st.html block containing ``needle``."""
    return next(h.value for h in at.get("html") if needle in h.value)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def test_overview_headline_numbers_match_the_store(app: AppTest, rows: pd.DataFrame) -> None:
    at = app.run()
    _no_errors(at)
    on = rows[rows["on_target"]]
    m = _metrics(at)
    assert m["Quotes"] == f"{len(on):,}"
    assert m["Articles"] == f"{on['article_id'].nunique():,}"
    assert m["Institutions"] == str(on["institution"].nunique())
    assert m[DEEPENING] == f"{(on['effective_stance'] == 1).mean():.0%}"
    figs = _figures(at)
    assert len(figs) == 3  # institution, outlet, institution type
    assert "institutions" in _html(at, "deepening, and which see it limited")


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("views/compare.py", "Institutions × outlets, and over time"),
        ("views/experts.py", "Experts and officials"),
        ("views/quotes.py", "Quote explorer"),
        ("views/add.py", "Add articles"),
    ],
)
def test_every_view_renders(app: AppTest, page: str, title: str) -> None:
    at = app.run()
    at.switch_page(page).run()
    _no_errors(at)
    assert at.title[0].value == title


def test_compare_view_says_how_many_quotes_are_undated(app: AppTest, rows: pd.DataFrame) -> None:
    at = app.run()
    at.switch_page("views/compare.py").run()
    undated = int((rows["on_target"] & rows["date"].isna()).sum())
    assert undated > 0
    assert any(f"{undated:,} quote(s) from articles with an unknown date" in c.value for c in at.caption)
    heat, timeline, _multiples = _figures(at)
    months = timeline["data"][0]["x"]
    assert months == sorted(months) and len(months) > 12


def test_think_tank_preset_changes_the_institution_chart(app: AppTest, rows: pd.DataFrame) -> None:
    at = app.run()
    before = _bar_groups(_figures(at)[0])
    at.button(key=ui.K_PRESET).click().run()
    _no_errors(at)
    after = _bar_groups(_figures(at)[0])
    think_tanks = set(rows.loc[rows["institution_type"] == "think_tank", "institution"])
    assert after and set(after) <= think_tanks
    assert set(before) - think_tanks  # the unfiltered chart had other institutions
    assert at.multiselect(key=ui.K_TYPES).value == ["think_tank"]
    assert at.query_params["type"] == "think_tank"
    on = rows[rows["on_target"] & (rows["institution_type"] == "think_tank")]
    assert _metrics(at)["Quotes"] == f"{len(on):,}"


def _first(rows: pd.DataFrame, column: str) -> str:
    return str(rows[column].value_counts().index[0])


@pytest.mark.parametrize(
    ("key", "value", "mask"),
    [
        (ui.K_TYPES, ["university"], lambda r: r["institution_type"] == "university"),
        (ui.K_INST, "first:institution", lambda r, v: r["institution"] == v),
        (ui.K_OUTLET, "first:outlet", lambda r, v: r["outlet"] == v),
        (ui.K_SPEAKER, "first:speaker", lambda r, v: r["speaker"] == v),
        (ui.K_STANCE, [1], lambda r: r["effective_stance"] == 1),
        (ui.K_KIND, ["indirect"], lambda r: r["kind"] == "indirect"),
    ],
)
def test_each_picker_filters_every_number(
    app: AppTest, rows: pd.DataFrame, key: str, value: Any, mask: Any
) -> None:
    at = app.run()
    if isinstance(value, str) and value.startswith("first:"):
        picked = _first(rows[rows["on_target"]], value.split(":", 1)[1])
        at.multiselect(key=key).set_value([picked]).run()
        keep = mask(rows, picked)
    else:
        at.multiselect(key=key).set_value(value).run()
        keep = mask(rows)
    _no_errors(at)
    expected = rows[rows["on_target"] & keep]
    assert 0 < len(expected) < rows["on_target"].sum()
    assert _metrics(at)["Quotes"] == f"{len(expected):,}"


def test_date_range_excludes_undated_and_out_of_range(app: AppTest, rows: pd.DataFrame) -> None:
    at = app.run()
    at.date_input(key=ui.K_FROM).set_value(date(2023, 1, 1))
    at.date_input(key=ui.K_TO).set_value(date(2023, 12, 31)).run()
    _no_errors(at)
    d = pd.to_datetime(rows["date"])
    keep = rows["on_target"] & (d >= "2023-01-01") & (d <= "2023-12-31")
    assert _metrics(at)["Quotes"] == f"{int(keep.sum()):,}"
    assert at.query_params["from"] == "2023-01-01"


def test_on_target_toggle_off_counts_every_quote(app: AppTest, rows: pd.DataFrame) -> None:
    at = app.run()
    at.toggle(key=ui.K_TARGET).set_value(False).run()
    assert _metrics(at)["Quotes"] == f"{len(rows):,}"
    assert at.query_params["on_target"] == "0"


def test_minimum_quotes_per_group_drops_small_institutions(app: AppTest, rows: pd.DataFrame) -> None:
    at = app.run()
    sizes = rows[rows["on_target"]].groupby("institution").size()
    threshold = int(sizes.median()) + 1
    at.number_input(key=ui.K_MIN).set_value(threshold).run()
    _no_errors(at)
    shown = set(_bar_groups(_figures(at)[0]))
    assert 0 < len(shown) < len(sizes)
    assert shown == set(sizes[sizes >= threshold].index)


def test_search_filters_text_and_nothing_matching_says_so(app: AppTest, rows: pd.DataFrame) -> None:
    at = app.run()
    at.text_input(key=ui.K_SEARCH).set_value("win-win").run()
    hits = rows["on_target"] & rows["quote"].str.contains("win-win", case=False)
    assert _metrics(at)["Quotes"] == f"{int(hits.sum()):,}"
    at.text_input(key=ui.K_SEARCH).set_value("no such words anywhere").run()
    _no_errors(at)
    assert any("No quotes match" in w.value for w in at.warning)
    assert not at.get("plotly_chart")


def test_filters_are_read_from_the_url(store_path: Path, rows: pd.DataFrame,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCE_DB", str(store_path))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["kind"] = "direct"
    at.query_params["stance"] = ["-1", "0"]
    at.run()
    _no_errors(at)
    keep = rows["on_target"] & (rows["kind"] == "direct") & rows["effective_stance"].isin([-1, 0])
    assert _metrics(at)["Quotes"] == f"{int(keep.sum()):,}"
    assert at.multiselect(key=ui.K_STANCE).value == [-1, 0]


def test_experts_view_lists_one_row_per_speaker(app: AppTest, rows: pd.DataFrame) -> None:
    at = app.run()
    at.switch_page("views/experts.py").run()
    table = at.dataframe[0].value
    counts = rows[rows["on_target"]].groupby("speaker").size()
    assert len(table) == int((counts >= DEFAULT_MIN_QUOTES).sum())
    top = table.iloc[0]
    assert top["n"] == counts.max()
    assert top["stances"] == charts.stance_strip_svg(top["neg"], top["neu"], top["pos"])
    assert "None" not in set(table["institutions"].astype(str)) and "None" not in set(table["types"].astype(str))


def test_quote_explorer_shows_context_and_override_updates_charts(
    app: AppTest, store_path: Path, rows: pd.DataFrame
) -> None:
    at = app.run()
    at.switch_page("views/quotes.py").run()
    _no_errors(at)
    table = at.dataframe[0].value
    assert len(table) == int(rows["on_target"].sum())
    target = rows[rows["on_target"] & (rows["effective_stance"] == -1)].iloc[0]
    at.session_state["selected_quote"] = target["id"]
    at.run()
    body = _html(at, "<mark")
    assert str(target["quote"]) in body
    at.radio(key="override_stance").set_value(1)
    at.text_input(key="override_note").set_value("analyst check")
    at.button[[b.label for b in at.button].index("Save override")].click().run()
    _no_errors(at)
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        saved = con.execute("SELECT stance, note FROM overrides WHERE quote_id = ?", [target["id"]]).fetchone()
    finally:
        con.close()
    assert saved == (1, "analyst check")
    at.switch_page("views/overview.py").run()
    on = rows[rows["on_target"]]
    positives = int((on["effective_stance"] == 1).sum()) + 1
    assert _metrics(at)[DEEPENING] == f"{positives / len(on):.0%}"
    # undo, so the module-scoped store is unchanged for other tests
    at.switch_page("views/quotes.py").run()
    at.button(key="clear_override").click().run()
    _no_errors(at)


def test_quote_text_is_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_store(tmp_path / "x.duckdb", 20, seed=1)
    con = duckdb.connect(str(db))
    nasty = "<script>alert(1)</script> **bold** [link](http://x)"
    qid, art = con.execute("SELECT id, article_id FROM quotes LIMIT 1").fetchone()
    con.execute("UPDATE articles SET text = ? WHERE id = ?", [nasty, art])
    con.execute("UPDATE quotes SET quote = ?, start_char = 0, end_char = ?, segments = ? WHERE id = ?",
                [nasty, len(nasty), json.dumps([[0, len(nasty)]]), qid])
    con.close()
    monkeypatch.setenv("STANCE_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("views/quotes.py").run()
    at.session_state["selected_quote"] = qid
    at.run()
    body = _html(at, "alert(1)")
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_no_store_shows_the_command_and_builds_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "missing.duckdb"
    monkeypatch.setenv("STANCE_DB", str(db))
    calls: list[list[str]] = []

    def fake_ingest(db_path: str, sources: list[str], *, on_progress: Any = None) -> ingest_ui.Outcome:
        calls.append(list(sources))
        build_store(Path(db_path), 12)
        if on_progress:
            on_progress(1, 1)
        return ingest_ui.Outcome(articles=3, quotes=12)

    monkeypatch.setattr(ingest_ui, "ingest_sources", fake_ingest)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    _no_errors(at)
    assert any("no analysed data yet" in w.value for w in at.warning)
    assert any("stance ingest data/articles" in c.value for c in at.code)
    at.button(key="build_demo").click().run()
    _no_errors(at)
    assert calls and calls[0][0].endswith("data/articles")
    assert any("Stored 3 article(s) with 12 quote(s)" in s.value for s in at.success)
    at.run()
    assert _metrics(at)["Quotes"]  # the dashboard proper now shows


def test_demo_corpus_is_labelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_store(tmp_path / "demo.duckdb", 30, demo=True)
    monkeypatch.setenv("STANCE_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert any("fictional" in i.value for i in at.info)


def _fake_service(monkeypatch: pytest.MonkeyPatch, upload: Any, sources: Any = None) -> None:
    """Stand in for ``analysis.service`` (its real ingest parses with spaCy; here only the page's wiring)."""
    import sys
    import types

    import analysis

    fake = types.ModuleType("analysis.service")
    fake.ingest_upload = upload  # type: ignore[attr-defined]
    fake.ingest_sources = sources  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "analysis.service", fake)
    monkeypatch.setattr(analysis, "service", fake, raising=False)


def test_add_articles_reports_each_file(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    class Report:
        def __init__(self, articles: int, quotes: int, skipped: tuple[Any, ...] = ()) -> None:
            self.articles, self.quotes, self.already_stored, self.skipped = articles, quotes, 0, skipped

    class Problem:
        source, reason = "rows.csv:3", "empty text"

    def upload(name: str, payload: bytes, settings: Any) -> Report:
        if name == "broken.html":
            raise ValueError("could not find the article body")
        return Report(1, 4, (Problem(),) if name == "rows.csv" else ())

    seen: list[list[str]] = []

    def sources(urls: list[str], settings: Any, *, on_progress: Any = None) -> Report:
        seen.append(urls)
        return Report(1, 2)

    _fake_service(monkeypatch, upload, sources)
    at = app.run()
    at.switch_page("views/add.py").run()
    at.button(key="ingest_go").click().run()
    assert any("at least one file" in w.value for w in at.warning)
    at.file_uploader(key="upload_files").set_value([
        ("good.txt", b"outlet: X\n\nBody.", "text/plain"),
        ("broken.html", b"<html></html>", "text/html"),
        ("rows.csv", b"text\nA\n", "text/csv"),
    ])
    at.text_area(key="upload_urls").set_value("https://news.example/a\nnot a link")
    at.button(key="ingest_go").click().run()
    _no_errors(at)
    assert seen == [["https://news.example/a"]]
    assert any("Stored 3 article(s) with 10 quote(s)" in s.value for s in at.success)
    problems = at.dataframe[0].value
    assert dict(zip(problems["source"], problems["reason"], strict=True)) == {
        "not a link": "not an http(s) link",
        "broken.html": "ValueError: could not find the article body",
        "rows.csv:3": "empty text",
    }


def test_build_button_ingests_the_real_demo_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through analysis.service: empty store -> button -> dashboard with the demo flagged."""
    db = tmp_path / "demo.duckdb"
    monkeypatch.setenv("STANCE_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=180).run()
    at.button(key="build_demo").click().run()
    _no_errors(at)
    assert not at.error, [e.value for e in at.error]
    assert any("Stored" in s.value for s in at.success)
    at.run()
    _no_errors(at)
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute("SELECT count(*) FROM quotes_effective WHERE on_target").fetchone()[0]
    finally:
        con.close()
    assert stored > 0 and _metrics(at)["Quotes"] == f"{stored:,}"
    assert any("fictional" in i.value for i in at.info)


def test_parquet_dataset_is_shown_read_only(store_path: Path, rows: pd.DataFrame, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """--parquet DIR (here STANCE_PARQUET): the same numbers from a Parquet quote dataset; no writes offered."""
    dataset = tmp_path / "dataset"
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        for table in ("articles", "quotes"):
            (dataset / table).mkdir(parents=True)
            con.execute(f"COPY {table} TO '{dataset / table / 'part-0.parquet'}' (FORMAT parquet)")
    finally:
        con.close()
    monkeypatch.delenv("STANCE_DB", raising=False)
    monkeypatch.setenv("STANCE_PARQUET", str(dataset))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    _no_errors(at)
    on = rows[rows["on_target"]]
    m = _metrics(at)
    assert m["Quotes"] == f"{len(on):,}" and m["Articles"] == f"{on['article_id'].nunique():,}"
    assert len(_figures(at)) == 3
    store = ParquetStore(dataset)
    assert store.read_only and store.exists()
    with pytest.raises(StoreReadOnly):
        store.set_override(str(rows["id"].iloc[0]), 1, "a dataset cannot take overrides")
