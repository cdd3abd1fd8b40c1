"""Streamlit building blocks shared by the views: the sidebar filters (synced with the URL), the page
context, charts with download buttons, and empty states. Layout helpers only; data comes from ``data``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard import export
from dashboard.filters import (
    KINDS,
    STANCES,
    THINK_TANK_TYPES,
    TYPE_LABELS,
    Filters,
    describe,
    from_query,
    to_query,
)

CTX_KEY = "_dashboard_ctx"
STANCE_LABELS = {-1: "−1 against", 0: "0 neutral", 1: "+1 for"}
DEMO_COMMAND = ".venv/bin/stance ingest data/articles"

# Widget keys of the sidebar; one per Filters field (the URL keys live in dashboard.filters).
K_TYPES, K_INST, K_OUTLET, K_SPEAKER = "f_types", "f_inst", "f_outlet", "f_speaker"
K_FROM, K_TO, K_STANCE, K_KIND = "f_from", "f_to", "f_stance", "f_kind"
K_TARGET, K_MIN, K_SEARCH = "f_on_target", "f_min", "f_search"
K_PRESET, K_RESET = "preset_think_tanks", "reset_filters"


@dataclass(frozen=True, slots=True)
class Context:
    """What every view needs: the store, its version token and the active filters."""

    db: str
    version: str
    filters: Filters
    demo: bool


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
    st.title(title)
    if caption:
        st.caption(f"{caption} · Filters: {describe(ctx.filters)}")
    if ctx.demo:
        demo_note()
    return ctx


def _widget_defaults(f: Filters) -> dict[str, Any]:
    return {
        K_TYPES: list(f.institution_types), K_INST: list(f.institutions), K_OUTLET: list(f.outlets),
        K_SPEAKER: list(f.speakers), K_FROM: f.date_from, K_TO: f.date_to, K_STANCE: list(f.stances),
        K_KIND: list(f.kinds), K_TARGET: f.on_target_only, K_MIN: f.min_quotes, K_SEARCH: f.search,
    }


def _apply_think_tanks() -> None:
    st.session_state[K_TYPES] = list(THINK_TANK_TYPES)
    st.session_state[K_INST] = []


def _reset() -> None:
    for key, value in _widget_defaults(Filters()).items():
        st.session_state[key] = value


def sidebar_filters(options: dict[str, list[str]]) -> Filters:
    """Draw the sidebar filters and return them; the first run of a session starts from the URL."""
    if "_filters_seeded" not in st.session_state:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        seeded = from_query(params)
        for key, value in _widget_defaults(seeded).items():
            st.session_state.setdefault(key, value)
        st.session_state["_filters_seeded"] = True
    # A URL may name values this store does not have; keep only the offered ones (Streamlit requires it).
    for key, name in ((K_TYPES, "institution_types"), (K_INST, "institutions"), (K_OUTLET, "outlets"),
                      (K_SPEAKER, "speakers")):
        allowed = set(options.get(name, ()))
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v in allowed]

    sb = st.sidebar
    sb.header("Filters")
    c1, c2 = sb.columns([3, 2])
    c1.button("Think tanks", key=K_PRESET, on_click=_apply_think_tanks, width="stretch", icon=":material/school:",
              help="One click: show only speakers from think tanks and research institutes.")
    c2.button("Reset", key=K_RESET, on_click=_reset, width="stretch", icon=":material/restart_alt:",
              help="Clear every filter.")
    types = sb.multiselect("Institution type", options.get("institution_types", []), key=K_TYPES,
                           format_func=lambda t: TYPE_LABELS.get(t, t), placeholder="All types")
    institutions = sb.multiselect("Institution", options.get("institutions", []), key=K_INST,
                                  placeholder="All institutions")
    outlets = sb.multiselect("Outlet", options.get("outlets", []), key=K_OUTLET, placeholder="All outlets")
    speakers = sb.multiselect("Speaker", options.get("speakers", []), key=K_SPEAKER, placeholder="All speakers")
    bounds = [date.fromisoformat(d) for d in options.get("date_range", [])]
    lo, hi = (bounds[0], bounds[1]) if len(bounds) == 2 else (None, None)
    d1, d2 = sb.columns(2)
    date_from = d1.date_input("From", key=K_FROM, min_value=lo, max_value=hi, format="YYYY-MM-DD")
    date_to = d2.date_input("To", key=K_TO, min_value=lo, max_value=hi, format="YYYY-MM-DD")
    stances = sb.multiselect("Stance", list(STANCES), key=K_STANCE, format_func=STANCE_LABELS.__getitem__,
                             placeholder="All stances")
    kinds = sb.multiselect("Kind", list(KINDS), key=K_KIND, placeholder="Direct and indirect")
    on_target = sb.toggle("On-target quotes only", key=K_TARGET,
                          help="Only quotes about Russia–North Korea cooperation itself.")
    min_quotes = sb.number_input("Minimum quotes per group", min_value=1, max_value=1000, step=1, key=K_MIN,
                                 help="Institutions, outlets and experts with fewer quotes are left out; "
                                      "heatmap cells with fewer are greyed.")
    search = sb.text_input("Search quotes, speakers, institutions", key=K_SEARCH, placeholder="e.g. sanctions")
    f = Filters(
        institution_types=tuple(types), institutions=tuple(institutions), outlets=tuple(outlets),
        speakers=tuple(speakers), date_from=date_from if isinstance(date_from, date) else None,
        date_to=date_to if isinstance(date_to, date) else None, stances=tuple(int(s) for s in stances),
        kinds=tuple(kinds), on_target_only=bool(on_target), min_quotes=int(min_quotes), search=search.strip(),
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


def chart(fig: go.Figure, key: str, filename: str, *, filters: Filters | None = None) -> None:
    """A chart with PNG / SVG / HTML download buttons (bytes made only when clicked).

    Downloaded files carry the active filters under the title, so a chart pasted in a report says what it shows.
    """
    st.plotly_chart(fig, key=f"chart_{key}", config={"displaylogo": False})
    row = st.container(horizontal=True, gap="small")
    for fmt in export.FORMATS:
        row.download_button(
            fmt.upper(), data=_deferred(fig, fmt, describe(filters) if filters else None), file_name=f"{filename}.{fmt}",
            mime=export.MIME[fmt], key=f"dl_{key}_{fmt}", on_click="ignore", icon=":material/download:",
            disabled=fmt in export.STATIC_FORMATS and export.find_browser() is None,
            help=None if fmt == "html" or export.find_browser() else
            "PNG/SVG export needs Chromium or Chrome (set BROWSER_PATH); HTML still works.",
        )


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
    st.warning(f"No quotes match these filters ({describe(f)}). Widen them or reset.", icon=":material/search_off:")
    st.button("Reset filters", key="reset_from_empty", on_click=_reset)


def demo_note() -> None:
    """Say plainly that the data are the fictional demo corpus."""
    st.info("**Demo data.** Everything shown comes from the bundled *fictional* demo articles "
            "(`data/articles`): invented people, institutions and outlets, for trying the tool. "
            "Add real articles on the *Add articles* page or ingest them with the CLI.", icon=":material/science:")


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
