"""Read-side helpers over the issue-14 views, for the dashboard and the CLI (no heavy imports: no spaCy, no
datasketch).

Every chart that counts quotes should read ``quote_source(every_copy)`` instead of ``quotes_effective``: the view
has every column of ``quotes_effective`` plus ``story_id``, ``is_copy``, ``canonical_quote_id``, ``publisher``,
``host``, ``source_outlet``, ``publisher_country``, ``publisher_ownership``, ``publisher_state_owned``,
``person_id``, ``person_name`` and ``institution_key``; by default it leaves out a copy's repeat of a quote, so
each story's quote counts once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas


class _Readable(Protocol):
    def query_df(self, sql: str, params: Sequence[object] = ()) -> pandas.DataFrame: ...


OutletGroup = Literal["publisher", "host", "country", "ownership", "state_owned"]
_OUTLET_COLUMNS: dict[str, str] = {
    "publisher": "coalesce(publisher, 'unknown outlet')",
    "host": "coalesce(host, 'unknown outlet')",
    "country": "coalesce(publisher_country, 'unknown')",
    "ownership": "coalesce(publisher_ownership, 'unknown')",
    "state_owned": "CASE WHEN publisher_state_owned THEN 'state or public' "
                   "WHEN publisher_state_owned = FALSE THEN 'private' ELSE 'unknown' END",
}


def institution_key_sql(column: str) -> str:
    """The SQL expression of ``quotes_story.institution_key`` applied to ``column`` (a trusted identifier), for
    reading keys off the plain ``quotes`` table without the view's joins; must match the store's view (tested)."""
    return (f"CASE WHEN {column} IS NOT NULL THEN lower(regexp_replace(strip_accents(regexp_replace(trim({column}), "
            f"'^(?i:the) +', '')), '[^A-Za-z0-9]+', '', 'g')) END")


def outlet_group_sql(group: OutletGroup) -> str:
    """The SQL expression (over ``quotes_story`` / ``quotes_distinct``) that labels a quote's outlet group, so a
    filtered chart groups exactly as ``outlet_breakdown`` does."""
    return _OUTLET_COLUMNS[group]


def quote_source(every_copy: bool = False) -> str:
    """The view to count quotes from: each story's quote once (default), or every republished copy."""
    return "quotes_story" if every_copy else "quotes_distinct"


def quote_carriers(store: _Readable, quote_id: str) -> pandas.DataFrame:
    """Every article that carried a quote (the quote itself or any copy of it), with its publisher, host, outlet
    line and date, earliest first: the quote detail's "carried by" list."""
    return store.query_df(
        "SELECT q.id, q.article_name, q.title, q.outlet, q.publisher, q.host, q.source_outlet, q.date, q.url, "
        "q.is_copy FROM quotes_story q WHERE q.canonical_quote_id = "
        "(SELECT canonical_quote_id FROM quotes_story WHERE id = ?) ORDER BY q.date NULLS LAST, q.article_name",
        (quote_id,),
    )


def outlet_breakdown(store: _Readable, group: OutletGroup = "publisher", *, every_copy: bool = False
                     ) -> pandas.DataFrame:
    """Quotes, stories and mean stance by publisher, host, publisher country, ownership or state/private
    (on-target quotes, effective stance)."""
    column = outlet_group_sql(group)
    return store.query_df(
        f"SELECT {column} AS {group}, count(*) AS quotes, count(DISTINCT story_id) AS stories, "
        "avg(effective_stance) AS mean_stance, "
        "count(*) FILTER (WHERE effective_stance = -1) AS negative, "
        "count(*) FILTER (WHERE effective_stance = 0) AS neutral, "
        "count(*) FILTER (WHERE effective_stance = 1) AS positive "
        f"FROM {quote_source(every_copy)} WHERE on_target GROUP BY 1 ORDER BY quotes DESC, 1"
    )


def people_table(store: _Readable, *, every_copy: bool = False) -> pandas.DataFrame:
    """One row per person across spellings (``person_stats``): the display name, every spelling seen,
    institutions, quotes (each story once, or every copy) and mean stance."""
    quotes, mean = ("quotes_every_copy", "mean_stance_every_copy") if every_copy else ("quotes", "mean_stance")
    return store.query_df(
        f"SELECT person_id, person, spellings, institutions, {quotes} AS quotes, stories, {mean} AS mean_stance "
        "FROM person_stats ORDER BY quotes DESC, person"
    )


def institutions_table(store: _Readable, *, every_copy: bool = False) -> pandas.DataFrame:
    """One row per institution across spellings (``institution_story_stats``)."""
    quotes, mean = ("quotes_every_copy", "mean_stance_every_copy") if every_copy else ("quotes", "mean_stance")
    return store.query_df(
        f"SELECT institution, spellings, institution_type, {quotes} AS quotes, stories, people, {mean} AS mean_stance "
        "FROM institution_story_stats ORDER BY quotes DESC, institution"
    )
