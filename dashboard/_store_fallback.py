"""TEMPORARY stand-in for analysis.store.Store while it is being written in parallel (removed once it lands)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd


class StoreMissing(Exception):
    """The store file does not exist."""


class Store:
    def __init__(self, path: Path | str, *, retries: int = 50, backoff: float = 0.05) -> None:
        self.path = Path(path)
        self.retries = retries
        self.backoff = backoff

    def exists(self) -> bool:
        return self.path.is_file()

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if not self.exists():
            raise StoreMissing(str(self.path))
        for attempt in range(self.retries):
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.IOException:
                if attempt == self.retries - 1:
                    raise
                time.sleep(self.backoff)
        raise AssertionError("unreachable")

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._connect(True)
        try:
            yield con
        finally:
            con.close()

    def query_df(self, sql: str, params: tuple[object, ...] = ()) -> pd.DataFrame:
        with self.read() as con:
            return con.execute(sql, list(params)).df()

    def set_override(self, quote_id: str, stance: int, note: str | None = None) -> None:
        con = self._connect(False)
        try:
            con.execute("INSERT OR REPLACE INTO overrides VALUES (?, ?, ?, ?)", [quote_id, stance, note, datetime.now()])
        finally:
            con.close()

    def clear_override(self, quote_id: str) -> None:
        con = self._connect(False)
        try:
            con.execute("DELETE FROM overrides WHERE quote_id = ?", [quote_id])
        finally:
            con.close()
