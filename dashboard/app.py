"""The dashboard frame: page config, which store, the shared sidebar filters, and navigation.

    streamlit run dashboard/app.py -- --db data/stance.duckdb      (or STANCE_DB=...)
    streamlit run dashboard/app.py -- --parquet DIR                (or STANCE_PARQUET=...; read-only)

Views under ``dashboard/views`` only lay out; data access lives in ``dashboard.data``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import streamlit as st

from analysis.settings import DEFAULT_DB
from dashboard import data, ui
from dashboard.filters import Filters

st.set_page_config(page_title="Stance on Russia–North Korea cooperation", page_icon=":material/explore:", layout="wide")
# Analysts and their director are viewers: no "Deploy" button (the option is per-app, scriptable).
st.set_option("client.toolbarMode", "viewer")


def _source(argv: list[str]) -> str:
    """--parquet DIR (a Parquet quote dataset, for stores too big to copy) or --db FILE after ``--`` on the
    streamlit command line, else STANCE_PARQUET / STANCE_DB, else the default store."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", default=None)
    parser.add_argument("--parquet", default=None)
    args, _ = parser.parse_known_args(argv)
    return str(args.parquet or args.db or os.environ.get("STANCE_PARQUET") or os.environ.get("STANCE_DB") or DEFAULT_DB)


db = _source(sys.argv[1:] if {"--db", "--parquet"} & set(sys.argv) else [])
here = Path(__file__).parent
state = data.state(db)
add_page = st.Page(here / "views" / "add.py", title="Add articles", icon=":material/add_circle:", url_path="add")

if state.error:
    st.error("The store could not be read.", icon=":material/error:")
    ui.text_caption(f"{db}: {state.error}")  # a path and an error message: shown as text, never Markdown
    st.stop()

if not state.exists or state.quotes == 0:
    pages = [st.Page(here / "views" / "welcome.py", title="Get started", icon=":material/rocket_launch:", url_path="start",
                     default=True), add_page]
    st.session_state[ui.CTX_KEY] = ui.Context(db, state.version, Filters(), demo=False)
else:
    filters = ui.sidebar_filters(data.options(db, state.version))
    st.session_state[ui.CTX_KEY] = ui.Context(db, state.version, filters, demo=state.demo,
                                              demo_articles=state.demo_articles, articles=state.articles)
    pages = [
        st.Page(here / "views" / "overview.py", title="Overview", icon=":material/bar_chart:", url_path="overview", default=True),
        st.Page(here / "views" / "compare.py", title="Institutions × outlets, over time", icon=":material/grid_on:",
                url_path="compare"),
        st.Page(here / "views" / "experts.py", title="Experts", icon=":material/groups:", url_path="experts"),
        st.Page(here / "views" / "quotes.py", title="Quote explorer", icon=":material/format_quote:", url_path="quotes"),
        st.Page(here / "views" / "overrides.py", title="Overrides", icon=":material/history:", url_path="overrides"),
    ]
    if not data.read_only(db):
        pages.append(add_page)
    with st.sidebar:
        ui.text_caption(f"Store: {db} · {state.quotes:,} quotes")

st.navigation(pages).run()
