"""Experts: one row per person (every spelling of a name merged, the spellings listed) with institution(s), quote
count, mean stance and a three-colour mini bar; ticking a row filters every view to that person and opens their
quotes. Below, one row per institution, merged across spellings the same way."""

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

merged = int((df["n_spellings"] > 1).sum())
ui.text_caption(f"{len(df):,} speakers with ≥{f.min_quotes} quotes"
                + (f" · {merged:,} of them quoted under more than one spelling (merged)" if merged else "")
                + " · tick a row to read that speaker's quotes")
table = df.assign(
    stances=[charts.stance_strip_svg(a, b, c) for a, b, c in zip(df["neg"], df["neu"], df["pos"], strict=True)],
    institutions=df["institutions"].fillna("—").replace("", "—"),
    types=["; ".join(TYPE_LABELS.get(t, t) for t in str(v).split("; ")) if v else "—" for v in df["types"]],
)
event = st.dataframe(
    table,
    key=f"experts_table_{st.session_state.get(ui.K_DRILL_GEN, 0)}",
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    width="stretch",
    column_order=("speaker", "n", "mean", "stances", "institutions", "types", "spellings", "stories", "last"),
    column_config={
        "speaker": st.column_config.TextColumn("Speaker", width="medium", pinned=True),
        "n": st.column_config.NumberColumn("n", format="%d", help="Quotes under the filters", width="small"),
        "mean": st.column_config.NumberColumn("Mean", format="%+.2f", width="small",
                                              help=charts.STANCE_DEFINITION),
        "stances": st.column_config.ImageColumn("limited · no call · deepening", width="small",
                                                help="Share of the speaker's quotes: red −1 limited, grey 0 no "
                                                     "call, blue +1 deepening"),
        "institutions": st.column_config.TextColumn("Institution(s)", width="medium"),
        "types": st.column_config.TextColumn("Type", width="small"),
        "spellings": st.column_config.TextColumn("Spellings", width="medium",
                                                 help="Every form of the name seen in the articles (one person)"),
        "stories": st.column_config.NumberColumn("Stories", format="%d", width="small",
                                                 help="Distinct stories quoting them (copies are one story)"),
        "last": st.column_config.DateColumn("Last quoted", width="small"),
    },
)
rows = event.selection.rows if event is not None else []
if rows:
    speaker = str(table.iloc[rows[0]]["speaker"])
    st.session_state[ui.K_DRILL] = {ui.K_SPEAKER: [speaker]}
    st.session_state["_undo"] = {ui.K_SPEAKER: st.session_state.get(ui.K_SPEAKER)}
    st.session_state[ui.K_DRILL_NOTE] = f"speaker {speaker}"
    st.session_state[ui.K_DRILL_GEN] = st.session_state.get(ui.K_DRILL_GEN, 0) + 1
    st.switch_page("views/quotes.py")

top = df.head(TOP).rename(columns={"speaker": "group"})
ui.chart(charts.diverging_bars(top, group="speaker", title="Where do the most-quoted experts stand?",
                               subtitle=f"The {len(top)} most-quoted speakers, ranked by shrunk mean · click a bar "
                                        "to filter",
                               baseline=data.baseline_mean(ctx.db, ctx.version, f)),
         "experts", "stance_by_expert", filters=f, n=int(top["n"].sum()))

institutions = data.institutions(ctx.db, ctx.version, f)
st.subheader("Institutions")
if institutions.empty:
    st.caption(f"No institution has at least {f.min_quotes} quotes under these filters.")
else:
    ui.text_caption(f"{len(institutions):,} institutions with ≥{f.min_quotes} quotes, each spelling of a name merged")
    st.dataframe(
        institutions.assign(
            stances=[charts.stance_strip_svg(a, b, c) for a, b, c in
                     zip(institutions["neg"], institutions["neu"], institutions["pos"], strict=True)],
            institution_type=institutions["institution_type"].map(lambda t: TYPE_LABELS.get(t, t) if t else "—"),
        ),
        key="institutions_table", hide_index=True, width="stretch",
        column_order=("institution", "n", "mean", "stances", "institution_type", "people", "stories", "spellings"),
        column_config={
            "institution": st.column_config.TextColumn("Institution", width="medium", pinned=True),
            "n": st.column_config.NumberColumn("n", format="%d", width="small", help="Quotes under the filters"),
            "mean": st.column_config.NumberColumn("Mean", format="%+.2f", width="small",
                                                  help=charts.STANCE_DEFINITION),
            "stances": st.column_config.ImageColumn("limited · no call · deepening", width="small"),
            "institution_type": st.column_config.TextColumn("Type", width="small"),
            "people": st.column_config.NumberColumn("People", format="%d", width="small"),
            "stories": st.column_config.NumberColumn("Stories", format="%d", width="small"),
            "spellings": st.column_config.TextColumn("Spellings", width="medium",
                                                     help="Every form of the name seen in the articles"),
        },
    )
