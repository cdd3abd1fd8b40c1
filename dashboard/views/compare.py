"""Institution × outlet heatmap of mean stance, and stance over time by article month."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, ui

ctx = ui.page_header("Institutions × outlets, and over time")
f = ctx.filters
h = data.headline(ctx.db, ctx.version, f)
if h.quotes == 0:
    ui.no_matches(f)
    st.stop()

ui.chart(
    charts.heatmap(data.heatmap(ctx.db, ctx.version, f), min_quotes=f.min_quotes,
                   title="Does an institution sound different depending on the outlet quoting it?",
                   subtitle=f"Mean stance per cell, number = quotes; grey cells have fewer than "
                            f"{f.min_quotes} quotes · most-quoted institutions and outlets"),
    "heatmap", "institution_outlet_heatmap", filters=f,
)

undated = h.undated if not f.dated_only else 0
note = (f"{undated:,} quote(s) from articles with an unknown date are not on the time axis."
        if undated else "Every quote shown has an article date.")
ui.chart(
    charts.timeline(data.timeline(ctx.db, ctx.version, f), title="How has the stance changed over time?",
                    subtitle=f"Quotes per month of article publication · {note}"),
    "timeline", "stance_over_time", filters=f,
)
if undated:
    st.caption(f"{note} They are included in every other chart.")
elif f.dated_only:
    st.caption("A date range is set, so articles with an unknown date are excluded everywhere.")
