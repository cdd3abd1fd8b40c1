"""Streamlit building blocks shared by the views: the sidebar filters (synced with the URL), the page
context, charts with download buttons, and empty states. Layout helpers only; data comes from ``data``.
"""

from __future__ import annotations

import calendar
import html
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard import export
from dashboard.charts import STANCE_DEFINITION, STANCE_NAMES
from dashboard.filters import (
    KINDS,
    LOW_CONFIDENCE,
    STANCES,
    THINK_TANK_TYPES,
    TYPE_LABELS,
    Filters,
    clamp_dates,
    describe,
    from_query,
    keep_of_types,
    to_query,
)

CTX_KEY = "_dashboard_ctx"
STANCE_LABELS = STANCE_NAMES
DEMO_COMMAND = ".venv/bin/stance ingest data/articles"
DEMO_STAMP = "FICTIONAL DEMO DATA"
K_DRILL, K_DRILL_GEN, K_DRILL_NOTE, K_NOTES = "_pending_drill", "_drill_gen", "_drill_note", "_filter_notes"
K_ANALYST, K_ANALYST_KEPT = "analyst_name", "_analyst_name"
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
                 "responsive": True}

# Widget keys of the sidebar; one per Filters field (the URL keys live in dashboard.filters).
K_TYPES, K_INST, K_OUTLET, K_SPEAKER = "f_types", "f_inst", "f_outlet", "f_speaker"
K_FROM, K_TO, K_STANCE, K_KIND = "f_from", "f_to", "f_stance", "f_kind"
K_TARGET, K_MIN, K_SEARCH = "f_on_target", "f_min", "f_search"
K_PRESET, K_RESET, K_LOWCONF, K_COPIES = "preset_think_tanks", "reset_filters", "f_low_conf", "f_every_copy"


@dataclass(frozen=True, slots=True)
class Context:
    """What every view needs: the store, its version token and the active filters."""

    db: str
    version: str
    filters: Filters
    demo: bool
    demo_articles: int = 0
    articles: int = 0


def context() -> Context:
    """The context the frame (``app.py``) put in place for this rerun."""
    ctx = st.session_state.get(CTX_KEY)
    if not isinstance(ctx, Context):
        st.error("Open the dashboard through dashboard/app.py.")
        st.stop()
    return ctx


def page_header(title: str, caption: str | None = None) -> Context:
    """What every view opens with: its title, an optional caption (followed by the active filters), and the
    demo-data note when it applies."""
    ctx = context()
    st.title(title, help=STANCE_DEFINITION)
    if caption:
        st.caption(caption)
    text_caption(f"Filters: {describe(ctx.filters)}")
    for note in st.session_state.get(K_NOTES, []):
        st.warning(note, icon=":material/event_busy:")
    drilled = st.session_state.get(K_DRILL_NOTE)
    if drilled:
        box = st.container(horizontal=True, gap="small", vertical_alignment="center")
        box.html(f"<span>Filtered by a click: <b>{escape(drilled)}</b>. Next:</span>")
        box.page_link("views/experts.py", label="its experts", icon=":material/groups:")
        box.page_link("views/quotes.py", label="their quotes", icon=":material/format_quote:")
        box.button("Undo", key="drill_undo", on_click=_undo_drill, icon=":material/undo:")
    if ctx.demo:
        demo_note(ctx.demo_articles, ctx.articles)
    return ctx


def text_caption(value: str) -> None:
    """A caption whose text may come from an article, a file name or a URL: escaped and shown as text
    (``st.caption`` would render Markdown, links, KaTeX and remote images)."""
    st.html(f'<div style="color:rgba(49,51,63,0.65);font-size:0.875rem;overflow-wrap:anywhere">{escape(value)}</div>')


def _widget_defaults(f: Filters) -> dict[str, Any]:
    return {
        K_TYPES: list(f.institution_types), K_INST: list(f.institutions), K_OUTLET: list(f.outlets),
        K_SPEAKER: list(f.speakers), K_FROM: f.date_from, K_TO: f.date_to, K_STANCE: list(f.stances),
        K_KIND: list(f.kinds), K_TARGET: f.on_target_only, K_MIN: f.min_quotes, K_SEARCH: f.search,
        K_LOWCONF: f.hide_low_confidence, K_COPIES: f.every_copy,
    }


def _apply_think_tanks(type_of: dict[str, str]) -> None:
    """The preset keeps picked institutions that are think tanks and says which others it dropped."""
    kept, dropped = keep_of_types(st.session_state.get(K_INST, []), type_of, THINK_TANK_TYPES)
    st.session_state[K_TYPES] = list(THINK_TANK_TYPES)
    st.session_state[K_INST] = list(kept)
    if dropped:
        st.session_state[K_NOTES] = [f"The think-tank preset removed {len(dropped)} picked institution(s) of another "
                                     f"type: {', '.join(dropped)}."]


def _reset() -> None:
    for key, value in _widget_defaults(Filters()).items():
        st.session_state[key] = value
    st.session_state.pop(K_DRILL_NOTE, None)
    st.session_state.pop("_undo", None)


def _undo_drill() -> None:
    for key, value in st.session_state.pop("_undo", {}).items():
        st.session_state[key] = value
    st.session_state.pop(K_DRILL_NOTE, None)


def drill(point: dict[str, Any]) -> None:
    """Turn a clicked bar / heatmap cell / month into filters (applied on the next run, before the widgets)."""
    raw = point.get("customdata")
    if isinstance(raw, list) and raw:  # plotly may hand back customdata wrapped in a list
        raw = raw[0]
    try:
        kind, value = json.loads(raw) if isinstance(raw, str) else (None, None)
    except (ValueError, TypeError):
        return
    if not value:
        return  # e.g. the "other outlets" row
    changes: dict[str, Any]
    if kind == "month":
        start = date.fromisoformat(f"{value}-01")
        changes = {K_FROM: start, K_TO: start.replace(day=calendar.monthrange(start.year, start.month)[1])}
        note = f"month {value}"
    elif kind == "institution":
        changes, note = {K_INST: [value]}, f"institution {value}"
    elif kind == "outlet":
        changes, note = {K_OUTLET: [value]}, f"outlet {value}"
    elif kind == "institution_type":
        changes, note = {K_TYPES: [value], K_INST: []}, f"type {TYPE_LABELS.get(value, value)}"
    elif kind == "speaker":
        changes, note = {K_SPEAKER: [value]}, f"speaker {value}"
    elif kind == "cell" and isinstance(value, list) and len(value) == 2:  # heatmap: [institution, outlet]
        changes, note = {K_INST: [value[0]], K_OUTLET: [value[1]]}, f"{value[0]} in {value[1]}"
    else:
        return
    request_filters(changes, note)


def request_filters(changes: dict[str, Any], note: str) -> None:
    """Queue filter changes for the next run (widget state may not change after the widget is drawn) and rerun."""
    st.session_state["_undo"] = {k: st.session_state.get(k) for k in changes}
    st.session_state[K_DRILL] = changes
    st.session_state[K_DRILL_NOTE] = note
    st.session_state[K_DRILL_GEN] = st.session_state.get(K_DRILL_GEN, 0) + 1  # fresh chart keys: no stale selection
    st.rerun()


def sidebar_filters(options: dict[str, list[str]]) -> Filters:
    """Draw the sidebar filters and return them; the first run of a session starts from the URL."""
    bounds = [date.fromisoformat(d) for d in options.get("date_range", [])]
    lo, hi = (bounds[0], bounds[1]) if len(bounds) == 2 else (None, None)
    if "_filters_seeded" not in st.session_state:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        # A stale or crafted link may carry dates outside the store's: clamp them and say so (issue 15 case 9).
        seeded, notes = clamp_dates(from_query(params), lo, hi)
        st.session_state[K_NOTES] = notes
        for key, value in _widget_defaults(seeded).items():
            st.session_state.setdefault(key, value)
        st.session_state["_filters_seeded"] = True
    else:
        st.session_state.setdefault(K_NOTES, [])
    for key, value in st.session_state.pop(K_DRILL, {}).items():
        st.session_state[key] = value
    # Any date already in the session (typed, drilled, or from a store that since changed) stays in bounds.
    for key in (K_FROM, K_TO):
        value = st.session_state.get(key)
        if isinstance(value, date) and lo and hi and not lo <= value <= hi:
            st.session_state[key] = min(max(value, lo), hi)
    # A URL may name values this store does not have; keep only the offered ones (Streamlit requires it).
    for key, name in ((K_TYPES, "institution_types"), (K_INST, "institutions"), (K_OUTLET, "outlets"),
                      (K_SPEAKER, "speakers")):
        allowed = set(options.get(name, ()))
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v in allowed]

    type_of = dict(p.split("\t", 1) for p in options.get("institution_type_of", []) if "\t" in p)
    sb = st.sidebar
    sb.header("Filters")
    c1, c2 = sb.columns([3, 2])
    c1.button("Think tanks", key=K_PRESET, on_click=_apply_think_tanks, args=(type_of,), width="stretch",
              icon=":material/school:",
              help="One click: show only speakers from think tanks and research institutes "
                   "(picked think tanks are kept).")
    c2.button("Reset", key=K_RESET, on_click=_reset, width="stretch", icon=":material/restart_alt:",
              help="Clear every filter.")
    types = sb.multiselect("Institution type", options.get("institution_types", []), key=K_TYPES,
                           format_func=lambda t: TYPE_LABELS.get(t, t), placeholder="All types")
    # The institution list follows the chosen types (picked ones always stay offered, so nothing vanishes).
    offered = [i for i in options.get("institutions", []) if not types or type_of.get(i) in types]
    offered += [i for i in st.session_state.get(K_INST, []) if i not in offered]
    institutions = sb.multiselect("Institution", offered, key=K_INST, placeholder="All institutions",
                                  help="Only institutions of the chosen types are listed.")
    outlets = sb.multiselect("Outlet", options.get("outlets", []), key=K_OUTLET, placeholder="All outlets")
    speakers = sb.multiselect("Speaker", options.get("speakers", []), key=K_SPEAKER, placeholder="All speakers")
    d1, d2 = sb.columns(2)
    date_from = d1.date_input("From", key=K_FROM, min_value=lo, max_value=hi, format="YYYY-MM-DD")
    date_to = d2.date_input("To", key=K_TO, min_value=lo, max_value=hi, format="YYYY-MM-DD")
    stances = sb.multiselect("Stance", list(STANCES), key=K_STANCE, format_func=STANCE_LABELS.__getitem__,
                             placeholder="All stances", help=STANCE_DEFINITION)
    kinds = sb.multiselect("Kind", list(KINDS), key=K_KIND, placeholder="Direct and indirect")
    on_target = sb.toggle("On-target quotes only", key=K_TARGET,
                          help="Only quotes about Russia–North Korea cooperation itself.")
    min_quotes = sb.number_input("Minimum quotes per group", min_value=1, max_value=1000, step=1, key=K_MIN,
                                 help="Institutions, outlets and experts with fewer quotes are left out; "
                                      "heatmap cells with fewer are greyed.")
    low_conf = sb.toggle(f"Hide low-confidence quotes (< {LOW_CONFIDENCE:.0%})", key=K_LOWCONF,
                         help="Leave out quotes whose stance the model scored with low confidence "
                              "(stored confidence column). Off: every quote is shown.")
    every_copy = sb.toggle("Count every republished copy", key=K_COPIES,
                           help="Off (default): a story republished, translated or reworded by other outlets "
                                "counts once, and so does each quote in it. On: every copy counts.")
    search = sb.text_input("Search quotes, speakers, institutions", key=K_SEARCH, placeholder="e.g. sanctions")
    f = Filters(
        institution_types=tuple(types), institutions=tuple(institutions), outlets=tuple(outlets),
        speakers=tuple(speakers), date_from=date_from if isinstance(date_from, date) else None,
        date_to=date_to if isinstance(date_to, date) else None, stances=tuple(int(s) for s in stances),
        kinds=tuple(kinds), on_target_only=bool(on_target), min_quotes=int(min_quotes), search=search.strip(),
        hide_low_confidence=bool(low_conf), every_copy=bool(every_copy),
    )
    _sync_url(f)
    return f


def _sync_url(f: Filters) -> None:
    """Write the filters to the query string (only when they changed, to keep history clean)."""
    wanted = to_query(f)
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    normalised = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


def chart(fig: go.Figure, key: str, filename: str, *, filters: Filters | None = None, drillable: bool = True,
          n: int | None = None) -> None:
    """A chart with its title as page text (it wraps on a phone), click-to-filter, and PNG / SVG / HTML downloads.

    Downloads are made only when clicked and carry the title, the filters (picked names spelled out), a
    source / date range / n line and, on a store with demo articles, a "fictional demo data" stamp.
    """
    ctx = st.session_state.get(CTX_KEY)
    title = fig.layout.title.text or ""
    heading, _, sub = title.partition("<br><sup>")
    sub = sub.removesuffix("</sup>")
    # Titles and subtitles were escaped for plotly; shown as page HTML they are still only text.
    st.html(f'<div style="font-weight:600;font-size:1.1rem;margin-top:0.4rem">{heading}</div>'
            + (f'<div style="color:rgba(49,51,63,0.65);font-size:0.85rem">{sub}</div>' if sub else ""))
    top = fig.layout.margin.t or 96
    fig.update_layout(title_text="", margin_t=30)
    gen = st.session_state.get(K_DRILL_GEN, 0)
    event = st.plotly_chart(fig, key=f"chart_{key}_{gen}", config=PLOTLY_CONFIG,
                            on_select="rerun" if drillable else "ignore", selection_mode="points")
    if drillable and event is not None:
        points = event.get("selection", {}).get("points", []) if hasattr(event, "get") else []
        if points:
            drill(points[0])
    fig.update_layout(title_text=title, margin_t=top)
    caption = export_caption(ctx, filters, n) if isinstance(ctx, Context) else None
    row = st.container(horizontal=True, gap="small")
    for fmt in export.FORMATS:
        row.download_button(
            fmt.upper(), data=_deferred(fig, fmt, caption), file_name=f"{filename}.{fmt}",
            mime=export.MIME[fmt], key=f"dl_{key}_{fmt}", on_click="ignore", icon=":material/download:",
            disabled=fmt in export.STATIC_FORMATS and export.find_browser() is None,
            help=None if fmt == "html" or export.find_browser() else
            "PNG/SVG export needs Chromium or Chrome (set BROWSER_PATH); HTML still works.",
        )


def export_caption(ctx: Context, filters: Filters | None, n: int | None) -> str:
    """What an exported chart says under its title: filters, source, date range, n, demo stamp."""
    f = filters or ctx.filters
    dates = f"{f.date_from or 'first'} to {f.date_to or 'last'} article date"
    parts = [f"Filters: {describe(f)}", f"Source: {ctx.db.rsplit('/', 1)[-1]} · {dates}"
             + (f" · n = {n:,} quotes" if n is not None else "") + f" · exported {datetime.now():%Y-%m-%d}"]
    if ctx.demo:
        parts.append(f"{DEMO_STAMP}: {ctx.demo_articles:,} of {ctx.articles:,} articles are fictional")
    return "\n".join(parts)


def _deferred(fig: go.Figure, fmt: str, caption: str | None) -> Any:
    def make() -> bytes:
        try:
            return export.figure_bytes(export.with_caption(fig, caption) if caption else fig, fmt)
        except export.ExportUnavailable as exc:
            # The download already started; hand back a readable file instead of a broken image.
            return str(exc).encode("utf-8")

    return make


def no_matches(f: Filters) -> None:
    """The empty state for filters that match nothing."""
    st.warning("No quotes match these filters. Widen them or reset.", icon=":material/search_off:")
    text_caption(f"Filters: {describe(f)}")
    st.button("Reset filters", key="reset_from_empty", on_click=_reset)


def demo_note(demo_articles: int = 0, articles: int = 0) -> None:
    """Say plainly that (some of) the data are the fictional demo corpus, whenever any demo article is stored."""
    share = (f"{demo_articles:,} of the {articles:,} stored articles are" if articles and demo_articles < articles
             else "Every stored article is")
    st.info(f"**Fictional demo data.** {share} from the bundled *fictional* demo corpus "
            "(`data/articles`): invented people, institutions and outlets, for trying the tool. Charts and "
            "downloads from this store are stamped accordingly. Add real articles on the *Add articles* page or "
            "ingest them with the CLI into a separate store.", icon=":material/science:")


def escape(text: object) -> str:
    """Text from articles made safe for ``st.html`` (no HTML injection)."""
    return html.escape("" if text is None else str(text))


def with_filters(f: Filters, **changes: Any) -> Filters:
    """A copy of the filters with some fields changed."""
    return replace(f, **changes)


def progress_callback(bar: Any) -> Any:
    """An ``on_progress`` for ``analysis.service``: accepts (done, total, ...) or a fraction."""

    def update(*args: Any, **kwargs: Any) -> None:
        numbers = [a for a in args if isinstance(a, int | float) and not isinstance(a, bool)]
        label: str | None = next((str(a) for a in args if isinstance(a, str)), None)
        if len(numbers) >= 2 and numbers[1]:
            fraction = numbers[0] / numbers[1]
            text: str | None = f"{int(numbers[0])} of {int(numbers[1])}" + (f" · {label}" if label else "")
        elif len(numbers) >= 2:  # total not known yet (a directory being listed, a URL being fetched)
            fraction = 1 - 1 / (1 + numbers[0] / 10)
            text = f"{int(numbers[0])} done" + (f" · {label}" if label else "")
        elif numbers:
            fraction, text = float(numbers[0]), label
        else:
            return
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    return update


def show_outcome(outcome: Any) -> None:
    """Summarise an ingest: what was stored, and one row per file that failed (no tracebacks)."""
    if outcome.articles or outcome.quotes:
        st.success(f"Stored {outcome.articles} article(s) with {outcome.quotes} quote(s).", icon=":material/check_circle:")
    if outcome.already_stored:
        st.info(f"{outcome.already_stored} article(s) were already in the store.")
    if outcome.problems:
        st.error(f"{len(outcome.problems)} source(s) could not be added:")
        st.dataframe(
            {"source": [p[0] for p in outcome.problems], "reason": [p[1] for p in outcome.problems]},
            hide_index=True, key=None,
        )
    if not (outcome.articles or outcome.quotes or outcome.already_stored or outcome.problems):
        st.warning("Nothing was read.")
