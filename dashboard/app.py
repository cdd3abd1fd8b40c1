"""The dashboard frame: page config, which store, the shared sidebar filters, and navigation.

    streamlit run dashboard/app.py -- --db data/stance.duckdb      (or STANCE_DB=...)

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


def _db_path(argv: list[str]) -> str:
    """--db after ``--`` on the streamlit command line, else STANCE_DB, else the default store."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", default=None)
    args, _ = parser.parse_known_args(argv)
    return str(args.db or os.environ.get("STANCE_DB") or DEFAULT_DB)


db = _db_path(sys.argv[1:] if "--db" in sys.argv else [])
here = Path(__file__).parent
state = data.state(db)
add_page = st.Page(here / "views" / "add.py", title="Add articles", icon=":material/add_circle:", url_path="add")

if state.error:
    st.error(f"The store at `{db}` could not be read: {state.error}")
    st.stop()

if not state.exists or state.quotes == 0:
    pages = [st.Page(here / "views" / "welcome.py", title="Get started", icon=":material/rocket_launch:", url_path="start",
                     default=True), add_page]
    st.session_state[ui.CTX_KEY] = ui.Context(db, state.version, Filters(), demo=False)
else:
    filters = ui.sidebar_filters(data.options(db, state.version))
    st.session_state[ui.CTX_KEY] = ui.Context(db, state.version, filters, demo=state.demo)
    pages = [
        st.Page(here / "views" / "overview.py", title="Overview", icon=":material/bar_chart:", url_path="overview", default=True),
        st.Page(here / "views" / "compare.py", title="Institutions × outlets, over time", icon=":material/grid_on:",
                url_path="compare"),
        st.Page(here / "views" / "experts.py", title="Experts", icon=":material/groups:", url_path="experts"),
        st.Page(here / "views" / "quotes.py", title="Quote explorer", icon=":material/format_quote:", url_path="quotes"),
        add_page,
    ]
    st.sidebar.caption(f"Store: `{db}` · {state.quotes:,} quotes")

st.navigation(pages).run()
