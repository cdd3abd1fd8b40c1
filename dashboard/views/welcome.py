"""Empty state: no store yet (or an empty one). Says the one command, offers to build the demo store."""

from __future__ import annotations

import streamlit as st

from dashboard import ingest_ui, ui

ctx = ui.context()
st.title("Who says what about Russia–North Korea cooperation")
st.warning("There is no analysed data yet in this store:", icon=":material/database:")
ui.text_caption(ctx.db)  # a path: shown as text, never Markdown
st.markdown(
    "Build the store from the bundled demo corpus with one command, then reload this page:"
)
st.code(f"make run    # or: {ui.DEMO_COMMAND} --db {ctx.db}", language="bash")
st.markdown("Or build it from here (the demo articles are **fictional**, for trying the tool):")
if st.button("Build from the demo corpus", key="build_demo", type="primary"):
    bar = st.progress(0.0, text="Analysing the demo articles…")
    with st.spinner("Analysing the demo articles…"):
        outcome = ingest_ui.ingest_sources(ctx.db, [str(ingest_ui.DEMO_CORPUS)],
                                           on_progress=ui.progress_callback(bar))
    bar.progress(1.0, text="Done")
    ui.show_outcome(outcome)
    if outcome.quotes:
        st.button("Open the dashboard", key="open_dashboard", type="primary")
st.caption("You can also add your own files or links on the *Add articles* page.")
