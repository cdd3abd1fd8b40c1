"""Bytes for downloads: charts as PNG / SVG / interactive HTML, the quote table as CSV / Parquet.

Static images go through kaleido 1.x, which drives a Chrome-family browser; the browser is found at run
time (``BROWSER_PATH``, then the usual names on ``PATH``). Without one, ``ExportUnavailable`` carries a
message the UI shows instead of a traceback. No Streamlit here.
"""

from __future__ import annotations

import html
import io
import os
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# Spreadsheet apps evaluate cells starting with these as formulas (CSV injection, OWASP); one list for both
# CSV exports (full-width forms included).
from analysis.export import csv_text

STATIC_FORMATS = ("png", "svg")
FORMATS = ("png", "svg", "html")
MIME = {"png": "image/png", "svg": "image/svg+xml", "html": "text/html", "csv": "text/csv",
        "parquet": "application/vnd.apache.parquet"}
# Names Chrome-family browsers install under (Debian, Ubuntu snap, Google builds, macOS-style wrappers).
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
EXPORT_WIDTH = 1200


class ExportUnavailable(RuntimeError):
    """Static image export cannot run here (no Chrome-family browser for kaleido)."""


@cache
def find_browser() -> str | None:
    """Path of a Chrome-family browser kaleido can drive, or None."""
    given = os.environ.get("BROWSER_PATH")
    if given and os.path.exists(given):
        return given
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _browser_or_raise() -> str:
    browser = find_browser()
    if browser is None:
        raise ExportUnavailable(
            "PNG/SVG export needs Chromium or Chrome (kaleido drives it). Install it "
            "(Debian: apt-get install chromium) or set BROWSER_PATH; HTML export still works."
        )
    # choreographer (kaleido's browser driver) reads BROWSER_PATH; point it at what we found.
    os.environ.setdefault("BROWSER_PATH", browser)
    return browser


def figure_bytes(fig: go.Figure, fmt: str) -> bytes:
    """The chart as PNG, SVG or a standalone interactive HTML page."""
    if fmt == "html":
        # plotly.js inlined: the file opens offline, e.g. attached to an e-mail.
        return pio.to_html(fig, include_plotlyjs=True, full_html=True).encode("utf-8")
    if fmt not in STATIC_FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}; expected one of {FORMATS}")
    _browser_or_raise()
    height = fig.layout.height or 500
    try:
        return pio.to_image(fig, format=fmt, width=EXPORT_WIDTH, height=height, scale=2 if fmt == "png" else 1)
    except (RuntimeError, OSError, ValueError) as exc:  # kaleido reports a dead/missing browser this way
        raise ExportUnavailable(f"Static export failed ({exc.__class__.__name__}: {exc}).") from exc


@contextmanager
def image_session() -> Iterator[None]:
    """Keep one browser running for many exports (``stance charts``); a no-op when none is available."""
    import kaleido

    if find_browser() is None:
        yield
        return
    _browser_or_raise()
    kaleido.start_sync_server(silence_warnings=True)
    try:
        with warnings.catch_warnings():
            # plotly passes browser options per call; with a shared server they are already set.
            warnings.filterwarnings("ignore", message="The kopts argument is ignored", category=UserWarning)
            yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def with_caption(fig: go.Figure, caption: str) -> go.Figure:
    """A copy of the chart with more lines under its title (filters, source line, demo stamp; one per line of
    ``caption``), escaped so names from articles stay text; the chart grows to keep its plot area."""
    out = go.Figure(fig)
    title = out.layout.title.text or ""
    top = out.layout.margin.t or 100
    lines = [line for line in caption.splitlines() if line.strip()]
    extra = "".join(f"<br><sup>{html.escape(line).replace('$', '&#36;')}</sup>" for line in lines)
    height = out.layout.height or 500
    out.update_layout(title_text=f"{title}{extra}", margin_t=top + 18 * len(lines), height=height + 18 * len(lines),
                      title_y=1 - 14 / (height + 18 * len(lines)))
    return out


def table_csv(df: pd.DataFrame) -> bytes:
    """The quote table as formula-injection-safe UTF-8 CSV, exactly as ``stance export`` writes it (every cell
    quoted, each line of a cell escaped)."""
    return csv_text(df).encode("utf-8")


def table_parquet(df: pd.DataFrame) -> bytes:
    """The quote table as Parquet (typed; no escaping needed)."""
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


DEMO_NOTE = "fictional demo data"


def _cues(evidence: object) -> str:
    """The cue phrases of a stored evidence JSON list, joined with "; " (the JSON column stays beside it)."""
    import json

    try:
        items = json.loads(evidence) if isinstance(evidence, str) else []
    except ValueError:
        return ""
    return "; ".join(str(i[0]) for i in items if isinstance(i, list) and i) if isinstance(items, list) else ""


def stamped(df: pd.DataFrame, demo: bool) -> pd.DataFrame:
    """The quote table as downloaded: readable cue phrases beside the evidence JSON, and on a store with demo
    articles a leading ``data_note`` column saying "fictional demo data" on every demo row."""
    out = df.copy()
    if "evidence" in out:
        out.insert(out.columns.get_loc("evidence"), "cues", out["evidence"].map(_cues))
    if demo:
        flags = out["fictional_demo"] if "fictional_demo" in out else pd.Series(True, index=out.index)
        out.insert(0, "data_note", [DEMO_NOTE if bool(v) else "" for v in flags])
    return out
