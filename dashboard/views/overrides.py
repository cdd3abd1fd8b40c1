"""Overrides: every analyst correction (who, when, old and new stance, note), newest first, with a download."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, export, ui

ctx = ui.page_header("Overrides: every analyst correction")
log = data.override_log(ctx.db, ctx.version)
if log.empty:
    st.info("No stance has been overridden yet. Correct one in the Quote explorer; it is listed here with who "
            "changed it, when, the old and new value and the note.", icon=":material/history:")
    st.stop()

ui.text_caption(f"{len(log):,} changes on {log['quote_id'].nunique():,} quotes · the newest change per quote "
                "is the one in effect unless it was cleared")
names = charts.STANCE_NAMES
table = log.assign(
    old=log["old_stance"].map(lambda v: names.get(int(v), "") if v == v and v is not None else "—"),
    new=log["new_stance"].map(lambda v: names.get(int(v), "")),
    now=log["current"].map(lambda v: names.get(int(v), "") if v == v and v is not None else "quote not stored"),
)
st.dataframe(
    table, key="override_log_table", hide_index=True, width="stretch",
    column_order=("changed_at", "who", "action", "old", "new", "note", "speaker", "quote", "now", "quote_id"),
    column_config={
        "changed_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
        "who": "Who", "action": "Action", "old": "Old stance", "new": "New stance", "note": "Note",
        "speaker": "Speaker", "quote": st.column_config.TextColumn("Quote", width="large"),
        "now": "Stance now", "quote_id": "Quote id",
    },
)
st.download_button("CSV of the override history", icon=":material/download:", key="dl_override_history",
                   data=lambda: export.table_csv(table.drop(columns=["old_stance", "new_stance", "current"])),
                   file_name="override_history.csv", mime=export.MIME["csv"], on_click="ignore")
