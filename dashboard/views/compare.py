"""Institution × outlet heatmap of mean stance, stance over time by article month, and small multiples over
time per selected institution (or per institution type) against all quotes."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, ui
from dashboard.filters import TYPE_LABELS

ctx = ui.page_header("Institutions × outlets, and over time")
f = ctx.filters
h = data.headline(ctx.db, ctx.version, f)
if h.quotes == 0:
    ui.no_matches(f)
    st.stop()

ui.chart(
    charts.heatmap(data.heatmap(ctx.db, ctx.version, f), min_quotes=f.min_quotes,
                   title="Does an institution sound different depending on the outlet quoting it?",
                   subtitle=f"Mean stance per cell, number = quotes; white cells with a (count) have fewer than "
                            f"{f.min_quotes} quotes · most-quoted institutions and outlets · click a cell to filter"),
    "heatmap", "institution_outlet_heatmap", filters=f, n=h.quotes,
)

undated = h.undated if not f.dated_only else 0
note = (f"{undated:,} quote(s) from articles with an unknown date are not on the time axis."
        if undated else "Every quote shown has an article date.")
ui.chart(
    charts.timeline(data.timeline(ctx.db, ctx.version, f), title="How has the stance changed over time?",
                    subtitle=f"Quotes per month; below, the monthly mean with a 95 % band (hollow: fewer than "
                             f"{f.min_quotes} quotes) · {note} · click a month to filter", min_quotes=f.min_quotes),
    "timeline", "stance_over_time", filters=f, n=h.quotes - undated,
)
if undated:
    st.caption(f"{note} They are included in every other chart.")
elif f.dated_only:
    st.caption("A date range is set, so articles with an unknown date are excluded everywhere.")

# Small multiples: the picked institutions (else the picked types, else the largest types) against all quotes.
if f.institutions:
    group, values, what = "institution", f.institutions[:8], "picked institution"
else:
    group, values, what = "institution_type", f.institution_types, "institution type"
multi = data.group_timeline(ctx.db, ctx.version, f, group, tuple(values))
if group == "institution_type":
    multi = multi.assign(group=[TYPE_LABELS.get(str(g), str(g)) for g in multi["group"]])
everyone = data.timeline(ctx.db, ctx.version, ui.with_filters(f, institution_types=(), institutions=(), outlets=(),
                                                                speakers=()))
ui.chart(
    charts.small_multiples(multi, baseline=everyone, min_quotes=f.min_quotes,
                           title=f"Over time, per {what}: selection vs all quotes",
                           subtitle=f"Monthly mean stance (black, months with ≥{f.min_quotes} quotes) against the "
                                    "mean of all quotes under the same dates and stance filters (grey)"),
    "multiples", "stance_over_time_per_group", filters=f, n=int(multi["n"].sum()) if len(multi) else 0,
)
