"""AppTest: the dashboard says what stance means, shows n, drills down, stamps demo data, keeps an override
history, and shows everything from an article or a URL as text (issue 13; issue 15 cases 6 and 9)."""

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

from analysis import export as cli_export
from analysis.store import Store
from dashboard import charts, export, queries, report, ui
from dashboard.filters import LOW_CONFIDENCE, Filters

TIMEOUT = 60
OLD_WORDS = ("For (+1)", "Against (−1)", "+1 for", "−1 against", "support the cooperation", "oppose it")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("meaning") / "store.duckdb", 600, seed=21)


@pytest.fixture
def app(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("STANCE_DB", str(store_path))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def _figures(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _all_text(at: AppTest) -> str:
    """Every label, value, caption, markdown, HTML block and chart string the run produced."""
    parts = [m.label + " " + str(m.value) + " " + (m.help or "") for m in at.metric]
    parts += [e.value for kind in ("markdown", "caption", "warning", "info", "title") for e in at.get(kind)]
    parts += [h.value for h in at.get("html")]
    parts += [el.proto.spec for el in at.get("plotly_chart")]
    return "\n".join(str(p) for p in parts)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def test_stance_is_labelled_as_an_assessment_everywhere(app: AppTest) -> None:
    at = app.run()
    _no_errors(at)
    pages = ["views/overview.py", "views/compare.py", "views/experts.py", "views/quotes.py"]
    for page in pages:
        at.switch_page(page).run()
        _no_errors(at)
        text = _all_text(at)
        assert not [w for w in OLD_WORDS if w in text], page
    at.switch_page("views/overview.py").run()
    labels = {m.label for m in at.metric}
    assert {"deepening (+1)", "no call (0)", "limited (−1)"} <= labels
    assert all("not approval" in (m.help or "") for m in at.metric if m.label in charts.STANCE_NAMES.values())
    legend = {t["name"] for t in _figures(at)[0]["data"]}
    assert {"deepening (+1)", "no call (0)", "limited (−1)"} <= legend
    at.switch_page("views/compare.py").run()
    colourbar = _figures(at)[0]["data"][0]["colorbar"]["ticktext"]
    assert colourbar == ["−1 limited", "0 no call", "+1 deepening"]


def test_every_row_shows_n_and_small_groups_are_marked(app: AppTest) -> None:
    at = app.run()
    for fig in _figures(at):
        bars = next(t for t in fig["data"] if t["type"] == "bar")
        assert all("n=" in tick for tick in bars["y"])
        counts = [int(tick.split("n=")[1].split("<")[0].split(" ")[0]) for tick in bars["y"]]
        small = ["few" in tick for tick in bars["y"]]
        names = [json.loads(c)[1] for c in bars["customdata"]]
        assert small == [c < charts.SMALL_GROUP and name is not None for c, name in zip(counts, names, strict=True)]
    mean_axis = _figures(at)[0]["layout"]["xaxis2"]
    assert mean_axis["range"] == [-1.08, 1.08] and "overlaying" not in mean_axis  # its own axis, not overlaid


def test_drill_down_filters_the_other_views(app: AppTest, store_path: Path) -> None:
    at = app.run()
    bars = next(t for t in _figures(at)[0]["data"] if t["type"] == "bar")
    institution = json.loads(bars["customdata"][-1])[1]  # the top bar
    # What a click on that bar queues (the browser test clicks it for real).
    at.session_state[ui.K_DRILL] = {ui.K_INST: [institution]}
    at.session_state[ui.K_DRILL_NOTE] = f"institution {institution}"
    at.run()
    _no_errors(at)
    assert at.multiselect(key=ui.K_INST).value == [institution]
    assert at.query_params["inst"] == institution
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        speakers = {r[0] for r in con.execute(
            "SELECT speaker FROM quotes_effective WHERE on_target AND institution = ? GROUP BY 1 HAVING count(*) >= 3",
            [institution]).fetchall()}
        n = con.execute("SELECT count(*) FROM quotes_effective WHERE on_target AND institution = ?",
                        [institution]).fetchone()[0]
    finally:
        con.close()
    at.switch_page("views/experts.py").run()
    _no_errors(at)
    assert set(at.dataframe[0].value["speaker"]) == speakers  # institution -> its experts
    at.switch_page("views/quotes.py").run()
    assert len(at.dataframe[0].value) == n  # -> their quotes
    assert any(f"institution {institution}" in h.value for h in at.get("html"))


def test_month_click_and_heatmap_cell_map_to_filters() -> None:
    captured: dict[str, Any] = {}

    def fake(changes: dict[str, Any], note: str) -> None:
        captured.update(changes)

    original = ui.request_filters
    ui.request_filters = fake  # type: ignore[assignment]
    try:
        ui.drill({"customdata": json.dumps(["month", "2024-02"])})
        assert captured == {ui.K_FROM: date(2024, 2, 1), ui.K_TO: date(2024, 2, 29)}
        captured.clear()
        ui.drill({"customdata": json.dumps(["cell", ["Alpha Institute", "Harbour Post"]])})
        assert captured == {ui.K_INST: ["Alpha Institute"], ui.K_OUTLET: ["Harbour Post"]}
        captured.clear()
        ui.drill({"customdata": json.dumps(["outlet", None])})  # the folded "other outlets" row
        assert captured == {}
    finally:
        ui.request_filters = original  # type: ignore[assignment]


def test_demo_warning_with_one_real_article_and_stamped_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_store(tmp_path / "mixed.duckdb", 200, demo=True, seed=4)
    con = duckdb.connect(str(db))
    real = con.execute("SELECT id FROM articles LIMIT 1").fetchone()[0]
    con.execute("UPDATE articles SET source = '/real/feed/story.txt' WHERE id = ?", [real])
    total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    monkeypatch.setenv("STANCE_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    _no_errors(at)
    assert any(f"{total - 1:,} of the {total:,} stored articles" in i.value for i in at.info)
    ctx = at.session_state[ui.CTX_KEY]
    caption = ui.export_caption(ctx, ctx.filters, 123)
    assert ui.DEMO_STAMP in caption and "n = 123 quotes" in caption
    fig = export.with_caption(charts.empty_figure("T", "m"), caption)
    assert ui.DEMO_STAMP in fig.layout.title.text
    with Store(db).read() as c:
        table = export.stamped(queries.export_table(c, Filters()), demo=True)
    assert table.columns[0] == "data_note"
    assert set(table["data_note"]) == {export.DEMO_NOTE, ""} and (table["data_note"] == "").sum() >= 1
    for column in ("cues", "evidence", "on_target", "confidence", "override_note"):
        assert column in table.columns


def test_override_history_page_and_cli_export(app: AppTest, store_path: Path, tmp_path: Path) -> None:
    at = app.run()
    at.switch_page("views/quotes.py").run()
    qid = str(at.dataframe[0].value.iloc[0]["id"])
    at.session_state["selected_quote"] = qid
    at.run()
    at.text_input(key=ui.K_ANALYST).set_value("R. Analyst")
    at.radio(key="override_stance").set_value(1)
    at.text_input(key="override_note").set_value("speaker predicts closer ties")
    at.button[[b.label for b in at.button].index("Save override")].click().run()
    _no_errors(at)
    at.switch_page("views/overview.py").run()  # the name is typed once per session, kept across pages
    at.switch_page("views/quotes.py").run()
    assert at.text_input(key=ui.K_ANALYST).value == "R. Analyst"
    at.radio(key="override_stance").set_value(-1)
    at.text_input(key="override_note").set_value("second look")
    at.button[[b.label for b in at.button].index("Save override")].click().run()
    history = Store(store_path).override_history(qid)
    assert [(h.who, h.new_stance, h.note) for h in history][-2:] == [
        ("R. Analyst", 1, "speaker predicts closer ties"), ("R. Analyst", -1, "second look")]
    assert history[-1].old_stance == 1
    at.switch_page("views/overrides.py").run()
    _no_errors(at)
    log = at.dataframe[0].value
    assert list(log["who"][:2]) == ["R. Analyst", "R. Analyst"] and log.iloc[0]["note"] == "second look"
    frame = cli_export.quotes_frame(Store(store_path))
    row = frame[frame["id"] == qid].iloc[0]
    assert row["override_by"] == "R. Analyst" and row["effective_stance"] == -1 and row["override_at"]
    Store(store_path).clear_override(qid, who="R. Analyst")  # leave the module store as it was
    assert Store(store_path).override_history(qid)[-1].action == "clear"


def test_crafted_link_dates_are_clamped_and_said(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCE_DB", str(store_path))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["from"] = "1900-01-01"
    at.query_params["to"] = "2999-12-31"
    at.run()
    _no_errors(at)
    notes = [w.value for w in at.warning]
    assert any("“from” date 1900-01-01 is outside" in n for n in notes)
    assert any("“to” date 2999-12-31 is outside" in n for n in notes)
    lo, hi = at.date_input(key=ui.K_FROM).value, at.date_input(key=ui.K_TO).value
    assert isinstance(lo, date) and isinstance(hi, date) and lo <= hi and lo.year > 1900 and hi.year < 2999


def _without_customdata(value: Any) -> Any:
    """A figure spec without ``customdata`` (raw group values for drill-down: data, never drawn)."""
    if isinstance(value, dict):
        return {k: _without_customdata(v) for k, v in value.items() if k != "customdata"}
    if isinstance(value, list):
        return [_without_customdata(v) for v in value]
    return value


NASTY = "![x](http://198.51.100.7/p.png) **bold** $x^2$ <b>tag</b> [link](http://198.51.100.7/)"


def test_search_text_and_article_fields_are_shown_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_store(tmp_path / "nasty.duckdb", 120, seed=9)
    con = duckdb.connect(str(db))
    qid, art = con.execute("SELECT id, article_id FROM quotes WHERE on_target LIMIT 1").fetchone()
    con.execute("UPDATE articles SET outlet = ?, title = ? WHERE id = ?", [NASTY, NASTY, art])
    con.execute("UPDATE quotes SET institution = ? WHERE article_id = ?", [NASTY, art])
    con.close()
    monkeypatch.setenv("STANCE_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["q"] = NASTY
    at.run()
    _no_errors(at)
    markdown = [e.value for kind in ("markdown", "caption", "warning", "info") for e in at.get(kind)]
    assert not [m for m in markdown if "198.51.100.7" in m]  # never rendered as Markdown
    assert any("![x](http://198.51.100.7/p.png)" in h.value and "&lt;b&gt;tag" in h.value for h in at.get("html"))
    at.text_input(key=ui.K_SEARCH).set_value("").run()
    at.multiselect(key=ui.K_OUTLET).set_value([NASTY]).run()
    at.toggle(key="show_all_outlets").set_value(True).run()
    shown = json.dumps([_without_customdata(json.loads(el.proto.spec)) for el in at.get("plotly_chart")])
    assert NASTY.split(" ")[0] in json.dumps(NASTY) and "&lt;b&gt;tag" in shown  # the outlet is on a chart...
    assert "<b>tag</b>" not in shown and "$x^2$" not in shown  # ...escaped, and never typeset as LaTeX
    at.session_state["selected_quote"] = qid
    at.switch_page("views/quotes.py").run()
    _no_errors(at)
    markdown = [e.value for kind in ("markdown", "caption", "subheader") for e in at.get(kind)]
    assert not [m for m in markdown if "198.51.100.7" in m]
    figs = report.build_figures(Store(db), Filters(outlets=(NASTY,), min_quotes=1))
    page = export.figure_bytes(figs["stance_by_outlet"], "html").decode()
    assert "<b>tag</b>" not in page and "&lt;b&gt;tag" in page  # `stance charts --format html` too


def test_low_confidence_toggle_reads_the_confidence_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_store(tmp_path / "conf.duckdb", 150, seed=2)
    con = duckdb.connect(str(db))
    con.execute("UPDATE quotes SET confidence = 0.2 WHERE hash(id) % 4 = 0")
    rows = con.execute("SELECT on_target, confidence FROM quotes_effective").df()
    con.close()
    on = rows[rows["on_target"]]
    monkeypatch.setenv("STANCE_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert at.toggle(key=ui.K_LOWCONF).value is False  # default: every quote
    at.toggle(key=ui.K_LOWCONF).set_value(True).run()
    _no_errors(at)
    kept = int((on["confidence"] >= LOW_CONFIDENCE).sum())
    assert 0 < kept < len(on)
    assert {m.label: m.value for m in at.metric}["Quotes"] == f"{kept:,}"
    assert at.query_params["lowconf"] == "1"


def test_preset_keeps_picked_think_tanks_and_says_what_it_dropped(app: AppTest, store_path: Path) -> None:
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        kinds = dict(con.execute("SELECT institution, any_value(institution_type) FROM quotes "
                                 "WHERE institution IS NOT NULL GROUP BY 1").fetchall())
    finally:
        con.close()
    tank = next(i for i, t in kinds.items() if t == "think_tank")
    other = next(i for i, t in kinds.items() if t == "government")
    at = app.run()
    at.multiselect(key=ui.K_INST).set_value([tank, other]).run()
    at.button(key=ui.K_PRESET).click().run()
    _no_errors(at)
    assert at.multiselect(key=ui.K_INST).value == [tank]
    assert any(other in w.value for w in at.warning)
    offered = set(at.multiselect(key=ui.K_INST).options)
    assert offered and all(kinds.get(i) == "think_tank" for i in offered)  # the list follows the type


def test_timeline_band_and_sparse_months() -> None:
    df = pd.DataFrame({"month": [date(2024, 1, 1), date(2024, 2, 1)], "n": [12, 1], "neg": [2, 1], "neu": [5, 0],
                       "pos": [5, 0], "mean": [0.25, -1.0], "sd": [0.75, None]})
    fig = charts.timeline(df, title="Q?", min_quotes=3)
    solid, sparse = fig.data[3], fig.data[4]
    assert solid.yaxis == "y2" and solid.y[0] == 0.25 and pd.isna(solid.y[1])  # 1 quote: no swing of the line
    assert solid.error_y.array[0] == pytest.approx(1.96 * 0.75 / 12 ** 0.5)
    assert pd.isna(sparse.y[0]) and sparse.y[1] == -1.0 and sparse.marker.symbol == "circle-open"
