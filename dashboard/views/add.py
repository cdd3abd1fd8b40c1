"""Add articles: upload files or paste links; each is analysed, stored, and problems shown per file."""

from __future__ import annotations

import streamlit as st

from analysis.settings import Settings
from dashboard import ingest_ui, ui

ctx = ui.context()
max_bytes = Settings.from_env().max_bytes
st.title("Add articles")
st.markdown(
    "Files: `.txt` (optional `outlet:` / `date:` / `url:` / `title:` header lines), `.html`, `.jsonl` or "
    f"`.csv` (one article per line/row), at most **{max_bytes / 1_048_576:.1f} MB** each. "
    "Links: one `http(s)://` URL per line. Articles already in the store are recognised and skipped."
)
files = st.file_uploader("Article files", type=list(ingest_ui.UPLOAD_TYPES), accept_multiple_files=True,
                         key="upload_files", max_upload_size=max(1, max_bytes // 1_048_576))
urls_text = st.text_area("Article links", key="upload_urls", placeholder="https://…\nhttps://…", height=110)
go = st.button("Analyse and store", key="ingest_go", type="primary")
if go and not (files or urls_text.strip()):
    st.warning("Choose at least one file or paste at least one link first.")
elif go:
    urls, rejected = ingest_ui.parse_urls(urls_text)
    outcomes = [ingest_ui.Outcome(problems=tuple((line, "not an http(s) link") for line in rejected))]
    jobs = len(files or []) + (1 if urls else 0)
    bar = st.progress(0.0, text=f"Analysing {jobs} item(s)…")
    for i, upload in enumerate(files or []):
        bar.progress(i / max(jobs, 1), text=f"Analysing {upload.name} ({i + 1} of {jobs})…")
        outcomes.append(ingest_ui.ingest_upload(ctx.db, upload.name, upload.getvalue(), max_bytes=max_bytes))
    if urls:
        bar.progress(len(files or []) / max(jobs, 1), text=f"Fetching and analysing {len(urls)} link(s)…")
        outcomes.append(ingest_ui.ingest_sources(ctx.db, urls, on_progress=ui.progress_callback(bar)))
    bar.progress(1.0, text="Done")
    ui.show_outcome(ingest_ui.merge(outcomes))
