"""Stories, publishers and people recorded in the store: the write-time side of issue 14.

After a batch's articles and quotes are written (inside the same transaction), :func:`record` gives each new
article its outlet credit (publisher / host / cited source, ``analysis.outlets``), its story (the first stored
article it is a near-duplicate of, ``analysis.dedupe``; its own id when it is the first copy), and each quote a
person id (``analysis.people``) and a canonical quote: in a copy, a quote by the same person with overlapping
words in an earlier article of the story is the same quote, and the copy links to it instead of counting again.

Matching is incremental: the MinHash signature and LSH band keys of every article are kept in ``article_stories``
and ``story_bands``, so a later ingest finds earlier copies with one join. Re-analysing an article keeps its
story. Reads its input back from the tables, so it serves the local writer, the Parquet ingest and a backfill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from analysis import dedupe, outlets, people

if TYPE_CHECKING:
    from analysis.pipeline import ArticleResult

CHUNK = 500  # articles per backfill step
STORY_COLUMNS = ("article_id", "story_id", "is_copy", "publisher", "host", "source_outlet", "publisher_country",
                 "publisher_ownership", "shingles", "signature")


@dataclass(frozen=True, slots=True)
class _Stored:
    article_id: str
    story_id: str
    signature: dedupe.Signature


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What story matching needs of a stored article and its quotes (id, speaker, quote text)."""

    id: str
    text: str
    outlet: str | None
    url: str | None
    quotes: tuple[tuple[str, str, str], ...] = ()


def record_results(con: duckdb.DuckDBPyConnection, results: Sequence[ArticleResult]) -> None:
    """:func:`record` for analysed articles just written (their text and quotes are at hand, not re-read)."""
    record(con, [
        StoredArticle(r.article.id, r.article.text, r.article.outlet, r.article.url,
                      tuple((q.id, q.speaker.name, q.quote.text) for q in r.quotes))
        for r in results
    ])


def record_ids(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> None:
    """:func:`record` for stored articles named by id (read back from the tables, in this order)."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return
    rows = con.execute(
        "SELECT id, text, outlet, url FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids]
    ).fetchall()
    quotes: dict[str, list[tuple[str, str, str]]] = {}
    for qid, aid, speaker, text in con.execute(
        "SELECT id, article_id, speaker, quote FROM quotes WHERE article_id IN (SELECT unnest(?::VARCHAR[])) "
        "ORDER BY start_char, id",
        [ids],
    ).fetchall():
        quotes.setdefault(aid, []).append((qid, speaker, text))
    by_id = {r[0]: StoredArticle(r[0], r[1] or "", r[2], r[3], tuple(quotes.get(r[0], ()))) for r in rows}
    record(con, [by_id[i] for i in ids if i in by_id])


def record(con: duckdb.DuckDBPyConnection, articles: Sequence[StoredArticle]) -> None:
    """Outlet credit, story and quote identities for these stored articles, in this order (the caller's
    transaction). Articles that already have a story keep it; their credit and quote identities are redone."""
    by_id = {a.id: a for a in articles}
    ids = list(by_id)
    if not ids:
        return
    known = {
        r[0]: (r[1], bool(r[2]))
        for r in con.execute(
            "SELECT article_id, story_id, is_copy FROM article_stories WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        ).fetchall()
    }
    new = [i for i in ids if i not in known]
    signatures = {i: dedupe.signature(by_id[i].text) for i in new}
    keys = {i: dedupe.band_keys(signatures[i]) for i in new}
    stored = _stored_candidates(con, keys)

    story_rows: list[list[object]] = []
    band_rows: list[tuple[str, int, int]] = []
    batch_bands: dict[int, list[str]] = {}
    batch: dict[str, _Stored] = {}
    stories: dict[str, tuple[str, bool]] = dict(known)
    for article_id in ids:
        credit = outlets.split_outlet(by_id[article_id].outlet, by_id[article_id].url)
        if article_id in known:
            story_id, is_copy = known[article_id]
            con.execute(
                "UPDATE article_stories SET publisher = ?, host = ?, source_outlet = ?, publisher_country = ?, "
                "publisher_ownership = ? WHERE article_id = ?",
                [credit.publisher, credit.host, credit.source, credit.country, credit.ownership, article_id],
            )
            continue
        sig = signatures[article_id]
        pool = list(stored.get(article_id, ()))
        pool += [batch[o] for o in dict.fromkeys(o for k in keys[article_id] for o in batch_bands.get(k, ()))]
        match = _best_match(sig, pool)
        story_id, is_copy = (match.story_id, True) if match else (article_id, False)
        stories[article_id] = (story_id, is_copy)
        batch[article_id] = _Stored(article_id, story_id, sig)
        for band, key in enumerate(keys[article_id]):
            batch_bands.setdefault(key, []).append(article_id)
            band_rows.append((article_id, band, key))
        story_rows.append([
            article_id, story_id, is_copy, credit.publisher, credit.host, credit.source, credit.country,
            credit.ownership, sig.shingles, sig.to_bytes(),
        ])
    if story_rows:
        _insert(con, "article_stories", STORY_COLUMNS, story_rows, replace=True)
    if band_rows:
        _insert(con, "story_bands", ("article_id", "band", "key"), band_rows)
    _record_quotes(con, ids, by_id, stories)


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]],
            *, replace: bool = False) -> None:
    """Insert many rows through one DataFrame scan (DuckDB's executemany runs one statement per row)."""
    frame = pd.DataFrame([list(r) for r in rows], columns=list(columns))
    con.register("_rows", frame)
    try:
        names = ", ".join(columns)
        con.execute(f"INSERT {'OR REPLACE ' if replace else ''}INTO {table} ({names}) SELECT {names} FROM _rows")
    finally:
        con.unregister("_rows")


def _stored_candidates(con: duckdb.DuckDBPyConnection, keys: dict[str, list[int]]) -> dict[str, list[_Stored]]:
    """Stored articles sharing at least one band key with each new article (one join for the batch)."""
    if not keys:
        return {}
    frame = pd.DataFrame(
        [(a, b, k) for a, ks in keys.items() for b, k in enumerate(ks)], columns=["article_id", "band", "key"]
    )
    con.register("_probe_bands", frame)
    try:
        pairs = con.execute(
            "SELECT DISTINCT p.article_id, s.article_id, s.story_id, s.shingles, s.signature "
            "FROM _probe_bands p JOIN story_bands b ON b.key = p.key AND b.band = p.band "
            "JOIN article_stories s ON s.article_id = b.article_id WHERE s.article_id <> p.article_id"
        ).fetchall()
    finally:
        con.unregister("_probe_bands")
    found: dict[str, list[_Stored]] = {}
    for new_id, old_id, story_id, shingles, blob in pairs:
        found.setdefault(new_id, []).append(_Stored(old_id, story_id, dedupe.Signature.from_bytes(blob, shingles)))
    return found


def _best_match(sig: dedupe.Signature, pool: Sequence[_Stored]) -> _Stored | None:
    """The candidate this body is a copy of (the highest containment), else None."""
    best: tuple[float, _Stored] | None = None
    for cand in pool:
        if dedupe.same_story(sig, cand.signature):
            score = dedupe.overlap(sig, cand.signature).containment
            if best is None or score > best[0]:
                best = (score, cand)
    return best[1] if best else None


def _record_quotes(
    con: duckdb.DuckDBPyConnection,
    ids: Sequence[str],
    by_id: dict[str, StoredArticle],
    stories: dict[str, tuple[str, bool]],
) -> None:
    """Person id and canonical quote for every quote of the articles (replacing what was recorded before)."""
    con.execute("DELETE FROM quote_people WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)])
    by_article = {aid: list(by_id[aid].quotes) for aid in ids}
    copy_stories = sorted({stories[a][0] for a in ids if stories.get(a, ("", False))[1]})
    earlier: dict[str, list[tuple[str, str, str, str]]] = {}  # story -> (article, person, canonical id, text)
    if copy_stories:
        for story, aid, person, canonical, text in con.execute(
            "SELECT s.story_id, p.article_id, p.person_id, p.canonical_quote_id, q.quote FROM quote_people p "
            "JOIN quotes q ON q.id = p.quote_id JOIN article_stories s ON s.article_id = p.article_id "
            "WHERE s.story_id IN (SELECT unnest(?::VARCHAR[])) AND p.article_id NOT IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY s.article_id, q.start_char",
            [copy_stories, list(ids)],
        ).fetchall():
            earlier.setdefault(story, []).append((aid, person, canonical, text))
    rows: list[list[object]] = []
    for aid in ids:
        story_id, is_copy = stories.get(aid, (aid, False))
        names = [speaker for _, speaker, _ in by_article.get(aid, [])]
        text = by_id[aid].text
        for qid, speaker, quote in by_article.get(aid, []):
            person = people.identify(speaker, text, names)
            canonical = qid
            if is_copy:
                for other_article, other_person, other_canonical, other_text in earlier.get(story_id, ()):
                    if other_article != aid and other_person == person.id and dedupe.same_quote(quote, other_text):
                        canonical = other_canonical
                        break
            earlier.setdefault(story_id, []).append((aid, person.id, canonical, quote))
            rows.append([qid, aid, person.id, person.name, canonical])
    if rows:
        _insert(con, "quote_people", ("quote_id", "article_id", "person_id", "person_name", "canonical_quote_id"),
                rows, replace=True)


def backfill(con: duckdb.DuckDBPyConnection, *, rebuild: bool = False) -> int:
    """Record every stored article that has no story yet (all of them with ``rebuild``), oldest first;
    returns the number of articles recorded. For stores written before stories existed, or after the
    outlet or people registries changed."""
    if rebuild:
        con.execute("DELETE FROM quote_people")
        con.execute("DELETE FROM story_bands")
        con.execute("DELETE FROM article_stories")
    todo = [
        r[0]
        for r in con.execute(
            "SELECT a.id FROM articles a LEFT JOIN article_stories s ON s.article_id = a.id "
            "WHERE s.article_id IS NULL ORDER BY a.ingested_at, a.date NULLS LAST, a.id"
        ).fetchall()
    ]
    for start in range(0, len(todo), CHUNK):
        record_ids(con, todo[start : start + CHUNK])
    return len(todo)
