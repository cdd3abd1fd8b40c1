"""Overview: headline numbers, then stance by institution, by outlet and by institution type.

Every bar chart ranks by the shrunk mean (``charts.PRIOR_QUOTES``), shows n per row and the all-quotes mean as a
dashed "all" line; a click on a bar filters every view to that group.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, queries, ui

TOP = 15
TOP_OUTLETS = 12

ctx = ui.page_header("How do the quoted experts assess Russia–North Korea cooperation?",
                     "Stance = does the speaker judge the cooperation deepening (+1) or limited (−1)? "
                     "Not whether they approve of it.")
f = ctx.filters

h = data.headline(ctx.db, ctx.version, f)
if h.quotes == 0:
    ui.no_matches(f)
    st.stop()

copies = "every republished copy counted" if f.every_copy else "copies of one story counted once"
row = st.columns(6)
for col, (label, value, tip) in zip(row, (
        ("Articles", h.articles, "Articles with a matching quote, republished copies included."),
        ("Stories", h.stories, "Distinct stories: an article and its republished, trimmed or reworded copies "
                               "are one story."),
        ("Quotes", h.quotes, f"Quotes under the filters ({copies})."),
        ("Speakers", h.speakers, "People, one per person across spellings."),
        ("Institutions", h.institutions, "Institutions, one per institution across spellings."),
        ("Outlets", h.outlets, "Publishers (a syndicated or hosted copy counts for its publisher).")), strict=True):
    col.metric(label, f"{value:,}", border=True, help=tip)
shares = st.columns(3)
for col, stance in zip(shares, (1, 0, -1), strict=True):
    count = {1: h.positive, 0: h.neutral, -1: h.negative}[stance]
    col.metric(charts.STANCE_NAMES[stance], f"{h.share(stance):.0%}", border=True,
               help=f"{count:,} of {h.quotes:,} quotes. {charts.STANCE_DEFINITION}")
if h.undated:
    st.caption(f"{h.undated:,} quote(s) come from articles with an unknown date; they are counted here.")

baseline = data.baseline_mean(ctx.db, ctx.version, f)
rank_note = (f"ranked by mean shrunk toward the overall mean ({charts.PRIOR_QUOTES} pseudo-quotes) · "
             f"n on every row, pale = fewer than {charts.SMALL_GROUP} · ≥{f.min_quotes} quotes each")
show_all = st.toggle("Show all institutions", key="show_all_institutions",
                     help=f"Otherwise the {TOP} most-quoted institutions.")
df, total = data.stance_by(ctx.db, ctx.version, f, "institution", None if show_all else TOP)
shown = f"{len(df)} of {total} institutions" + ("" if show_all or total <= TOP else ", the most quoted")
ui.chart(
    charts.diverging_bars(df, group="institution", baseline=baseline,
                          title="Which institutions' experts see the cooperation deepening, and which see it limited?",
                          subtitle=f"{shown} · {rank_note} · click a bar to filter"),
    "institution", "stance_by_institution", filters=f, n=int(df["n"].sum()) if len(df) else 0,
)

left, right = st.columns(2)
with left:
    by = st.selectbox("Group outlets by", list(queries.OUTLET_GROUPS), key="outlet_group",
                      format_func=queries.OUTLET_GROUPS.__getitem__,
                      help="The publisher (a copy carried by another site counts for its publisher), the host "
                           "site, or the publisher's country, ownership, or state/public vs private.")
    all_outlets = st.toggle("Show all outlets", key="show_all_outlets",
                            help=f"Otherwise the {TOP_OUTLETS} largest groups, the rest as one row.")
    df, total = data.stance_by(ctx.db, ctx.version, f, by, None)
    df = df if all_outlets else charts.fold_rest(df, TOP_OUTLETS)
    what = queries.OUTLET_GROUPS[by].lower()
    ui.chart(charts.diverging_bars(df, group=by, title="How do the quotes each outlet carries assess it?",
                                   subtitle=f"{total} groups by {what} · ≥{f.min_quotes} quotes each"
                                            + (" · click a bar to filter" if by == "outlet" else ""),
                                   baseline=baseline),
             "outlet", "stance_by_outlet", filters=f, n=int(df["n"].sum()) if len(df) else 0,
             drillable=by == "outlet")
with right:
    df, total = data.stance_by(ctx.db, ctx.version, f, "institution_type", None)
    ui.chart(charts.diverging_bars(df, group="institution_type", baseline=baseline,
                                   title="Do think tanks, governments and universities differ?",
                                   subtitle=f"{total} institution types · ≥{f.min_quotes} quotes each"),
             "institution_type", "stance_by_institution_type", filters=f, n=int(df["n"].sum()) if len(df) else 0)
