"""Overview: headline numbers, then stance by institution, by outlet and by institution type."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, ui

TOP = 15

ctx = ui.page_header("Stance on Russia–North Korea cooperation",
                     "Who is quoted in the news, and do they speak for or against it?")
f = ctx.filters

h = data.headline(ctx.db, ctx.version, f)
if h.quotes == 0:
    ui.no_matches(f)
    st.stop()

row = st.columns(5)
for col, (label, value) in zip(row, (("Articles", h.articles), ("Quotes", h.quotes), ("Speakers", h.speakers),
                                    ("Institutions", h.institutions), ("Outlets", h.outlets)), strict=True):
    col.metric(label, f"{value:,}", border=True)
shares = st.columns(3)
for col, stance in zip(shares, (1, 0, -1), strict=True):
    count = {1: h.positive, 0: h.neutral, -1: h.negative}[stance]
    col.metric(charts.STANCE_NAMES[stance], f"{h.share(stance):.0%}", border=True,
               help=f"{count:,} of {h.quotes:,} quotes")
if h.undated:
    st.caption(f"{h.undated:,} quote(s) come from articles with an unknown date; they are counted here.")

show_all = st.toggle("Show all institutions", key="show_all_institutions",
                     help=f"Otherwise the {TOP} most-quoted institutions.")
df, total = data.stance_by(ctx.db, ctx.version, f, "institution", None if show_all else TOP)
shown = f"{len(df)} of {total} institutions" + ("" if show_all or total <= TOP else ", the most quoted")
ui.chart(
    charts.diverging_bars(df, group="institution", title="Which institutions' experts support the cooperation, "
                          "and which oppose it?",
                          subtitle=f"Quotes by stance, sorted by mean stance · {shown} · ≥{f.min_quotes} quotes each"),
    "institution", "stance_by_institution", filters=f,
)

left, right = st.columns(2)
with left:
    df, total = data.stance_by(ctx.db, ctx.version, f, "outlet", None)
    ui.chart(charts.diverging_bars(df, group="outlet", title="Whose views does each outlet quote?",
                                   subtitle=f"{total} outlets · ≥{f.min_quotes} quotes each"),
             "outlet", "stance_by_outlet", filters=f)
with right:
    df, total = data.stance_by(ctx.db, ctx.version, f, "institution_type", None)
    ui.chart(charts.diverging_bars(df, group="institution_type",
                                   title="Do think tanks, governments and universities differ?",
                                   subtitle=f"{total} institution types · ≥{f.min_quotes} quotes each"),
             "institution_type", "stance_by_institution_type", filters=f)
