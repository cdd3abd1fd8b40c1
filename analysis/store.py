"""DuckDB store: schema, migrations, idempotent batch writes, overrides, read-only queries.

DuckDB lets one process write at a time, and read-only openers fail while it does. So every connection here is
short-lived (opened, used, closed) and opening retries with backoff on a lock error; the ingest parses a batch
with no connection open and then writes it in one transaction. A crash mid-batch leaves the file as it was
before that batch.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import random
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import duckdb

from analysis.records import Article

if TYPE_CHECKING:
    import pandas

    from analysis.pipeline import ArticleResult

# Each entry migrates the schema from version i to i+1; never edit a released entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS articles (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        outlet VARCHAR,
        date DATE,
        url VARCHAR,
        title VARCHAR,
        text VARCHAR NOT NULL,
        source VARCHAR,
        ingested_at TIMESTAMP NOT NULL,
        pipeline_version VARCHAR NOT NULL
    );
    CREATE TABLE IF NOT EXISTS quotes (
        id VARCHAR PRIMARY KEY,
        article_id VARCHAR NOT NULL,
        speaker VARCHAR NOT NULL,
        speaker_key VARCHAR NOT NULL,
        role VARCHAR,
        institution VARCHAR,
        institution_type VARCHAR,
        institution_known BOOLEAN NOT NULL DEFAULT TRUE,
        former BOOLEAN NOT NULL DEFAULT FALSE,
        quote VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        segments VARCHAR NOT NULL,
        stance INTEGER NOT NULL,
        score DOUBLE NOT NULL,
        confidence DOUBLE NOT NULL,
        evidence VARCHAR NOT NULL,
        on_target BOOLEAN NOT NULL,
        sentiment DOUBLE NOT NULL,
        pipeline_version VARCHAR NOT NULL
    );
    CREATE TABLE IF NOT EXISTS overrides (
        quote_id VARCHAR PRIMARY KEY,
        stance INTEGER NOT NULL,
        note VARCHAR,
        created_at TIMESTAMP NOT NULL
    );
    CREATE OR REPLACE VIEW quotes_effective AS
        SELECT q.*,
               q.stance AS model_stance,
               COALESCE(o.stance, q.stance) AS effective_stance,
               o.stance IS NOT NULL AS overridden,
               o.note AS override_note,
               a.outlet, a.date, a.url, a.title, a.name AS article_name
        FROM quotes q
        JOIN articles a ON a.id = q.article_id
        LEFT JOIN overrides o ON o.quote_id = q.id;
    """,
    # 1 -> 2: per-speaker and per-institution aggregates over on-target quotes (effective stance = override
    # when an analyst set one); computed in the store so the dashboard and the CLI agree.
    """
    CREATE OR REPLACE VIEW speaker_stats AS
        SELECT speaker_key,
               mode(speaker) AS speaker,
               list_sort(list_distinct(list(institution) FILTER (WHERE institution IS NOT NULL))) AS institutions,
               count(*) AS quotes,
               avg(effective_stance) AS mean_stance,
               avg(score) AS mean_score,
               count(*) FILTER (WHERE effective_stance = -1) AS negative,
               count(*) FILTER (WHERE effective_stance = 0) AS neutral,
               count(*) FILTER (WHERE effective_stance = 1) AS positive
        FROM quotes_effective
        WHERE on_target
        GROUP BY speaker_key;
    CREATE OR REPLACE VIEW institution_stats AS
        SELECT institution,
               mode(institution_type) AS institution_type,
               count(*) AS quotes,
               avg(effective_stance) AS mean_stance,
               avg(score) AS mean_score,
               count(*) FILTER (WHERE effective_stance = -1) AS negative,
               count(*) FILTER (WHERE effective_stance = 0) AS neutral,
               count(*) FILTER (WHERE effective_stance = 1) AS positive
        FROM quotes_effective
        WHERE on_target AND institution IS NOT NULL
        GROUP BY institution;
    """,
    # 2 -> 3 (stories, publishers, people): one story per set of near-duplicate articles, the outlet line split
    # into publisher / host / cited source, a person id per quote and the canonical quote a copy repeats
    # (written by ``analysis.stories.record``); views that count each story's quote once, with every copy still
    # countable. Self-contained: new tables and views only, the released ones are untouched.
    """
    CREATE TABLE IF NOT EXISTS article_stories (
        article_id VARCHAR PRIMARY KEY,
        story_id VARCHAR NOT NULL,
        is_copy BOOLEAN NOT NULL,
        publisher VARCHAR,
        host VARCHAR,
        source_outlet VARCHAR,
        publisher_country VARCHAR,
        publisher_ownership VARCHAR,
        shingles INTEGER NOT NULL,
        signature BLOB
    );
    CREATE TABLE IF NOT EXISTS story_bands (
        band SMALLINT NOT NULL,
        key BIGINT NOT NULL,
        article_id VARCHAR NOT NULL
    );
    CREATE TABLE IF NOT EXISTS quote_people (
        quote_id VARCHAR PRIMARY KEY,
        article_id VARCHAR NOT NULL,
        person_id VARCHAR NOT NULL,
        person_name VARCHAR NOT NULL,
        canonical_quote_id VARCHAR NOT NULL
    );
    CREATE OR REPLACE VIEW quotes_story AS
        SELECT qe.*,
               coalesce(s.story_id, qe.article_id) AS story_id,
               coalesce(s.is_copy, FALSE) AS article_is_copy,
               coalesce(s.publisher, qe.outlet) AS publisher,
               coalesce(s.host, qe.outlet) AS host,
               s.source_outlet,
               s.publisher_country,
               s.publisher_ownership,
               s.publisher_ownership IN ('state', 'public') AS publisher_state_owned,
               coalesce(p.person_id, qe.speaker_key) AS person_id,
               coalesce(p.person_name, qe.speaker) AS person_name,
               coalesce(c.id, qe.id) AS canonical_quote_id,
               coalesce(c.id <> qe.id, FALSE) AS is_copy,
               CASE WHEN qe.institution IS NOT NULL THEN lower(regexp_replace(strip_accents(
                   regexp_replace(trim(qe.institution), '^(?i:the) +', '')), '[^A-Za-z0-9]+', '', 'g')) END
                   AS institution_key
        FROM quotes_effective qe
        LEFT JOIN article_stories s ON s.article_id = qe.article_id
        LEFT JOIN quote_people p ON p.quote_id = qe.id
        LEFT JOIN quotes c ON c.id = p.canonical_quote_id;
    CREATE OR REPLACE VIEW quotes_distinct AS
        SELECT * FROM quotes_story WHERE NOT is_copy;
    CREATE OR REPLACE VIEW quote_carriers AS
        SELECT canonical_quote_id,
               count(*) AS copies,
               count(DISTINCT story_id) AS stories,
               list_sort(list_distinct(list(publisher) FILTER (WHERE publisher IS NOT NULL))) AS publishers,
               list_sort(list_distinct(list(host) FILTER (WHERE host IS NOT NULL))) AS hosts,
               list_sort(list_distinct(list(outlet) FILTER (WHERE outlet IS NOT NULL))) AS outlets,
               list(article_name ORDER BY date NULLS LAST, article_name) AS articles,
               list(id ORDER BY date NULLS LAST, article_name) AS quote_ids,
               min(date) AS first_date
        FROM quotes_story
        GROUP BY canonical_quote_id;
    CREATE OR REPLACE VIEW person_stats AS
        SELECT person_id,
               mode(person_name) AS person,
               list_sort(list_distinct(list(speaker))) AS spellings,
               list_sort(list_distinct(list(institution) FILTER (WHERE institution IS NOT NULL))) AS institutions,
               count(*) FILTER (WHERE NOT is_copy) AS quotes,
               count(*) AS quotes_every_copy,
               count(DISTINCT story_id) AS stories,
               avg(effective_stance) FILTER (WHERE NOT is_copy) AS mean_stance,
               avg(effective_stance) AS mean_stance_every_copy,
               count(*) FILTER (WHERE NOT is_copy AND effective_stance = -1) AS negative,
               count(*) FILTER (WHERE NOT is_copy AND effective_stance = 0) AS neutral,
               count(*) FILTER (WHERE NOT is_copy AND effective_stance = 1) AS positive
        FROM quotes_story
        WHERE on_target
        GROUP BY person_id;
    CREATE OR REPLACE VIEW institution_story_stats AS
        SELECT institution_key,
               mode(institution) AS institution,
               list_sort(list_distinct(list(institution))) AS spellings,
               mode(institution_type) AS institution_type,
               count(*) FILTER (WHERE NOT is_copy) AS quotes,
               count(*) AS quotes_every_copy,
               count(DISTINCT story_id) AS stories,
               count(DISTINCT person_id) AS people,
               avg(effective_stance) FILTER (WHERE NOT is_copy) AS mean_stance,
               avg(effective_stance) AS mean_stance_every_copy,
               count(*) FILTER (WHERE NOT is_copy AND effective_stance = -1) AS negative,
               count(*) FILTER (WHERE NOT is_copy AND effective_stance = 0) AS neutral,
               count(*) FILTER (WHERE NOT is_copy AND effective_stance = 1) AS positive
        FROM quotes_story
        WHERE on_target AND institution_key IS NOT NULL AND institution_key <> ''
        GROUP BY institution_key;
    CREATE OR REPLACE VIEW outlet_stats AS
        SELECT publisher,
               any_value(publisher_country) AS country,
               any_value(publisher_ownership) AS ownership,
               bool_or(publisher_state_owned) AS state_owned,
               list_sort(list_distinct(list(host) FILTER (WHERE host IS NOT NULL))) AS hosts,
               count(DISTINCT story_id) AS stories,
               count(DISTINCT article_id) AS articles,
               count(*) FILTER (WHERE NOT is_copy) AS quotes,
               count(*) AS quotes_every_copy,
               avg(effective_stance) FILTER (WHERE NOT is_copy) AS mean_stance,
               avg(effective_stance) AS mean_stance_every_copy
        FROM quotes_story
        WHERE on_target
        GROUP BY publisher;
    CREATE OR REPLACE VIEW story_stats AS
        SELECT coalesce(s.story_id, a.id) AS story_id,
               count(*) AS articles,
               min(a.date) AS first_date,
               arg_min(a.name, coalesce(s.is_copy, FALSE)) AS first_article,
               list_sort(list_distinct(list(coalesce(s.publisher, a.outlet)) FILTER (
                   WHERE coalesce(s.publisher, a.outlet) IS NOT NULL))) AS publishers,
               list_sort(list_distinct(list(coalesce(s.host, a.outlet)) FILTER (
                   WHERE coalesce(s.host, a.outlet) IS NOT NULL))) AS hosts,
               list(a.name ORDER BY a.date NULLS LAST, a.name) AS article_names
        FROM articles a
        LEFT JOIN article_stories s ON s.article_id = a.id
        GROUP BY 1;
    """,
    # 3 -> 4: every override change is kept (who, when, old and new effective stance, note), so an analyst's
    # correction can be audited and undone; ``overrides`` still holds only the current one.
    """
    CREATE SEQUENCE IF NOT EXISTS override_history_seq;
    CREATE TABLE IF NOT EXISTS override_history (
        seq BIGINT PRIMARY KEY DEFAULT nextval('override_history_seq'),
        quote_id VARCHAR NOT NULL,
        who VARCHAR,
        changed_at TIMESTAMP NOT NULL,
        old_stance INTEGER,
        new_stance INTEGER NOT NULL,
        action VARCHAR NOT NULL,
        note VARCHAR
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
QUOTE_COLUMNS = (
    "id", "article_id", "speaker", "speaker_key", "role", "institution", "institution_type", "institution_known",
    "former", "quote", "kind", "start_char", "end_char", "segments", "stance", "score", "confidence", "evidence",
    "on_target", "sentiment", "pipeline_version",
)
ARTICLE_COLUMNS = ("id", "name", "outlet", "date", "url", "title", "text", "source", "ingested_at", "pipeline_version")
# A quote dataset on disk (written by the Dask engine, read by ``ingest_parquet`` and ``attach_parquet``):
# DIR/articles/*.parquet and DIR/quotes/*.parquet, columns exactly those of the tables.
PARQUET_TABLES = ("articles", "quotes")
# Retry often (a reader lands in the short gaps between an ingest's batch transactions and sees new data within
# ~0.1 s of a commit) but for as long as before in total: about 25 s before StoreBusy.
MAX_BACKOFF = 0.1  # seconds; the longest single wait between two lock retries
DEFAULT_RETRIES = 250


class StoreMissing(Exception):
    """The database file does not exist yet."""


class StoreBusy(RuntimeError):
    """Another process held the database lock for longer than the retries allow."""


class StoreError(RuntimeError):
    """The database cannot be opened, read or written; the message is one line that says why (and what to do).

    A failed write leaves the database as it was before the transaction."""


class StoreOutdated(StoreError):
    """A read found an older schema and could not migrate it (the file is not writable)."""


def describe_error(path: Path, exc: BaseException, *, writing: bool) -> str:
    """One line for a DuckDB/OS error on the store file (no traceback, no internal detail beyond the reason)."""
    text = str(exc)
    low = text.lower()
    if path.is_dir() or "is a directory" in low:
        return f"{path} is a directory, not a DuckDB database file (give --db FILE)"
    if "not a valid duckdb database" in low or "could not read enough bytes" in low or "corrupt" in low:
        return f"{path} is not a readable DuckDB database (truncated, damaged or another kind of file)"
    if "no space left" in low or "file too large" in low or "quota" in low:
        reason = "disk full" if "no space" in low else "file size limit reached" if "too large" in low else "quota"
        return f"could not write to {path} ({reason}); the database is unchanged"
    if "permission denied" in low or "read-only file system" in low or "readonly" in low or "read-only" in low:
        action = "write to" if writing else "open"
        return f"cannot {action} {path}: it is read-only (permission denied or a read-only file system)"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"database {path} could not be {'written' if writing else 'read'} ({first})"


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open; after an I/O error DuckDB has already aborted it, and a second
    error ("cannot rollback - no transaction is active") would hide the first."""
    with contextlib.suppress(duckdb.Error):
        con.rollback()


def speaker_key(name: str) -> str:
    """A grouping key for a speaker: accents folded, letters and digits only ("Kim Jong-un" == "Kim Jong Un")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower()) or name.strip().lower()


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "set lock" in text or "conflicting lock" in text or "different configuration" in text


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database: 0 when empty, 1 for a pre-runner file that has the tables."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "schema_version" in tables:
        row = con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    return 1 if {"articles", "quotes", "overrides"} <= tables else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the pending MIGRATIONS in order, all in one transaction; returns the version reached."""
    current = schema_version(con)
    if current >= SCHEMA_VERSION:
        return current
    con.begin()
    try:
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
        for sql in MIGRATIONS[current:]:
            con.execute(sql)
        con.execute("DELETE FROM schema_version")
        con.execute("INSERT INTO schema_version VALUES (?, ?)", [SCHEMA_VERSION, datetime.now()])
        con.commit()
    except BaseException:
        _rollback(con)
        raise
    return SCHEMA_VERSION


def quote_row(quote: object, article_id: str) -> list[object]:
    """One ``quotes`` row (values in QUOTE_COLUMNS order) for a ScoredQuote."""
    from analysis.records import ScoredQuote

    assert isinstance(quote, ScoredQuote)
    row = quote.to_row()
    return [
        quote.id, article_id, quote.speaker.name, speaker_key(quote.speaker.name), quote.affiliation.role,
        quote.affiliation.institution, quote.affiliation.institution_type, quote.affiliation.known,
        quote.affiliation.former, quote.quote.text, quote.quote.kind, quote.quote.start, quote.quote.end,
        json.dumps(row["segments"]), quote.stance.label, float(quote.stance.score), float(quote.stance.confidence),
        json.dumps(row["evidence"], ensure_ascii=False), quote.stance.on_target, float(quote.stance.sentiment),
        quote.pipeline_version,
    ]


def article_row(article: Article, pipeline_version: str, now: datetime) -> list[object]:
    """One ``articles`` row (values in ARTICLE_COLUMNS order)."""
    day = date.fromisoformat(article.date) if article.date else None
    return [
        article.id, article.name, article.outlet, day, article.url, article.title, article.text, article.source,
        now, pipeline_version,
    ]


def _parquet_schemas() -> dict[str, object]:
    import pyarrow as pa

    text = pa.string()
    articles = pa.schema([
        ("id", text), ("name", text), ("outlet", text), ("date", pa.date32()), ("url", text), ("title", text),
        ("text", text), ("source", text), ("ingested_at", pa.timestamp("us")), ("pipeline_version", text),
    ])
    types = {"institution_known": pa.bool_(), "former": pa.bool_(), "on_target": pa.bool_(),
             "start_char": pa.int32(), "end_char": pa.int32(), "stance": pa.int32(),
             "score": pa.float64(), "confidence": pa.float64(), "sentiment": pa.float64()}
    quotes = pa.schema([(c, types.get(c, text)) for c in QUOTE_COLUMNS])
    assert tuple(articles.names) == ARTICLE_COLUMNS
    return {"articles": articles, "quotes": quotes}


def write_parquet_part(results: Sequence[ArticleResult], directory: str | Path, part: str) -> tuple[int, int]:
    """Write analysed articles as one partition ``part`` of a quote dataset; (articles, quotes) written.

    Each file is written under a temporary name and renamed, so a reader never sees half a partition.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from analysis.pipeline import PIPELINE_VERSION

    now = datetime.now()
    article_rows = [
        article_row(r.article, r.quotes[0].pipeline_version if r.quotes else PIPELINE_VERSION, now) for r in results
    ]
    quote_rows: dict[str, list[object]] = {}
    for r in results:
        for q in r.quotes:
            quote_rows.setdefault(q.id, quote_row(q, r.article.id))
    schemas = _parquet_schemas()
    # Quotes first: a partition cut short between the two files leaves orphan quotes (ignored on ingest),
    # never an article stored as analysed without its quotes.
    for table, rows in (("quotes", list(quote_rows.values())), ("articles", article_rows)):
        schema = schemas[table]
        assert isinstance(schema, pa.Schema)
        columns: list[list[object]] = [[row[i] for row in rows] for i in range(len(schema.names))]
        data = pa.Table.from_arrays(
            [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
        )
        folder = Path(directory) / table
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{part}.parquet.tmp"
        pq.write_table(data, tmp)
        tmp.replace(folder / f"{part}.parquet")
    return len(article_rows), len(quote_rows)


def _parquet_glob(directory: str | Path, table: str) -> str:
    """A quoted SQL string literal for the table's files (paths are inlined: views take no parameters)."""
    pattern = str(Path(directory).resolve() / table / "*.parquet")
    return "'" + pattern.replace("'", "''") + "'"


def _deduplicated(directory: str | Path, table: str) -> str:
    """A SELECT of a dataset table with one row per id, the first partition's (as a local run keeps the first).

    An article read twice in one run (the same text in two files) may be analysed in two partitions; its quotes
    are identical copies, its article rows differ only in name and source.
    """
    columns = ", ".join(ARTICLE_COLUMNS if table == "articles" else QUOTE_COLUMNS)
    files = f"read_parquet({_parquet_glob(directory, table)}, filename = true)"
    if table == "articles":
        return f"SELECT DISTINCT ON (id) {columns} FROM {files} ORDER BY id, filename"
    return f"SELECT DISTINCT ON (id) {columns} FROM {files}"


def parquet_files(directory: str | Path, table: str) -> list[Path]:
    """The partitions of one table of a quote dataset, sorted."""
    return sorted((Path(directory) / table).glob("*.parquet"))


def attach_parquet(con: duckdb.DuckDBPyConnection, directory: str | Path) -> None:
    """Make a Parquet quote dataset queryable like a store: views ``articles`` and ``quotes`` over the files,
    an empty ``overrides`` table, and the store's derived views (``quotes_effective``, ``speaker_stats``, ...).

    ``con`` should be a fresh (e.g. in-memory) connection. The derived views come from the store's own
    MIGRATIONS, so they always match the DuckDB tables' columns.
    """
    for table in PARQUET_TABLES:
        if not parquet_files(directory, table):
            raise StoreMissing(f"no {table} partitions in {directory} (expected {table}/*.parquet)")
        con.execute(f"CREATE OR REPLACE VIEW {table} AS {_deduplicated(directory, table)}")
    for sql in MIGRATIONS:
        con.execute(sql)  # CREATE TABLE IF NOT EXISTS leaves the views in place; overrides and views are created


class StoreReadOnly(RuntimeError):
    """A write (an override) was asked of a read-only source such as a Parquet dataset."""


class ParquetStore:
    """A Parquet quote dataset (``articles/*.parquet`` + ``quotes/*.parquet``, e.g. the Dask engine's output) read
    like a store, for stores too big to copy: the same ``exists``/``read``/``query_df`` surface as ``Store``, and
    read-only (overrides belong in a DuckDB store)."""

    read_only = True

    def __init__(self, directory: str | Path) -> None:
        self.path = Path(directory)

    def exists(self) -> bool:
        return self.path.is_dir() and all(parquet_files(self.path, table) for table in PARQUET_TABLES)

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An in-memory connection with the dataset attached (no lock: Parquet files are only read)."""
        if not self.exists():
            raise StoreMissing(f"no Parquet quote dataset at {self.path}")
        con = duckdb.connect(":memory:")
        try:
            attach_parquet(con, self.path)
            yield con
        finally:
            con.close()

    def query_df(self, sql: str, params: Sequence[object] = ()) -> pandas.DataFrame:
        with self.read() as con:
            return con.execute(sql, list(params)).df()

    def set_override(self, quote_id: str, stance: int, note: str | None = None, *, who: str | None = None) -> None:
        raise StoreReadOnly(f"{self.path} is a Parquet dataset (read-only): ingest it into a DuckDB store to "
                            "record overrides")

    def clear_override(self, quote_id: str, *, who: str | None = None, note: str | None = None) -> None:
        self.set_override(quote_id, 0)

    def override_history(self, quote_id: str | None = None) -> list[OverrideChange]:
        return []


class Store:
    """The DuckDB file; every method opens a short-lived connection and closes it before returning."""

    read_only = False

    def __init__(self, path: str | Path, *, retries: int = DEFAULT_RETRIES, backoff: float = 0.05) -> None:
        self.path = Path(path)
        self.retries = max(1, retries)
        self.backoff = backoff
        self._schema_checked = False  # set once a read saw the current schema (it never goes back)

    def exists(self) -> bool:
        """True when the database file exists (and is not an empty placeholder)."""
        return self.path.is_file() and self.path.stat().st_size > 0

    def _connect(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        """Open a connection, retrying with capped exponential backoff (and jitter) while another holds the lock."""
        delay = self.backoff
        for attempt in range(self.retries):
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.Error as exc:
                if not _is_lock_error(exc):
                    raise StoreError(describe_error(self.path, exc, writing=not read_only)) from exc
                if attempt == self.retries - 1:
                    raise StoreBusy(f"database {self.path} is locked by another process; try again later") from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, MAX_BACKOFF)
        raise StoreBusy(f"database {self.path} is locked by another process")  # not reached: retries >= 1

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-only connection (retried on lock) on a current schema; StoreMissing when there is
        no database, StoreError (one line) when it cannot be read.

        An older store is migrated first (through a short write connection), so read commands work on a file
        an older version wrote; if it cannot be written, StoreOutdated says which version is needed."""
        if self.path.is_dir():
            raise StoreError(describe_error(self.path, IsADirectoryError(), writing=False))
        if not self.exists():
            raise StoreMissing(f"no database at {self.path}")
        con = self._connect(read_only=True)
        try:
            if not self._schema_checked:
                con = self._ensure_current(con)
            yield con
        except duckdb.Error as exc:
            raise StoreError(describe_error(self.path, exc, writing=False)) from exc
        finally:
            con.close()

    def _ensure_current(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """``con`` if the schema is current, else a new read connection after migrating (see ``read``)."""
        version = schema_version(con)
        if version >= SCHEMA_VERSION:
            self._schema_checked = True
            return con
        tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        con.close()
        if version == 0 and tables:
            raise StoreError(f"{self.path} is a DuckDB file but not a stance store (no articles/quotes tables)")
        try:
            self.initialise()
        except StoreError as exc:
            raise StoreOutdated(
                f"{self.path} has schema version {version} and this version of stance needs {SCHEMA_VERSION}; "
                f"it could not be migrated ({exc}); open it once with write access (e.g. `stance ingest` "
                "with no new articles)"
            ) from exc
        self._schema_checked = True
        return self._connect(read_only=True)

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-write connection on a migrated schema; creates the file when missing.

        A DuckDB or OS error becomes one StoreError line; the open transaction is rolled back by the caller."""
        if self.path.is_dir():
            raise StoreError(describe_error(self.path, IsADirectoryError(), writing=True))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.is_file() and self.path.stat().st_size == 0:
                self.path.unlink()  # an empty placeholder (e.g. a fresh temp file) is not a DuckDB file yet
        except OSError as exc:
            raise StoreError(describe_error(self.path, exc, writing=True)) from exc
        con = self._connect(read_only=False)
        try:
            migrate(con)
            yield con
        except duckdb.Error as exc:
            raise StoreError(describe_error(self.path, exc, writing=True)) from exc
        finally:
            con.close()

    def initialise(self) -> int:
        """Create or migrate the database; returns the schema version."""
        with self.write() as con:
            return schema_version(con)

    def query_df(self, sql: str, params: Sequence[object] = ()) -> pandas.DataFrame:
        """A query's result as a DataFrame, through ``read()``."""
        with self.read() as con:
            return con.execute(sql, list(params)).df()

    def write_results(self, results: Sequence[ArticleResult]) -> int:
        """Store analysed articles in one transaction, replacing their old quotes; returns quotes written.

        Overrides are keyed by quote id and never touched here, so a re-analysis that finds the same quote
        again keeps the analyst's stance.
        """
        if not results:
            return 0
        now = datetime.now()
        articles: dict[str, list[object]] = {}
        quotes: dict[str, list[object]] = {}
        for result in results:
            version = result.quotes[0].pipeline_version if result.quotes else _current_version()
            articles[result.article.id] = article_row(result.article, version, now)
            for quote in result.quotes:
                quotes.setdefault(quote.id, quote_row(quote, result.article.id))
        placeholders = ", ".join("?" for _ in ARTICLE_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in ARTICLE_COLUMNS if c not in ("id", "ingested_at"))
        with self.write() as con:
            con.begin()
            try:
                ids = list(articles)
                con.execute(
                    f"DELETE FROM quotes WHERE article_id IN ({', '.join('?' for _ in ids)})", ids
                )
                con.executemany(
                    f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({placeholders}) "
                    f"ON CONFLICT (id) DO UPDATE SET {updates}",
                    list(articles.values()),
                )
                if quotes:
                    con.executemany(
                        f"INSERT INTO quotes ({', '.join(QUOTE_COLUMNS)}) "
                        f"VALUES ({', '.join('?' for _ in QUOTE_COLUMNS)})",
                        list(quotes.values()),
                    )
                _stories().record_results(con, list(results))
                con.commit()
            except BaseException:
                _rollback(con)
                raise
        return len(quotes)

    def ingest_parquet(self, directory: str | Path) -> tuple[int, int]:
        """Store a Parquet quote dataset (see ``write_parquet_part``) in ONE transaction; (articles, quotes).

        Like ``write_results``: the dataset's articles replace stored ones with the same id, their old quotes
        are deleted first, overrides are kept; duplicates across partitions are stored once.
        """
        if not parquet_files(directory, "articles"):
            return 0, 0
        has_quotes = bool(parquet_files(directory, "quotes"))
        updates = ", ".join(f"{c} = excluded.{c}" for c in ARTICLE_COLUMNS if c not in ("id", "ingested_at"))
        a_cols, q_cols = ", ".join(ARTICLE_COLUMNS), ", ".join(QUOTE_COLUMNS)
        with self.write() as con:
            con.begin()
            try:
                con.execute(f"CREATE TEMP TABLE staged_articles AS {_deduplicated(directory, 'articles')}")
                con.execute("DELETE FROM quotes WHERE article_id IN (SELECT id FROM staged_articles)")
                con.execute(
                    f"INSERT INTO articles ({a_cols}) SELECT {a_cols} FROM staged_articles "
                    f"ON CONFLICT (id) DO UPDATE SET {updates}"
                )
                quotes = 0
                if has_quotes:
                    con.execute(
                        f"INSERT INTO quotes ({q_cols}) SELECT {q_cols} FROM ({_deduplicated(directory, 'quotes')}) "
                        "WHERE article_id IN (SELECT id FROM staged_articles)"
                    )
                    row = con.execute(
                        "SELECT count(*) FROM quotes WHERE article_id IN (SELECT id FROM staged_articles)"
                    ).fetchone()
                    quotes = int(row[0]) if row else 0
                row = con.execute("SELECT count(*) FROM staged_articles").fetchone()
                articles = int(row[0]) if row else 0
                staged = [r[0] for r in con.execute("SELECT id FROM staged_articles ORDER BY id").fetchall()]
                _stories().record_ids(con, staged)
                con.execute("DROP TABLE staged_articles")
                con.commit()
            except BaseException:
                _rollback(con)
                raise
        return articles, quotes

    def ids_at_version(self, pipeline_version: str | None = None) -> frozenset[str]:
        """Every stored article id analysed with the current (or the given) pipeline version."""
        if not self.exists():
            return frozenset()
        version = pipeline_version or _current_version()
        with self.read() as con:
            if schema_version(con) < 1:
                return frozenset()
            rows = con.execute("SELECT id FROM articles WHERE pipeline_version = ?", [version]).fetchall()
        return frozenset(r[0] for r in rows)

    def known_article_ids(self, ids: Sequence[str], *, pipeline_version: str | None = None) -> set[str]:
        """Those of ``ids`` already stored with the current (or the given) pipeline version."""
        if not ids or not self.exists():
            return set()
        version = pipeline_version or _current_version()
        with self.read() as con:
            if schema_version(con) < 1:
                return set()
            found: set[str] = set()
            unique = list(dict.fromkeys(ids))
            for start in range(0, len(unique), 1000):
                chunk = unique[start : start + 1000]
                rows = con.execute(
                    f"SELECT id FROM articles WHERE pipeline_version = ? AND id IN ({', '.join('?' for _ in chunk)})",
                    [version, *chunk],
                ).fetchall()
                found.update(r[0] for r in rows)
            return found

    def stale_article_ids(self, *, pipeline_version: str | None = None, force: bool = False) -> list[str]:
        """Ids of stored articles analysed by another pipeline version (every article with ``force``)."""
        if not self.exists():
            return []
        version = pipeline_version or _current_version()
        sql = "SELECT id FROM articles" + ("" if force else " WHERE pipeline_version <> ?") + " ORDER BY id"
        with self.read() as con:
            return [r[0] for r in con.execute(sql, [] if force else [version]).fetchall()]

    def load_articles(self, ids: Sequence[str]) -> list[Article]:
        """Stored articles as records (for re-analysis without re-reading files), in the order of ``ids``."""
        if not ids:
            return []
        with self.read() as con:
            rows = con.execute(
                "SELECT id, name, text, title, outlet, CAST(date AS VARCHAR), url, source FROM articles "
                f"WHERE id IN ({', '.join('?' for _ in ids)})",
                list(ids),
            ).fetchall()
        by_id = {
            r[0]: Article(id=r[0], name=r[1], text=r[2], title=r[3], outlet=r[4], date=r[5], url=r[6], source=r[7])
            for r in rows
        }
        return [by_id[i] for i in ids if i in by_id]

    def record_stories(self, *, rebuild: bool = False) -> int:
        """Give stories, publishers and person ids to stored articles that have none (every article with
        ``rebuild``, e.g. after the outlet or people registries changed), in one transaction; returns the count."""
        with self.write() as con:
            con.begin()
            try:
                done = _stories().backfill(con, rebuild=rebuild)
                con.commit()
            except BaseException:
                _rollback(con)
                raise
        return done

    def set_override(self, quote_id: str, stance: int, note: str | None = None, *, who: str | None = None) -> None:
        """Record an analyst's stance for a quote (replacing an earlier one) and the change in the override
        history (``who`` defaults to the OS user), in one transaction; retried on lock."""
        if stance not in (-1, 0, 1):
            raise ValueError(f"stance must be -1, 0 or 1, not {stance!r}")
        now = datetime.now()
        with self.write() as con:
            con.begin()
            try:
                old = _effective_stance(con, quote_id)
                con.execute(
                    "INSERT INTO overrides VALUES (?, ?, ?, ?) ON CONFLICT (quote_id) DO UPDATE SET "
                    "stance = excluded.stance, note = excluded.note, created_at = excluded.created_at",
                    [quote_id, int(stance), note, now],
                )
                _log_override(con, quote_id, who, now, old, int(stance), "set", note)
                con.commit()
            except BaseException:
                _rollback(con)
                raise

    def clear_override(self, quote_id: str, *, who: str | None = None, note: str | None = None) -> None:
        """Remove the analyst's stance for a quote (the model's stance applies again); logged in the history."""
        now = datetime.now()
        with self.write() as con:
            con.begin()
            try:
                old = _effective_stance(con, quote_id)
                con.execute("DELETE FROM overrides WHERE quote_id = ?", [quote_id])
                model = con.execute("SELECT stance FROM quotes WHERE id = ?", [quote_id]).fetchone()
                if old is not None or model is not None:
                    _log_override(con, quote_id, who, now, old, int(model[0]) if model else 0, "clear", note)
                con.commit()
            except BaseException:
                _rollback(con)
                raise

    def override_history(self, quote_id: str | None = None) -> list[OverrideChange]:
        """Every override change (oldest first), for one quote or all; empty on a store without the history."""
        with self.read() as con:
            return read_override_history(con, quote_id)


@dataclass(frozen=True, slots=True)
class OverrideChange:
    """One analyst action on a quote's stance: old and new effective stance, who, when, why."""

    quote_id: str
    who: str | None
    changed_at: datetime
    old_stance: int | None
    new_stance: int
    action: str  # "set" or "clear"
    note: str | None


def _effective_stance(con: duckdb.DuckDBPyConnection, quote_id: str) -> int | None:
    row = con.execute(
        "SELECT coalesce(o.stance, q.stance) FROM quotes q LEFT JOIN overrides o ON o.quote_id = q.id WHERE q.id = ?",
        [quote_id],
    ).fetchone()
    if row is None:  # an override for a quote not (yet) stored: its current override, if any, is the old value
        row = con.execute("SELECT stance FROM overrides WHERE quote_id = ?", [quote_id]).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _log_override(con: duckdb.DuckDBPyConnection, quote_id: str, who: str | None, when: datetime,
                  old: int | None, new: int, action: str, note: str | None) -> None:
    con.execute(
        "INSERT INTO override_history (quote_id, who, changed_at, old_stance, new_stance, action, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [quote_id, (who or "").strip() or _os_user(), when, old, new, action, note],
    )


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user database entry (some containers)
        return None


def read_override_history(con: duckdb.DuckDBPyConnection, quote_id: str | None = None) -> list[OverrideChange]:
    """The override history on an open connection (oldest first); empty when the table does not exist yet."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "override_history" not in tables:
        return []
    sql = "SELECT quote_id, who, changed_at, old_stance, new_stance, action, note FROM override_history"
    rows = con.execute(sql + (" WHERE quote_id = ?" if quote_id else "") + " ORDER BY seq",
                       [quote_id] if quote_id else []).fetchall()
    return [OverrideChange(*r) for r in rows]


def _stories() -> ModuleType:
    # Imported late: story matching pulls in datasketch and numpy, which readers of the store do not need.
    from analysis import stories

    return stories


def _current_version() -> str:
    # Imported late: the pipeline pulls in spaCy, which readers of the store (the dashboard) do not need.
    from analysis.pipeline import PIPELINE_VERSION

    return PIPELINE_VERSION
