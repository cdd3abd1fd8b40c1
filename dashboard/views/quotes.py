"""Quote explorer: the filtered quotes as a sortable table; a selected quote shows its paragraph with the
quote highlighted, the stance evidence, the source link, and a stance override that writes to the store."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, export, highlight, queries, ui
from dashboard.filters import TYPE_LABELS

LIMIT = 2000
SELECTED = "selected_quote"

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
top.caption(
    f"{total:,} quotes match · {ui.describe(f)}"
    + (f" · showing the first {LIMIT:,} (“{sort}”); narrow the filters or download all" if total > LIMIT else "")
    + " · search with the sidebar box or the table toolbar · tick a row for its context"
)
event = st.dataframe(
    table,
    key="quote_table",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    height=380,
    column_order=("quote", "speaker", "role", "institution", "institution_type", "outlet", "date", "stance",
                  "score", "sentiment", "kind", "overridden"),
    column_config={
        "quote": st.column_config.TextColumn("Quote", width="large"),
        "speaker": "Speaker", "role": "Role", "institution": "Institution",
        "institution_type": "Type", "outlet": "Outlet",
        "date": st.column_config.DateColumn("Date"),
        "stance": st.column_config.NumberColumn("Stance", format="%+d", help="effective stance (after overrides)"),
        "score": st.column_config.NumberColumn("Score", format="%+.2f"),
        "sentiment": st.column_config.NumberColumn("Sentiment", format="%+.2f", help="VADER compound, for reference"),
        "kind": "Kind",
        "overridden": st.column_config.CheckboxColumn("Overridden"),
    },
)
downloads = st.container(horizontal=True, gap="small")
downloads.download_button("CSV (all matching)", icon=":material/download:", data=lambda: export.table_csv(data.export_table(ctx.db, f)),
                    file_name="quotes.csv", mime=export.MIME["csv"], key="dl_quotes_csv", on_click="ignore")
downloads.download_button("Parquet (all matching)", icon=":material/download:", data=lambda: export.table_parquet(data.export_table(ctx.db, f)),
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
    st.subheader(f"{q['speaker']}" + (f", {q['role']}" if q.get("role") else ""), anchor=False)
    st.caption(" · ".join(str(v) for v in (q.get("institution"), q.get("outlet"), date, title) if v))
    st.html(highlight.paragraph_html(str(q["article_text"]), q["segments"], int(q["start_char"]),
                                     int(q["end_char"])))
    url = q.get("url")
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        st.link_button("Open the source article ↗", url)
with right:
    eff = int(q["effective_stance"])
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
        st.caption(f"Override note: {q['override_note']}")
    if data.read_only(ctx.db):
        st.caption("This is a read-only Parquet dataset: ingest it into a DuckDB store to record overrides.")
    else:
        with st.form("override_form", border=True):
            st.markdown("**Correct the stance**")
            choice = st.radio("Stance", [-1, 0, 1], index=[-1, 0, 1].index(eff), horizontal=True,
                              format_func=ui.STANCE_LABELS.__getitem__, key="override_stance")
            note = st.text_input("Note (why)", key="override_note", max_chars=300)
            saved = st.form_submit_button("Save override", type="primary")
        if saved:
            data.set_override(ctx.db, quote_id, int(choice), note.strip() or None)
            st.toast("Override saved; the charts now use it.")
            st.rerun()
        if q.get("overridden") and st.button("Clear override (back to the model)", key="clear_override"):
            data.clear_override(ctx.db, quote_id)
            st.rerun()
