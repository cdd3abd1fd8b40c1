"""Quote explorer: the filtered quotes as a sortable table; a selected quote shows its paragraph with the
quote highlighted, the stance evidence, the source link, every outlet that carried the quote (republished copies
included), and a stance override that writes to the store (on the story's quote: copies follow it)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, export, highlight, queries, ui
from dashboard.filters import TYPE_LABELS

LIMIT = 2000
SELECTED = "selected_quote"
# The stance as a coloured label in the first column, so it sits next to the quote, never off-screen.
# (Plain symbols, not emoji: headless and many desktop Linux browsers have no colour-emoji font.)
STANCE_BADGE = {1: "▲ +1 deepening", 0: "● 0 no call", -1: "▼ −1 limited"}
BADGE_COLOURS = {1: charts.POSITIVE, 0: "#6b6b6b", -1: charts.NEGATIVE}

ctx = ui.page_header("Quote explorer")
f = ctx.filters
total = data.count_quotes(ctx.db, ctx.version, f)
if total == 0:
    ui.no_matches(f)
    st.stop()

top, sort_col = st.columns([3, 1])
sort = sort_col.selectbox("Order", list(queries.SORTS), key="quote_sort")
table = data.quotes_table(ctx.db, ctx.version, f, sort, LIMIT)
table["institution_type"] = table["institution_type"].map(lambda t: TYPE_LABELS.get(t, t))
table["badge"] = table["stance"].map(lambda v: STANCE_BADGE.get(int(v), str(v)))
with top:
    ui.text_caption(
        f"{total:,} quotes match"
        + (f" · showing the first {LIMIT:,} (“{sort}”); narrow the filters or download all" if total > LIMIT else "")
        + " · search with the sidebar box or the table toolbar · tick a row for its context"
    )
badge_colour = {STANCE_BADGE[k]: f"color: {v}; font-weight: 600" for k, v in BADGE_COLOURS.items()}
event = st.dataframe(
    table.style.map(lambda v: badge_colour.get(v, ""), subset=["badge"]),
    key="quote_table",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    height=380,
    column_order=("badge", "quote", "speaker", "institution", "outlet", "date", "confidence", "role",
                  "institution_type", "score", "sentiment", "kind", "overridden")
                 + (("is_copy",) if f.every_copy else ()),
    column_config={
        "badge": st.column_config.TextColumn("Stance", width=120, pinned=True,
                                             help="Effective stance (after overrides). " + charts.STANCE_DEFINITION),
        "quote": st.column_config.TextColumn("Quote", width="large"),
        "confidence": st.column_config.ProgressColumn("Confidence", min_value=0.0, max_value=1.0, format="%.2f",
                                                      width="small", help="The model's confidence in its stance"),
        "speaker": "Speaker", "role": "Role", "institution": "Institution",
        "institution_type": "Type", "outlet": "Outlet",
        "date": st.column_config.DateColumn("Date"),
        "score": st.column_config.NumberColumn("Score", format="%+.2f"),
        "sentiment": st.column_config.NumberColumn("Sentiment", format="%+.2f", help="VADER compound, for reference"),
        "kind": "Kind",
        "overridden": st.column_config.CheckboxColumn("Overridden"),
        "is_copy": st.column_config.CheckboxColumn("Copy", help="A republished copy's repeat of a story's quote"),
    },
)
downloads = st.container(horizontal=True, gap="small")
stamp = ctx.demo
downloads.download_button("CSV (all matching)", icon=":material/download:",
                          data=lambda: export.table_csv(export.stamped(data.export_table(ctx.db, f), stamp)),
                    file_name="quotes.csv", mime=export.MIME["csv"], key="dl_quotes_csv", on_click="ignore")
downloads.download_button("Parquet (all matching)", icon=":material/download:",
                          data=lambda: export.table_parquet(export.stamped(data.export_table(ctx.db, f), stamp)),
                   file_name="quotes.parquet", mime=export.MIME["parquet"], key="dl_quotes_parquet",
                   on_click="ignore")

rows = event.selection.rows if event is not None else []
if rows:
    st.session_state[SELECTED] = str(table.iloc[rows[0]]["id"])
quote_id = st.session_state.get(SELECTED)
if not quote_id:
    st.info("Select a row to read the quote in its paragraph, see the stance evidence, or correct the stance.")
    st.stop()
q = data.quote_detail(ctx.db, ctx.version, quote_id)
if q is None:
    st.session_state.pop(SELECTED, None)
    st.stop()

st.divider()
left, right = st.columns([3, 2])
with left:
    title = q.get("title") or q.get("article_name") or "article"
    date = q.get("date")
    eff = int(q["effective_stance"])
    # Speaker, role, outlet and title come from the article: escaped HTML, never Markdown.
    st.html(
        f'<div style="display:flex;flex-wrap:wrap;gap:0.5rem;align-items:center;margin-bottom:0.2rem">'
        f'<span style="background:{BADGE_COLOURS[eff]};color:white;border-radius:0.4rem;padding:0.1rem 0.5rem;'
        f'font-weight:600" title="{ui.escape(charts.STANCE_DEFINITION)}">{ui.escape(ui.STANCE_LABELS[eff])}</span>'
        f'<span style="font-size:1.3rem;font-weight:600">{ui.escape(q["speaker"])}'
        f'{ui.escape(", " + str(q["role"])) if q.get("role") else ""}</span></div>'
    )
    ui.text_caption(" · ".join(str(v) for v in (q.get("institution"), q.get("outlet"), date, title) if v))
    cues = [str(e[0]) for e in q["evidence"] if isinstance(e, list | tuple) and e]
    st.html(highlight.paragraph_html(str(q["article_text"]), q["segments"], int(q["start_char"]),
                                     int(q["end_char"]), terms=[f.search, *cues]))
    st.caption("Highlighted: the quote; underlined: the search text and the stance cue words.")
    url = q.get("url")
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        st.link_button("Open the source article ↗", url)
    carried = data.carriers(ctx.db, ctx.version, quote_id)
    st.markdown(f"**Carried by {len(carried):,} article(s)**" if len(carried) != 1 else "**Carried by 1 article**")
    st.caption("The story's first article and every republished, trimmed or reworded copy that repeats the quote.")
    st.dataframe(
        carried, key="quote_carriers", hide_index=True, width="stretch",
        column_order=("publisher", "host", "outlet", "date", "is_copy", "url", "title"),
        column_config={"publisher": "Publisher", "host": "Host", "outlet": "Outlet line",
                       "date": st.column_config.DateColumn("Date"),
                       "is_copy": st.column_config.CheckboxColumn("Copy"),
                       "url": st.column_config.LinkColumn("Link", display_text="open ↗"),
                       "title": "Title"},
    )
with right:
    st.metric("Stance", ui.STANCE_LABELS[eff],
              delta=("analyst override" if q.get("overridden") else f"model, confidence {q['confidence']:.0%}"),
              delta_color="off", delta_arrow="off")
    st.caption(f"Model stance {ui.STANCE_LABELS[int(q['model_stance'])]} · score {q['score']:+.2f} · "
               f"sentiment {q['sentiment']:+.2f} · {q['kind']}"
               + ("" if q.get("on_target") else " · not about the cooperation itself"))
    evidence = pd.DataFrame(q["evidence"], columns=["phrase", "polarity", "weight", "modifier"])
    if evidence.empty:
        st.caption("No stance cue found in this quote (scored neutral).")
    else:
        st.dataframe(evidence, hide_index=True, key="evidence_table",
                     column_config={"phrase": "Cue", "polarity": st.column_config.NumberColumn("Polarity", format="%+d"),
                                    "weight": st.column_config.NumberColumn("Weight", format="%.2f"),
                                    "modifier": "Modifier"})
    if q.get("override_note"):
        ui.text_caption(f"Override note: {q['override_note']}")
    # An override belongs to the story's quote; a copy's repeat follows it (copies are not counted on their own).
    target = str(q.get("canonical_quote_id") or quote_id)
    story_quote = q if target == quote_id else (data.quote_detail(ctx.db, ctx.version, target) or q)
    if target != quote_id:
        st.caption("This row is a republished copy: a correction is saved on the story's quote it repeats"
                   + (f" (now {ui.STANCE_LABELS[int(story_quote['effective_stance'])]})."
                      if story_quote.get("overridden") else "."))
    if data.read_only(ctx.db):
        st.caption("This is a read-only Parquet dataset: ingest it into a DuckDB store to record overrides.")
    else:
        with st.form("override_form", border=True):
            st.markdown("**Correct the stance**")
            choice = st.radio("Stance", [-1, 0, 1], index=[-1, 0, 1].index(eff), horizontal=True,
                              format_func=ui.STANCE_LABELS.__getitem__, key="override_stance",
                              help=charts.STANCE_DEFINITION)
            note = st.text_input("Note (why)", key="override_note", max_chars=300)
            # Typed once per session: the name stays in the session and goes into the override history.
            # (widget state is dropped when the page changes, so the name is also kept under a plain session key)
            who = st.text_input("Your name", key=ui.K_ANALYST, max_chars=80, placeholder="for the override history",
                                value=st.session_state.get(ui.K_ANALYST_KEPT, ""))
            saved = st.form_submit_button("Save override", type="primary")
        if saved:
            st.session_state[ui.K_ANALYST_KEPT] = who.strip()
            data.set_override(ctx.db, target, int(choice), note.strip() or None, who=who.strip() or None)
            st.toast("Override saved; the charts now use it.")
            st.rerun()
        if story_quote.get("overridden") and st.button("Clear override (back to the model)", key="clear_override"):
            data.clear_override(ctx.db, target, who=st.session_state.get(ui.K_ANALYST_KEPT) or None)
            st.rerun()
    log = data.override_log(ctx.db, ctx.version)
    mine = log[log["quote_id"] == target] if len(log) else log
    if len(mine):
        st.markdown("**Override history**")
        st.dataframe(mine[["changed_at", "who", "old_stance", "new_stance", "note"]], hide_index=True,
                     key="quote_override_history",
                     column_config={"changed_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
                                    "who": "Who", "old_stance": st.column_config.NumberColumn("Old", format="%+d"),
                                    "new_stance": st.column_config.NumberColumn("New", format="%+d"),
                                    "note": "Note"})
