"""``stance charts``: the dashboard's charts written headless to files, for reports.

    stance charts --db data/stance.duckdb --out reports/ --format png --think-tanks

Same queries, same figures and same filters as the app; no Streamlit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import plotly.graph_objects as go

from analysis.settings import DEFAULT_DB, Settings
from analysis.store import Store, StoreMissing
from dashboard import charts, export, queries
from dashboard.filters import Filters, add_arguments, describe, from_arguments

TOP = 15
TOP_OUTLETS = 12


def build_figures(store: Store, f: Filters, *, top: int = TOP) -> dict[str, go.Figure]:
    """Every dashboard chart under the filters, by file stem."""
    with store.read() as con:
        inst, n_inst = queries.stance_by(con, f, "institution", top=top)
        outlet, n_outlets = queries.stance_by(con, f, "outlet")
        itype, _ = queries.stance_by(con, f, "institution_type")
        heat = queries.heatmap(con, f)
        months = queries.timeline(con, f)
        people = queries.experts(con, f, limit=25).rename(columns={"speaker": "group"})
        head = queries.headline(con, f)
        baseline = queries.baseline_mean(con, f)
    undated = "" if f.dated_only or not head.undated else f" · {head.undated} quotes with unknown dates not shown"
    ranked = f"ranked by shrunk mean ({charts.PRIOR_QUOTES} pseudo-quotes) · ≥{f.min_quotes} quotes each"
    makers: dict[str, Callable[[], go.Figure]] = {
        "stance_by_institution": lambda: charts.diverging_bars(
            inst, group="institution", baseline=baseline,
            title="Which institutions' experts see the cooperation deepening, and which see it limited?",
            subtitle=f"{len(inst)} of {n_inst} institutions · {ranked}"),
        "stance_by_outlet": lambda: charts.diverging_bars(
            charts.fold_rest(outlet, TOP_OUTLETS), group="outlet", baseline=baseline,
            title="How do the quotes each outlet carries assess it?", subtitle=f"{n_outlets} outlets · {ranked}"),
        "stance_by_institution_type": lambda: charts.diverging_bars(
            itype, group="institution_type", baseline=baseline,
            title="Do think tanks, governments and universities differ?", subtitle=ranked),
        "institution_outlet_heatmap": lambda: charts.heatmap(
            heat, min_quotes=f.min_quotes,
            title="Does an institution sound different depending on the outlet quoting it?",
            subtitle=f"White cells with a (count) have fewer than {f.min_quotes} quotes"),
        "stance_over_time": lambda: charts.timeline(
            months, title="How has the stance changed over time?", min_quotes=f.min_quotes,
            subtitle=f"Quotes per month of article publication; monthly mean with a 95 % band{undated}"),
        "stance_by_expert": lambda: charts.diverging_bars(
            people, group="speaker", baseline=baseline, title="Where do the most-quoted experts stand?",
            subtitle=ranked),
    }
    return {name: make() for name, make in makers.items()}


def caption(store: Store, f: Filters) -> str:
    """The lines under every exported chart's title: filters, source / date range / n, and the demo stamp."""
    with store.read() as con:
        demo, articles = queries.demo_counts(con)
        n = queries.count_quotes(con, f)
    lines = [f"Filters: {describe(f)}",
             f"Source: {store.path.name} · {f.date_from or 'first'} to {f.date_to or 'last'} article date · n = {n:,} quotes"]
    if demo:
        lines.append(f"FICTIONAL DEMO DATA: {demo:,} of {articles:,} articles are fictional")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Write every chart as PNG, SVG or HTML into ``--out``; 0 on success, 1 when the store is missing or
    static export is impossible (no Chrome-family browser), 2 on bad arguments."""
    parser = argparse.ArgumentParser(prog="stance charts", description="Write the dashboard's charts to files.")
    parser.add_argument("--db", type=Path, default=None, help=f"DuckDB store (default: STANCE_DB or {DEFAULT_DB})")
    parser.add_argument("--out", type=Path, required=True, help="directory for the chart files")
    parser.add_argument("--format", choices=export.FORMATS, default="png")
    add_arguments(parser)
    args = parser.parse_args(argv)
    db = args.db or Settings.from_env().db_path
    store = Store(db)
    if not store.exists():
        print(f"No store at {db}. Build it first: stance ingest data/articles --db {db}", file=sys.stderr)
        return 1
    f = from_arguments(args)
    try:
        figures = build_figures(store, f)
        note = caption(store, f)
    except StoreMissing:
        print(f"No store at {db}.", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with export.image_session() if args.format in export.STATIC_FORMATS else nullcontext():
            for name, fig in figures.items():
                path = args.out / f"{name}.{args.format}"
                path.write_bytes(export.figure_bytes(export.with_caption(fig, note), args.format))
                print(path)
    except export.ExportUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
