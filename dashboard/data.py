"""The dashboard's only data access: cached reads over the DuckDB store, and the two kinds of writes.

Reads: every cached function is keyed by (store path, store version token, frozen ``Filters``), so a new
ingest or an override changes the token and the next rerun recomputes. Each read opens a short-lived
read-only connection through ``analysis.store.Store.read`` (never held across reruns: an ingest may be
writing). Writes go through ``analysis.store.Store`` (overrides) and ``analysis.service`` (added articles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analysis.store import ParquetStore, Store, StoreMissing
from dashboard import queries
from dashboard.filters import Filters
from dashboard.queries import Headline

_HASH: dict[str | type[Any], Callable[[Any], Any]] = {Filters: repr}  # repr of a frozen dataclass is stable and complete: a good cache key
_TTL = 3600
_ENTRIES = 64


@dataclass(frozen=True, slots=True)
class StoreState:
    """What the frame needs before drawing anything."""

    path: str
    exists: bool
    version: str = ""
    demo: bool = False  # any article from the fictional demo corpus
    demo_articles: int = 0
    articles: int = 0
    quotes: int = 0
    error: str | None = None


@st.cache_resource(show_spinner=False)
def store(path: str) -> Store | ParquetStore:
    """One store object per path, shared by sessions (it holds no open connection): a directory is a Parquet
    quote dataset (read-only), anything else a DuckDB file."""
    return ParquetStore(path) if Path(path).is_dir() else Store(Path(path))


def read_only(path: str) -> bool:
    """True for a Parquet dataset: no overrides and no added articles."""
    return store(path).read_only


def state(path: str) -> StoreState:
    """Existence, version token and demo flag; uncached on purpose (cheap, and must see new writes)."""
    s = store(path)
    if not s.exists():
        return StoreState(path, exists=False)
    try:
        with s.read() as con:
            version = queries.version(con)
            demo_articles, articles = queries.demo_counts(con)
            row = con.execute("SELECT count(*) FROM quotes").fetchone()
    except StoreMissing:
        return StoreState(path, exists=False)
    except Exception as exc:  # a corrupt or foreign file is reported on screen, not raised
        return StoreState(path, exists=True, error=f"{exc.__class__.__name__}: {exc}")
    return StoreState(path, exists=True, version=version, demo=demo_articles > 0, demo_articles=demo_articles,
                      articles=articles, quotes=int(row[0]) if row else 0)


def _read(path: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with store(path).read() as con:
        return fn(con, *args, **kwargs)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def headline(path: str, version: str, f: Filters) -> Headline:
    """Headline numbers under the filters."""
    return _read(path, queries.headline, f)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def stance_by(path: str, version: str, f: Filters, group: str, top: int | None) -> tuple[pd.DataFrame, int]:
    """Per-group stance counts (top groups by size) and the number of groups."""
    return _read(path, queries.stance_by, f, group, top=top)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def heatmap(path: str, version: str, f: Filters) -> pd.DataFrame:
    """Institution × outlet mean stance."""
    return _read(path, queries.heatmap, f)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def timeline(path: str, version: str, f: Filters) -> pd.DataFrame:
    """Monthly stance counts."""
    return _read(path, queries.timeline, f)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def experts(path: str, version: str, f: Filters) -> pd.DataFrame:
    """One row per person (spellings merged)."""
    return _read(path, queries.experts, f)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def institutions(path: str, version: str, f: Filters) -> pd.DataFrame:
    """One row per institution, merged across spellings."""
    return _read(path, queries.institutions, f)


@st.cache_data(ttl=_TTL, max_entries=256, show_spinner=False)
def carriers(path: str, version: str, quote_id: str) -> pd.DataFrame:
    """Every article that carried a quote (it or a republished copy), earliest first."""
    return _read(path, queries.carriers, quote_id)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def quotes_table(path: str, version: str, f: Filters, sort: str, limit: int | None) -> pd.DataFrame:
    """The filtered quotes (``limit=None``: all of them, for export)."""
    return _read(path, queries.quotes_table, f, sort=sort, limit=limit)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def count_quotes(path: str, version: str, f: Filters) -> int:
    """Number of quotes under the filters."""
    return _read(path, queries.count_quotes, f)


@st.cache_data(ttl=_TTL, max_entries=256, show_spinner=False)
def quote_detail(path: str, version: str, quote_id: str) -> dict[str, Any] | None:
    """One quote with its article text and evidence."""
    return _read(path, queries.quote_detail, quote_id)


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner=False)
def options(path: str, version: str) -> dict[str, list[str]]:
    """Choices for the sidebar pickers."""
    return _read(path, queries.options)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def baseline_mean(path: str, version: str, f: Filters) -> float:
    """Mean stance of all quotes under the filters minus the group pickers ("selection vs all")."""
    return _read(path, queries.baseline_mean, f)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False, hash_funcs=_HASH)
def group_timeline(path: str, version: str, f: Filters, group: str, values: tuple[str, ...]) -> pd.DataFrame:
    """Monthly mean per group, for the small multiples."""
    return _read(path, queries.group_timeline, f, group, values)


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner=False)
def override_log(path: str, version: str) -> pd.DataFrame:
    """Every override change, newest first."""
    return _read(path, queries.override_log)


def set_override(path: str, quote_id: str, stance: int, note: str | None, who: str | None = None) -> None:
    """Record an analyst's stance for a quote (the same write as ``stance override``), logged with ``who``."""
    store(path).set_override(quote_id, stance, note or None, who=who)


def clear_override(path: str, quote_id: str, who: str | None = None) -> None:
    """Return a quote to the model's stance (logged in the override history)."""
    store(path).clear_override(quote_id, who=who)


def export_table(path: str, f: Filters) -> pd.DataFrame:
    """Every filtered quote with evidence, confidence, override and demo flag, for CSV / Parquet downloads
    (uncached: big, and only made on click)."""
    return _read(path, queries.export_table, f)
