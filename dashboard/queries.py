"""Every SQL query the dashboard and ``stance charts`` run; aggregation happens in DuckDB.

Each function takes an open read-only connection and ``Filters`` and returns a small DataFrame or dict.
No Streamlit here (``dashboard.data`` adds the caching); no writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from analysis.story_views import institution_key_sql, outlet_group_sql, quote_carriers, quote_source
from dashboard.filters import Filters, where_sql
from dashboard.outlets import canonical_outlet

# Group-by columns the charts may ask for (identifiers are whitelisted, never taken from input). In ``source``
# ``outlet`` is the publisher, ``speaker`` the person's name and ``institution`` the institution's name, each
# merged across spellings; the outlet chart can also group by host, publisher country, ownership, state/private.
GROUPS = {
    "institution": "institution",
    "outlet": "coalesce(outlet, 'unknown outlet')",
    "institution_type": "coalesce(institution_type, 'unknown')",
    "speaker": "speaker",
    "host": outlet_group_sql("host"),
    "country": outlet_group_sql("country"),
    "ownership": outlet_group_sql("ownership"),
    "state_owned": outlet_group_sql("state_owned"),
}
# What the outlet chart can group by: the publisher (the default, clickable to filter), or one of these.
OUTLET_GROUPS: dict[str, str] = {"outlet": "Publisher", "host": "Host (site that carried it)",
                                 "country": "Publisher country", "ownership": "Ownership",
                                 "state_owned": "State or public vs private"}
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
    "score, sentiment, kind, overridden, model_stance, confidence, url, title, is_copy, story_id"
)
# Data exports carry what an analyst needs to check a number: evidence cues, target check, confidence, the
# override and its note, whether the article is from the fictional demo corpus, and the issue-14 story, copy,
# publisher (``outlet``), host and person columns with the names as written.
EXPORT_COLUMNS = (
    "id, quote, speaker, role, institution, institution_type, outlet, raw_outlet, date, title, url, "
    "effective_stance AS stance, model_stance, overridden, override_note, score, confidence, on_target, "
    "evidence, sentiment, kind, fictional_demo, story_id, is_copy, canonical_quote_id, host, source_outlet, "
    "publisher_country, publisher_ownership, person_id, speaker_as_written, institution_as_written"
)
DEMO_SOURCE = "%data/articles/%"  # sources of the bundled fictional corpus


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
    stories: int = 0  # distinct stories (an article and its republished copies are one story)

    def share(self, stance: int) -> float:
        """Share of quotes with this stance (0 when there are none)."""
        count = {-1: self.negative, 0: self.neutral, 1: self.positive}[stance]
        return count / self.quotes if self.quotes else 0.0


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pd.DataFrame:
    return con.execute(sql, params).df()


def source(con: duckdb.DuckDBPyConnection, every_copy: bool = False) -> str:
    """The relation every dashboard query reads: the store's issue-14 view (``quote_source``: each story's quote
    once, or every republished copy) with the names the charts group and filter by merged across spellings:

    - ``outlet`` is the canonical ``publisher`` (raw outlet line kept as ``raw_outlet``);
    - ``speaker`` is the person's name (one per ``person_id``; as written kept as ``speaker_as_written``);
    - ``institution`` is one name per ``institution_key`` (as written kept as ``institution_as_written``).

    Articles without a story row (a Parquet dataset, a store not yet backfilled) have publisher = the raw outlet
    line in the views; only for those the line is folded by ``dashboard.outlets.canonical_outlet`` (a small
    raw -> canonical map registered on the connection)."""
    fallback = ""
    publisher = "q.publisher"
    raws = [r[0] for r in con.execute(
        "SELECT DISTINCT a.outlet FROM articles a ANTI JOIN article_stories s ON s.article_id = a.id "
        "WHERE a.outlet IS NOT NULL").fetchall()]
    pairs = [(r, canonical_outlet(r)) for r in raws]
    if any(r != c for r, c in pairs):
        con.register("_outlet_map", pd.DataFrame(pairs, columns=["raw", "canonical"]))
        fallback = ("LEFT JOIN (SELECT article_id FROM article_stories) st ON st.article_id = q.article_id "
                    "LEFT JOIN _outlet_map m ON m.raw = q.outlet AND st.article_id IS NULL")
        publisher = "coalesce(m.canonical, q.publisher)"
    # One name per person and per institution, registered only for those written more than one way (few rows:
    # most stores need no join at all).
    speaker, institution = "q.speaker", "q.institution"
    # Read off the plain tables (the view's joins cost more than the rest of a chart's query).
    people = con.execute(
        "SELECT person_id, mode(person_name) FROM quote_people GROUP BY 1 HAVING count(DISTINCT person_name) > 1"
    ).fetchall()
    if people:
        con.register("_person_labels", pd.DataFrame(people, columns=["person_id", "label"]))
        fallback += " LEFT JOIN _person_labels pl ON pl.person_id = q.person_id"
        speaker = "coalesce(pl.label, q.speaker)"
    names = con.execute(
        f"SELECT k, mode(institution) FROM (SELECT institution, {institution_key_sql('institution')} AS k "
        "FROM quotes WHERE institution IS NOT NULL) WHERE k <> '' GROUP BY 1 HAVING count(DISTINCT institution) > 1"
    ).fetchall()
    if names:
        con.register("_institution_labels", pd.DataFrame(names, columns=["institution_key", "label"]))
        fallback += " LEFT JOIN _institution_labels il ON il.institution_key = q.institution_key"
        institution = "coalesce(il.label, q.institution)"
    return f"""(SELECT q.* REPLACE ({publisher} AS outlet, {publisher} AS publisher, {speaker} AS speaker,
                                  {institution} AS institution),
                q.outlet AS raw_outlet, q.speaker AS speaker_as_written, q.institution AS institution_as_written
         FROM {quote_source(every_copy)} q {fallback})"""


def version(con: duckdb.DuckDBPyConnection) -> str:
    """A token that changes whenever quotes, articles, overrides or the override history change (the cache key's
    data half)."""
    history = "(SELECT count(*) FROM override_history)" if _has_table(con, "override_history") else "0"
    row = con.execute(
        f"""
        SELECT (SELECT count(*) FROM quotes),
               (SELECT max(ingested_at) FROM articles),
               (SELECT count(*) FROM overrides),
               (SELECT coalesce(sum(hash(quote_id, stance, coalesce(note, ''))), 0) FROM overrides),
               {history}
        """
    ).fetchone()
    return "|".join(str(v) for v in (row or ()))


def demo_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(articles from the bundled fictional corpus ``data/articles``, all articles)."""
    row = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE {_DEMO_SQL}), count(*)
        FROM articles
        """
    ).fetchone()
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """True when any stored article comes from the fictional demo corpus (then the UI warns, exports are stamped)."""
    return demo_counts(con)[0] > 0


_DEMO_SQL = "replace(coalesce(source, ''), '\\', '/') LIKE '%data/articles/%'"


def headline(con: duckdb.DuckDBPyConnection, f: Filters) -> Headline:
    """Counts of articles, quotes, people, institutions, publishers, stance shares and distinct stories under the
    filters (people, institutions and publishers merged across spellings)."""
    where, params = where_sql(f)
    src = source(con, f.every_copy)
    row = con.execute(
        f"""
        SELECT count(DISTINCT article_id), count(*), count(DISTINCT person_id),
               count(DISTINCT institution_key) FILTER (WHERE institution_key <> ''), count(DISTINCT outlet),
               count(*) FILTER (WHERE effective_stance < 0),
               count(*) FILTER (WHERE effective_stance = 0),
               count(*) FILTER (WHERE effective_stance > 0),
               count(*) FILTER (WHERE date IS NULL),
               count(DISTINCT story_id)
        FROM {src} {where}
        """,
        params,
    ).fetchone()
    return Headline(*(int(v or 0) for v in (row or (0,) * 10)))


def stance_by(
    con: duckdb.DuckDBPyConnection, f: Filters, group: str, *, top: int | None = None
) -> tuple[pd.DataFrame, int]:
    """-1/0/+1 counts, mean and the most telling example per group; (the ``top`` largest groups, number of groups
    with at least ``f.min_quotes`` quotes). Column ``prior`` (the same on every row) is the mean stance of every
    quote in the breakdown, small groups included: the target the charts shrink group means toward.

    Quotes with no value for the group (no institution named) are left out of the institution breakdown only.
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
            FROM {source(con, f.every_copy)} {where}
            GROUP BY 1
        )
        SELECT *, count(*) FILTER (WHERE n >= ?) OVER () AS total, sum(pos - neg) OVER () / sum(n) OVER () AS prior
        FROM g ORDER BY n DESC, "group"
    """
    df = _df(con, sql, [*params, f.min_quotes])
    total = int(df["total"].iloc[0]) if len(df) else 0
    df = df[df["n"] >= f.min_quotes].drop(columns=["total"])
    if top:
        df = df.head(top)
    return df.reset_index(drop=True), total


def baseline_mean(con: duckdb.DuckDBPyConnection, f: Filters) -> float:
    """Mean stance of every quote under the filters but without the group pickers (institution types,
    institutions, outlets, speakers): the "all" the charts compare a selection with."""
    from dataclasses import replace

    where, params = where_sql(replace(f, institution_types=(), institutions=(), outlets=(), speakers=()))
    row = con.execute(f"SELECT avg(effective_stance) FROM {source(con, f.every_copy)} {where}", params).fetchone()
    return float(row[0]) if row and row[0] is not None else float("nan")


def heatmap(
    con: duckdb.DuckDBPyConnection, f: Filters, *, top_institutions: int = 15, top_outlets: int = 12
) -> pd.DataFrame:
    """Mean stance and count per (institution, outlet) for the largest institutions and outlets."""
    where, params = where_sql(f)
    base = f"SELECT * FROM {source(con, f.every_copy)} {where}"
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
               avg(effective_stance) AS mean, stddev_samp(effective_stance) AS sd
        FROM {source(con, f.every_copy)} {where}
        GROUP BY 1 ORDER BY 1
    """
    return _df(con, sql, params)


def experts(con: duckdb.DuckDBPyConnection, f: Filters, *, limit: int = 500) -> pd.DataFrame:
    """One row per person (``person_id``, every spelling merged): name, the spellings seen, institution(s), quote
    count, mean stance, -1/0/+1 counts, stories, first and last date."""
    where, params = where_sql(f)
    sql = f"""
        SELECT any_value(speaker) AS speaker, person_id,
               string_agg(DISTINCT speaker_as_written, '; ' ORDER BY speaker_as_written) AS spellings,
               count(DISTINCT speaker_as_written) AS n_spellings,
               count(DISTINCT story_id) AS stories,
               string_agg(DISTINCT institution, '; ' ORDER BY institution) AS institutions,
               string_agg(DISTINCT institution_type, '; ' ORDER BY institution_type) AS types,
               count(*) AS n, avg(effective_stance) AS mean,
               count(*) FILTER (WHERE effective_stance < 0) AS neg,
               count(*) FILTER (WHERE effective_stance = 0) AS neu,
               count(*) FILTER (WHERE effective_stance > 0) AS pos,
               min(date) AS first, max(date) AS last
        FROM {source(con, f.every_copy)} {where}
        GROUP BY person_id
        HAVING count(*) >= ?
        ORDER BY n DESC, speaker
        LIMIT ?
    """
    return _df(con, sql, [*params, f.min_quotes, limit])


def institutions(con: duckdb.DuckDBPyConnection, f: Filters, *, limit: int = 500) -> pd.DataFrame:
    """One row per institution (``institution_key``, every spelling merged): name, spellings seen, type, quote
    count, stories, people, mean stance and -1/0/+1 counts under the filters."""
    where, params = where_sql(f)
    cond = "institution_key IS NOT NULL AND institution_key <> ''"
    where = f"{where} AND {cond}" if where else f"WHERE {cond}"
    sql = f"""
        SELECT any_value(institution) AS institution,
               string_agg(DISTINCT institution_as_written, '; ' ORDER BY institution_as_written) AS spellings,
               count(DISTINCT institution_as_written) AS n_spellings,
               mode(institution_type) AS institution_type,
               count(*) AS n, count(DISTINCT story_id) AS stories, count(DISTINCT person_id) AS people,
               avg(effective_stance) AS mean,
               count(*) FILTER (WHERE effective_stance < 0) AS neg,
               count(*) FILTER (WHERE effective_stance = 0) AS neu,
               count(*) FILTER (WHERE effective_stance > 0) AS pos
        FROM {source(con, f.every_copy)} {where}
        GROUP BY institution_key
        HAVING count(*) >= ?
        ORDER BY n DESC, institution
        LIMIT ?
    """
    return _df(con, sql, [*params, f.min_quotes, limit])


def carriers(con: duckdb.DuckDBPyConnection, quote_id: str) -> pd.DataFrame:
    """Every article that carried a quote (the quote or any republished copy of it), earliest first, with its
    publisher, host, outlet line, date, URL and copy flag (``analysis.story_views.quote_carriers``)."""
    return quote_carriers(_Con(con), quote_id)


class _Con:
    """An open connection seen through the store's ``query_df`` surface (for ``analysis.story_views``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def query_df(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()


def quotes_table(
    con: duckdb.DuckDBPyConnection, f: Filters, *, sort: str = "newest", limit: int | None = 2000
) -> pd.DataFrame:
    """The filtered quotes, one row each, sorted in SQL; ``limit=None`` for exports."""
    where, params = where_sql(f)
    order = SORTS.get(sort, SORTS["newest"])
    sql = f"SELECT {TABLE_COLUMNS} FROM {source(con, f.every_copy)} {where} ORDER BY {order}, id"
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    return _df(con, sql, params)


def count_quotes(con: duckdb.DuckDBPyConnection, f: Filters) -> int:
    """Number of quotes under the filters."""
    where, params = where_sql(f)
    row = con.execute(f"SELECT count(*) FROM {source(con, f.every_copy)} {where}", params).fetchone()
    return int(row[0]) if row else 0


def quote_detail(con: duckdb.DuckDBPyConnection, quote_id: str) -> dict[str, Any] | None:
    """One quote with its article text, segments and evidence (parsed from JSON)."""
    cur = con.execute(
        f"""
        SELECT q.*, a.text AS article_text
        FROM {source(con, True)} q JOIN articles a ON a.id = q.article_id
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
    """Distinct values for the sidebar pickers, largest first (unfiltered, so choices never vanish);
    ``institution_type_of`` holds "institution\ttype" pairs (an institution's most frequent type), so the
    institution picker can follow the chosen types."""
    out: dict[str, list[str]] = {}
    src = source(con, True)
    for key, column in (("institution_types", "institution_type"), ("institutions", "institution"),
                        ("outlets", "outlet"), ("speakers", "speaker")):
        rows = con.execute(
            f"SELECT {column} FROM {src} WHERE {column} IS NOT NULL "
            f"GROUP BY 1 ORDER BY count(*) DESC, 1"
        ).fetchall()
        out[key] = [str(r[0]) for r in rows]
    pairs = con.execute(
        f"SELECT institution, mode(institution_type) FROM {src} WHERE institution IS NOT NULL GROUP BY 1"
    ).fetchall()
    out["institution_type_of"] = [f"{a}\t{b}" for a, b in pairs]
    row = con.execute("SELECT min(date), max(date) FROM articles").fetchone()
    out["date_range"] = [str(v) for v in row] if row and row[0] is not None else []
    return out


def export_table(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Every filtered quote with its evidence, target check, confidence, override (note, who, when) and a
    ``fictional_demo`` flag per row (its article comes from the bundled fictional corpus)."""
    where, params = where_sql(f)
    history = _has_table(con, "override_history")
    who = ("LEFT JOIN (SELECT quote_id, arg_max(who, seq) AS override_by FROM override_history "
           "WHERE action = 'set' GROUP BY 1) h ON h.quote_id = q.id" if history else "")
    sql = f"""
        SELECT {EXPORT_COLUMNS}, override_by
        FROM (SELECT q.*, {"h.override_by" if history else "NULL"} AS override_by,
                     replace(coalesce(a.source, ''), '\\', '/') LIKE '{DEMO_SOURCE}' AS fictional_demo
              FROM {source(con, f.every_copy)} q JOIN articles a ON a.id = q.article_id {who}) {where}
        ORDER BY date DESC NULLS LAST, speaker, id
    """
    return _df(con, sql, params)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    return bool(row and row[0])


def group_timeline(con: duckdb.DuckDBPyConnection, f: Filters, group: str, values: tuple[str, ...] = (),
                   *, top: int = 6) -> pd.DataFrame:
    """Monthly count and mean per group (``values``, else the ``top`` largest groups): the small multiples."""
    expr = GROUPS[group]
    where, params = where_sql(f)
    cond = f"date IS NOT NULL AND {expr} IS NOT NULL"
    where = f"{where} AND {cond}" if where else f"WHERE {cond}"
    if values:
        pick = f"{expr} IN ({', '.join('?' for _ in values)})"
        pick_params: list[object] = list(values)
    else:
        pick = f"{expr} IN (SELECT {expr} FROM {source(con, f.every_copy)} {where} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?)"
        pick_params = [*params, top]
    sql = f"""
        SELECT {expr} AS "group", date_trunc('month', date)::DATE AS month, count(*) AS n,
               avg(effective_stance) AS mean
        FROM {source(con, f.every_copy)} {where} AND {pick}
        GROUP BY 1, 2 ORDER BY 1, 2
    """
    return _df(con, sql, [*params, *pick_params])


def override_log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every override change (newest first) with the quote, speaker and current effective stance."""
    if not _has_table(con, "override_history"):
        return pd.DataFrame(columns=["changed_at", "who", "action", "quote_id", "speaker", "quote", "old_stance",
                                     "new_stance", "note", "current"])
    return _df(con, f"""
        SELECT h.changed_at, h.who, h.action, h.quote_id, q.speaker, q.quote, h.old_stance, h.new_stance, h.note,
               q.effective_stance AS current
        FROM override_history h LEFT JOIN {source(con, True)} q ON q.id = h.quote_id
        ORDER BY h.changed_at DESC, h.seq DESC
    """, [])
