"""Experts: one row per speaker with institution(s), quote count, mean stance and a mini bar."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, ui
from dashboard.filters import TYPE_LABELS

TOP = 25

ctx = ui.page_header("Experts and officials")
f = ctx.filters
df = data.experts(ctx.db, ctx.version, f)
if df.empty:
    if data.headline(ctx.db, ctx.version, f).quotes == 0:
        ui.no_matches(f)
    else:
        st.warning(f"No speaker has at least {f.min_quotes} quotes under these filters; lower "
                   "“Minimum quotes per group” in the sidebar.")
    st.stop()

st.caption(f"{len(df):,} speakers with ≥{f.min_quotes} quotes · {ui.describe(f)}")
table = df.assign(
    stances=[charts.stance_strip(a, b, c) for a, b, c in zip(df["neg"], df["neu"], df["pos"], strict=True)],
    types=["; ".join(TYPE_LABELS.get(t, t) for t in str(v).split("; ")) if v else None for v in df["types"]],
)
st.dataframe(
    table,
    key="experts_table",
    hide_index=True,
    column_order=("speaker", "institutions", "types", "n", "mean", "stances", "first", "last"),
    column_config={
        "speaker": st.column_config.TextColumn("Speaker", width="medium"),
        "institutions": st.column_config.TextColumn("Institution(s)", width="large"),
        "types": st.column_config.TextColumn("Type"),
        "n": st.column_config.NumberColumn("Quotes", format="%d"),
        "mean": st.column_config.NumberColumn("Mean stance", format="%+.2f",
                                              help="−1 against … +1 for the cooperation"),
        "stances": st.column_config.BarChartColumn("Against · neutral · for", y_min=0,
                                                   help="Quote counts: −1, 0, +1"),
        "first": st.column_config.DateColumn("First quoted"),
        "last": st.column_config.DateColumn("Last quoted"),
    },
)
top = df.head(TOP).rename(columns={"speaker": "group"})
ui.chart(charts.diverging_bars(top, group="speaker", title="Where do the most-quoted experts stand?",
                               subtitle=f"The {len(top)} most-quoted speakers, sorted by mean stance"),
         "experts", "stance_by_expert", filters=f)
