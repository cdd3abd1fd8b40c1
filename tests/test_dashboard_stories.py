"""AppTest: issue 14 in the dashboard: each story's quote once (a toggle counts every copy), every article that
carried a quote, people merged across spellings, the outlet chart by publisher country.

The store is built from the invented articles of ``tests/test_stories.py`` (a wire story and its republished,
trimmed copy; another story that quotes the same economist under a second spelling of his name).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from dashboard_fixtures import APP
from streamlit.testing.v1 import AppTest
from test_stories import (
    FAR_EAST_REVIEW,
    FISHERIES,
    ORIGINAL,
    QUOTA_QUOTE,
    RAIL,
    RAIL_QUOTE,
    RAIL_TRIMMED_COPY,
    make_article,
    rail_result,
    scored,
)

from analysis.pipeline import ArticleResult
from analysis.store import Store
from dashboard import ui

TIMEOUT = 60
COPY = ("copy.txt", "Daily Relay (republished from Harbor Wire)", "https://relay.example/copy")


def _sorokin(text: str, name: str, outlet: str, url: str, spelling: str, day: str) -> ArticleResult:
    article = make_article(text, name, outlet, url, day)
    return ArticleResult(article, (scored(article, QUOTA_QUOTE, spelling, label=-1),))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stories") / "stories.duckdb"
    store = Store(path)
    store.write_results([rail_result(RAIL, *ORIGINAL)])
    store.write_results([rail_result(RAIL_TRIMMED_COPY, *COPY)])
    store.write_results([
        _sorokin(FISHERIES, "fish.txt", "Reuters", "https://www.reuters.com/fish", "Ivan Sorokin", "2024-05-02"),
        _sorokin(FAR_EAST_REVIEW, "review.txt", "TASS", "https://tass.com/review", "Ivan A. Sorokin", "2024-05-09"),
    ])
    return path


@pytest.fixture
def app(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("STANCE_DB", str(store_path))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["min"] = "1"
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    """The first st.dataframe on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _bar_groups(fig: dict[str, Any]) -> list[str]:
    bars = next(t for t in fig["data"] if t.get("type") == "bar")
    return [json.loads(c)[1] for c in bars["customdata"]]


def _outlet_figure(at: AppTest) -> dict[str, Any]:
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return next(f for f in figs if f["layout"].get("meta", {}).get("group_label") not in (
        "Institution", "Institution type"))


def test_the_every_copy_toggle_counts_a_republished_copy(app: AppTest, store_path: Path) -> None:
    truth = Store(store_path).query_df(
        "SELECT count(*) FILTER (WHERE NOT is_copy) AS distinct_quotes, count(*) AS every_quote, "
        "count(DISTINCT story_id) AS stories, count(DISTINCT article_id) AS articles FROM quotes_story "
        "WHERE on_target").iloc[0]
    assert (truth["distinct_quotes"], truth["every_quote"]) == (4, 5)  # the copy repeats one quote
    at = app.run()
    _no_errors(at)
    m = _metrics(at)
    assert (m["Quotes"], m["Stories"]) == (str(truth["distinct_quotes"]), str(truth["stories"]))
    assert at.toggle(key=ui.K_COPIES).value is False
    at.toggle(key=ui.K_COPIES).set_value(True).run()
    _no_errors(at)
    m = _metrics(at)
    assert (m["Quotes"], m["Stories"], m["Articles"]) == (
        str(truth["every_quote"]), str(truth["stories"]), str(truth["articles"]))
    assert at.query_params["copies"] in ("1", ["1"])  # kept in the URL like the other filters


def test_the_every_copy_toggle_is_read_from_the_url(app: AppTest) -> None:
    app.query_params["copies"] = "1"
    at = app.run()
    _no_errors(at)
    assert at.toggle(key=ui.K_COPIES).value is True
    assert _metrics(at)["Quotes"] == "5"


def test_the_quote_detail_lists_every_article_that_carried_it(app: AppTest, store_path: Path) -> None:
    original = Store(store_path).query_df(
        "SELECT id FROM quotes_story WHERE quote = ? AND NOT is_copy", (RAIL_QUOTE,))["id"][0]
    at = app.run()
    at.switch_page("views/quotes.py").run()
    at.session_state["selected_quote"] = original
    at.run()
    _no_errors(at)
    carried = _frame(at, "host").sort_values("is_copy")
    assert carried["is_copy"].tolist() == [False, True]
    assert carried["outlet"].tolist() == [ORIGINAL[1], COPY[1]]
    assert carried["url"].tolist() == [ORIGINAL[2], COPY[2]]
    assert carried["publisher"].tolist() == ["Harbor Wire", "Daily Relay"]  # the outlet line split to publisher
    assert any("Carried by 2 article" in md.value for md in at.markdown)


def test_experts_merge_two_spellings_of_one_person(app: AppTest) -> None:
    at = app.run()
    at.switch_page("views/experts.py").run()
    _no_errors(at)
    experts = _frame(at, "spellings")
    sorokin = experts[experts["spellings"].str.contains("Sorokin")]
    assert len(sorokin) == 1  # one row, not one per spelling
    row = sorokin.iloc[0]
    assert set(str(row["spellings"]).split("; ")) == {"Ivan Sorokin", "Ivan A. Sorokin"}
    assert (row["n"], row["stories"]) == (2, 2)  # the same line in two stories counts in each
    assert str(row["speaker"]) in {"Ivan Sorokin", "Ivan A. Sorokin"}
    institutions = next(d.value for d in at.dataframe if "institution" in d.value.columns and "people" in
                        d.value.columns)
    assert int(institutions["people"].iloc[0]) == 3  # Kovalenko, Berg and Sorokin under one institution


def test_the_outlet_chart_groups_by_publisher_country(app: AppTest) -> None:
    at = app.run()
    _no_errors(at)
    assert set(_bar_groups(_outlet_figure(at))) >= {"Reuters", "TASS"}
    at.selectbox(key="outlet_group").set_value("country").run()
    _no_errors(at)
    fig = _outlet_figure(at)
    assert fig["layout"]["meta"]["group_label"] == "Publisher country"
    groups = _bar_groups(fig)
    assert {"GB", "RU"} <= set(groups)  # the registry's countries of Reuters and TASS
    assert "Reuters" not in groups
    at.selectbox(key="outlet_group").set_value("state_owned").run()
    assert {"state or public", "private"} <= set(_bar_groups(_outlet_figure(at)))


def test_institutions_merge_across_spellings_with_the_views_key(tmp_path: Path) -> None:
    import duckdb

    from analysis.story_views import institution_key_sql
    from dashboard import queries
    from dashboard.filters import Filters

    path = tmp_path / "inst.duckdb"
    Store(path).write_results([rail_result(RAIL, *ORIGINAL), rail_result(RAIL_TRIMMED_COPY, *COPY)])
    spellings = ["the Eastern-Shipping Institute", "Eastern Shipping Institute", "Éastern Shipping Institute"]
    con = duckdb.connect(str(path))
    ids = [r[0] for r in con.execute("SELECT id FROM quotes ORDER BY id").fetchall()]
    for quote_id, name in zip(ids, spellings, strict=True):
        con.execute("UPDATE quotes SET institution = ? WHERE id = ?", [name, quote_id])
    view = con.execute("SELECT id, institution_key FROM quotes_story ORDER BY id").fetchall()
    mine = con.execute(f"SELECT id, {institution_key_sql('institution')} FROM quotes ORDER BY id").fetchall()
    assert view == mine and len({k for _, k in view}) == 1  # the helper is the view's key, and it folds all three
    table = queries.institutions(con, Filters(min_quotes=1, every_copy=True))
    con.close()
    assert len(table) == 1 and set(table["spellings"][0].split("; ")) == set(spellings)
    assert (table["n"][0], table["stories"][0], table["people"][0]) == (3, 1, 2)


def test_a_correction_on_a_copy_is_saved_on_the_story_quote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "override.duckdb"
    store = Store(path)
    store.write_results([rail_result(RAIL, *ORIGINAL)])
    store.write_results([rail_result(RAIL_TRIMMED_COPY, *COPY)])
    copy_id, canonical = store.query_df(
        "SELECT id, canonical_quote_id FROM quotes_story WHERE is_copy").iloc[0].tolist()
    monkeypatch.setenv("STANCE_DB", str(path))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["copies"] = "1"
    at.run()
    at.switch_page("views/quotes.py").run()
    at.session_state["selected_quote"] = copy_id
    at.run()
    _no_errors(at)
    assert any("republished copy" in c.value for c in at.caption)
    at.radio(key="override_stance").set_value(-1)
    at.button[[b.label for b in at.button].index("Save override")].click().run()
    _no_errors(at)
    saved = store.query_df("SELECT quote_id, stance FROM overrides")
    assert saved.values.tolist() == [[canonical, -1]]  # the story's quote, not the copy
    at.button(key="clear_override").click().run()  # offered on the copy too, and clears the story's quote
    assert store.query_df("SELECT count(*) AS n FROM overrides")["n"][0] == 0
