"""Every SQL query the dashboard and ``stance charts`` run; aggregation happens in DuckDB.

Each function takes an open read-only connection and ``Filters`` and returns a small DataFrame or dict.
No Streamlit here (``dashboard.data`` adds the caching); no writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from dashboard.filters import Filters, where_sql

# Group-by columns the charts may ask for (identifiers are whitelisted, never taken from input).
GROUPS = {
    "institution": "institution",
    "outlet": "coalesce(outlet, 'unknown outlet')",
    "institution_type": "coalesce(institution_type, 'unknown')",
    "speaker": "speaker",
}
EXAMPLE_CHARS = 140
SORTS = {
    "newest": "date DESC NULLS LAST, speaker",
    "oldest": "date ASC NULLS LAST, speaker",
    "most positive": "score DESC, speaker",
    "most negative": "score ASC, speaker",
    "speaker": "speaker, date DESC NULLS LAST",
    "institution": "institution NULLS LAST, speaker",
    "outlet": "outlet NULLS LAST, date DESC NULLS LAST",
}
TABLE_COLUMNS = (
    "id, quote, speaker, role, institution, institution_type, outlet, date, effective_stance AS stance, "
    "score, sentiment, kind, overridden, model_stance, confidence, url, title"
)


@dataclass(frozen=True, slots=True)
class Headline:
    """The numbers at the top of the overview."""

    articles: int
    quotes: int
    speakers: int
    institutions: int
    outlets: int
    negative: int
    neutral: int
    positive: int
    undated: int  # quotes from articles whose date is unknown

    def share(self, stance: int) -> float:
        """Share of quotes with this stance (0 when there are none)."""
        count = {-1: self.negative, 0: self.neutral, 1: self.positive}[stance]
        return count / self.quotes if self.quotes else 0.0


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pd.DataFrame:
    return con.execute(sql, params).df()


def version(con: duckdb.DuckDBPyConnection) -> str:
    """A token that changes whenever quotes, articles or overrides change (the cache key's data half)."""
    row = con.execute(
        """
        SELECT (SELECT count(*) FROM quotes),
               (SELECT max(ingested_at) FROM articles),
               (SELECT count(*) FROM overrides),
               (SELECT coalesce(sum(hash(quote_id, stance, coalesce(note, ''))), 0) FROM overrides)
        """
    ).fetchone()
    return "|".join(str(v) for v in (row or ()))


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every stored article was read from the bundled fictional corpus (``data/articles``)."""
    row = con.execute(
        """
        SELECT count(*), count(*) FILTER (
            WHERE replace(coalesce(source, ''), '\\', '/') LIKE '%data/articles/%')
        FROM articles
        """
    ).fetchone()
    return bool(row and row[0] and row[0] == row[1])


def headline(con: duckdb.DuckDBPyConnection, f: Filters) -> Headline:
    """Counts of articles, quotes, speakers, institutions, outlets and stance shares under the filters."""
    where, params = where_sql(f)
    row = con.execute(
        f"""
        SELECT count(DISTINCT article_id), count(*), count(DISTINCT speaker_key),
               count(DISTINCT institution), count(DISTINCT outlet),
               count(*) FILTER (WHERE effective_stance < 0),
               count(*) FILTER (WHERE effective_stance = 0),
               count(*) FILTER (WHERE effective_stance > 0),
               count(*) FILTER (WHERE date IS NULL)
        FROM quotes_effective {where}
        """,
        params,
    ).fetchone()
    return Headline(*(int(v or 0) for v in (row or (0,) * 9)))


def stance_by(
    con: duckdb.DuckDBPyConnection, f: Filters, group: str, *, top: int | None = None
) -> tuple[pd.DataFrame, int]:
    """-1/0/+1 counts, mean score and the most telling example per group; (top groups by size, total groups).

    Groups smaller than ``f.min_quotes`` are left out; quotes with no value for the group (no institution
    named) are left out of the institution breakdown only.
    """
    expr = GROUPS[group]
    where, params = where_sql(f)
    extra = "institution IS NOT NULL" if group == "institution" else ""
    if extra:
        where = f"{where} AND {extra}" if where else f"WHERE {extra}"
    sql = f"""
        WITH g AS (
            SELECT {expr} AS "group", count(*) AS n,
                   count(*) FILTER (WHERE effective_stance < 0) AS neg,
                   count(*) FILTER (WHERE effective_stance = 0) AS neu,
                   count(*) FILTER (WHERE effective_stance > 0) AS pos,
                   avg(effective_stance) AS mean,
                   left(arg_min(speaker || ': ' || quote, score) FILTER (WHERE effective_stance < 0),
                        {EXAMPLE_CHARS}) AS ex_neg,
                   left(arg_max(speaker || ': ' || quote, score) FILTER (WHERE effective_stance > 0),
                        {EXAMPLE_CHARS}) AS ex_pos
            FROM quotes_effective {where}
            GROUP BY 1
            HAVING count(*) >= ?
        )
        SELECT *, count(*) OVER () AS total FROM g ORDER BY n DESC, "group" {'LIMIT ?' if top else ''}
    """
    df = _df(con, sql, [*params, f.min_quotes, *([top] if top else [])])
    total = int(df["total"].iloc[0]) if len(df) else 0
    return df.drop(columns="total"), total


def heatmap(
    con: duckdb.DuckDBPyConnection, f: Filters, *, top_institutions: int = 15, top_outlets: int = 12
) -> pd.DataFrame:
    """Mean stance and count per (institution, outlet) for the largest institutions and outlets."""
    where, params = where_sql(f)
    base = f"SELECT * FROM quotes_effective {where}"
    sql = f"""
        WITH base AS ({base}),
        ti AS (SELECT institution FROM base WHERE institution IS NOT NULL
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?),
        tout AS (SELECT coalesce(outlet, 'unknown outlet') AS outlet FROM base
                 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?)
        SELECT b.institution, coalesce(b.outlet, 'unknown outlet') AS outlet, count(*) AS n,
               avg(b.effective_stance) AS mean
        FROM base b
        WHERE b.institution IN (SELECT institution FROM ti)
          AND coalesce(b.outlet, 'unknown outlet') IN (SELECT outlet FROM tout)
        GROUP BY 1, 2
    """
    return _df(con, sql, [*params, top_institutions, top_outlets])


def timeline(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Monthly -1/0/+1 counts and mean stance by article date (undated quotes are counted by ``headline``)."""
    where, params = where_sql(f)
    cond = "date IS NOT NULL"
    where = f"{where} AND {cond}" if where else f"WHERE {cond}"
    sql = f"""
        SELECT date_trunc('month', date)::DATE AS month, count(*) AS n,
               count(*) FILTER (WHERE effective_stance < 0) AS neg,
               count(*) FILTER (WHERE effective_stance = 0) AS neu,
               count(*) FILTER (WHERE effective_stance > 0) AS pos,
               avg(effective_stance) AS mean
        FROM quotes_effective {where}
        GROUP BY 1 ORDER BY 1
    """
    return _df(con, sql, params)


def experts(con: duckdb.DuckDBPyConnection, f: Filters, *, limit: int = 500) -> pd.DataFrame:
    """One row per speaker: institution(s), quote count, mean stance, -1/0/+1 counts, first and last date."""
    where, params = where_sql(f)
    sql = f"""
        SELECT speaker,
               string_agg(DISTINCT institution, '; ' ORDER BY institution) AS institutions,
               string_agg(DISTINCT institution_type, '; ' ORDER BY institution_type) AS types,
               count(*) AS n, avg(effective_stance) AS mean,
               count(*) FILTER (WHERE effective_stance < 0) AS neg,
               count(*) FILTER (WHERE effective_stance = 0) AS neu,
               count(*) FILTER (WHERE effective_stance > 0) AS pos,
               min(date) AS first, max(date) AS last
        FROM quotes_effective {where}
        GROUP BY speaker
        HAVING count(*) >= ?
        ORDER BY n DESC, speaker
        LIMIT ?
    """
    return _df(con, sql, [*params, f.min_quotes, limit])


def quotes_table(
    con: duckdb.DuckDBPyConnection, f: Filters, *, sort: str = "newest", limit: int | None = 2000
) -> pd.DataFrame:
    """The filtered quotes, one row each, sorted in SQL; ``limit=None`` for exports."""
    where, params = where_sql(f)
    order = SORTS.get(sort, SORTS["newest"])
    sql = f"SELECT {TABLE_COLUMNS} FROM quotes_effective {where} ORDER BY {order}, id"
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    return _df(con, sql, params)


def count_quotes(con: duckdb.DuckDBPyConnection, f: Filters) -> int:
    """Number of quotes under the filters."""
    where, params = where_sql(f)
    row = con.execute(f"SELECT count(*) FROM quotes_effective {where}", params).fetchone()
    return int(row[0]) if row else 0


def quote_detail(con: duckdb.DuckDBPyConnection, quote_id: str) -> dict[str, Any] | None:
    """One quote with its article text, segments and evidence (parsed from JSON)."""
    cur = con.execute(
        """
        SELECT q.*, a.text AS article_text
        FROM quotes_effective q JOIN articles a ON a.id = q.article_id
        WHERE q.id = ?
        """,
        [quote_id],
    )
    row = cur.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cur.description or ()]
    out = dict(zip(names, row, strict=True))
    out["segments"] = _json_list(out.get("segments"))
    out["evidence"] = _json_list(out.get("evidence"))
    return out


def _json_list(value: object) -> list[Any]:
    if not isinstance(value, str):
        return []
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return []
    return parsed if isinstance(parsed, list) else []


def options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Distinct values for the sidebar pickers, largest first (unfiltered, so choices never vanish)."""
    out: dict[str, list[str]] = {}
    for key, column in (("institution_types", "institution_type"), ("institutions", "institution"),
                        ("outlets", "outlet"), ("speakers", "speaker")):
        rows = con.execute(
            f"SELECT {column} FROM quotes_effective WHERE {column} IS NOT NULL "
            f"GROUP BY 1 ORDER BY count(*) DESC, 1"
        ).fetchall()
        out[key] = [str(r[0]) for r in rows]
    row = con.execute("SELECT min(date), max(date) FROM articles").fetchone()
    out["date_range"] = [str(v) for v in row] if row and row[0] is not None else []
    return out
