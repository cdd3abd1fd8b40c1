"""Exporting stored quotes (with article metadata and effective stance) to CSV, Parquet or JSON lines."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pandas.api.types import is_object_dtype, is_string_dtype

if TYPE_CHECKING:
    import pandas

    from analysis.store import Store

Format = Literal["csv", "parquet", "jsonl"]
FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl")
# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection"); the full-width forms
# (U+FF1D = U+FF0B + U+FF0D - U+FF20 @) are folded to ASCII by some spreadsheets' input normalisation, and a
# leading line feed hides the formula on a second visual line.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# Story, publisher, host and person ids come from the issue-14 view ``quotes_story`` (a copy's quote has
# is_copy = true and the canonical_quote_id of the quote it repeats; filter on NOT is_copy to count each once).
EXPORT_SQL = """
SELECT id, article_id, article_name, title, outlet, CAST(date AS VARCHAR) AS date, url,
       speaker, speaker_key, role, institution, institution_type, institution_known, former,
       quote, kind, start_char, end_char,
       model_stance, effective_stance, overridden, override_note,
       score, confidence, on_target, sentiment, evidence, pipeline_version,
       story_id, article_is_copy, is_copy, canonical_quote_id, publisher, host, source_outlet,
       publisher_country, publisher_ownership, publisher_state_owned, person_id, person_name
FROM quotes_story
ORDER BY date NULLS LAST, article_name, start_char
"""


def escape_formula(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``; anything else unchanged.

    Leading spaces do not hide a formula (" =1+1" is run by some readers), so they are looked past."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escape_cell_lines(value: object) -> object:
    """A text cell for CSV: CR and CRLF become LF (a bare CR splits rows in many readers), and every line of the
    cell is escaped like a cell of its own, so a reader that splits a quoted cell on line breaks still never
    sees a line that starts with a formula."""
    if not isinstance(value, str):
        return value
    if "\r" in value or "\n" in value:
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(str(escape_formula(line)) for line in lines)
    return escape_formula(value)


def csv_text(df: pandas.DataFrame) -> str:
    """The frame as CSV text: text cells escaped line by line (``escape_cell_lines``) and EVERY cell quoted."""
    safe = df.copy()
    for column in safe.columns:
        if is_object_dtype(safe[column]) or is_string_dtype(safe[column]):
            safe[column] = safe[column].astype(object).map(escape_cell_lines)
    return str(safe.to_csv(index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n"))


def quotes_frame(store: Store) -> pandas.DataFrame:
    """Every stored quote with its article metadata and effective stance (override, else model), and for an
    overridden quote who set the override and when (``override_by`` / ``override_at``, from the history)."""
    df = store.query_df(EXPORT_SQL)
    latest = {c.quote_id: c for c in store.override_history() if c.action == "set"}
    df["override_by"] = [latest[q].who if o and q in latest else None for q, o in zip(df["id"], df["overridden"], strict=True)]
    df["override_at"] = [latest[q].changed_at.isoformat(timespec="seconds") if o and q in latest else None
                         for q, o in zip(df["id"], df["overridden"], strict=True)]
    return df


def write_frame(df: pandas.DataFrame, out: Path, fmt: str) -> None:
    """Write the frame in the format; CSV text cells are escaped against formula injection."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        out.write_text(csv_text(df), encoding="utf-8", newline="")
    elif fmt == "parquet":
        df.to_parquet(out, index=False)
    else:
        rows = df.astype(object).where(df.notna(), None).to_dict(orient="records")
        with out.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def export_quotes(store: Store, out: Path, fmt: str) -> int:
    """Export the store's quotes to ``out``; returns the number of rows written."""
    df = quotes_frame(store)
    write_frame(df, out, fmt)
    return len(df)
