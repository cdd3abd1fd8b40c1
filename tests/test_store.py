"""analysis.store: migrations, batch writes, overrides, aggregate views; reanalyze through analysis.service."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from spacy.language import Language

import analysis.store as store_module
from analysis import service
from analysis.pipeline import PIPELINE_VERSION, ArticleResult
from analysis.records import Affiliation, Article, Cue, Quote, ScoredQuote, Span, Speaker, Stance
from analysis.settings import Settings
from analysis.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    StoreBusy,
    StoreError,
    StoreMissing,
    schema_version,
    speaker_key,
)

BODY = (
    '"The two navies will train together every spring," said Lena Okafor, a fellow at the Harbor Institute. '
    'Okafor added that the fuel deal looked fragile. "Nothing will come of it," said Raj Patel of Northfield University.'
)


def make_article(text: str = BODY, url: str = "https://example.test/a", name: str = "a.txt") -> Article:
    from analysis.ingest import article_id

    return Article(id=article_id(text, url), name=name, text=text, outlet="Example Post", date="2024-04-02", url=url)


def make_quote(
    article: Article,
    phrase: str,
    speaker: str,
    *,
    label: int,
    institution: str | None = None,
    kind: str = "direct",
    on_target: bool = True,
    version: str = PIPELINE_VERSION,
    known: bool = True,
) -> ScoredQuote:
    start = article.text.index(phrase)
    quote = Quote(segments=(Span(start, start + len(phrase)),), kind=kind, text=phrase)  # type: ignore[arg-type]
    return ScoredQuote(
        article=article,
        quote=quote,
        speaker=Speaker(speaker),
        affiliation=Affiliation(
            role="fellow", institution=institution, institution_type="think_tank" if institution else None, known=known
        ),
        stance=Stance(
            label=label, score=0.5 * label, confidence=0.8,
            evidence=(Cue("train together", label or 1, 1.0, None),), on_target=on_target, sentiment=0.1,
        ),
        pipeline_version=version,
    )


def sample_results(version: str = PIPELINE_VERSION) -> list[ArticleResult]:
    article = make_article()
    return [
        ArticleResult(
            article,
            (
                make_quote(article, "The two navies will train together every spring", "Lena Okafor", label=1,
                           institution="Harbor Institute", version=version),
                make_quote(article, "the fuel deal looked fragile", "Lena Okafor", label=-1,
                           institution="Harbor Institute", kind="indirect", version=version),
                make_quote(article, "Nothing will come of it", "Raj Patel", label=-1,
                           institution="Northfield University", known=False, version=version),
            ),
        )
    ]


def count(store: Store, table: str) -> int:
    return int(store.query_df(f"SELECT count(*) AS n FROM {table}")["n"][0])


# ---------------------------------------------------------------------------------------------- migrations


def test_migrates_a_new_file(tmp_path: Path) -> None:
    store = Store(tmp_path / "sub" / "new.duckdb")
    assert not store.exists()
    assert store.initialise() == SCHEMA_VERSION == len(MIGRATIONS)
    views = set(store.query_df("SELECT view_name FROM duckdb_views() WHERE NOT internal")["view_name"])
    assert {"quotes_effective", "speaker_stats", "institution_stats"} <= views


def test_migrates_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    path.write_bytes(b"")
    store = Store(path)
    assert not store.exists()
    assert store.initialise() == SCHEMA_VERSION


def test_migrates_from_version_1_keeping_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute(MIGRATIONS[0])
    con.execute(
        "INSERT INTO articles VALUES ('a1', 'a.txt', NULL, NULL, NULL, NULL, 'body', NULL, now(), 'old')"
    )
    con.execute(
        "INSERT INTO quotes VALUES ('q1', 'a1', 'Lena Okafor', 'lenaokafor', NULL, 'Harbor Institute', 'think_tank',"
        " TRUE, FALSE, 'body', 'direct', 0, 4, '[[0, 4]]', 1, 0.5, 0.9, '[]', TRUE, 0.0, 'old')"
    )
    assert schema_version(con) == 1
    con.close()
    store = Store(path)
    assert store.initialise() == SCHEMA_VERSION
    stats = store.query_df("SELECT * FROM speaker_stats")
    assert stats.to_dict("records")[0]["quotes"] == 1
    assert count(store, "quotes") == 1 and count(store, "articles") == 1
    assert int(store.query_df("SELECT max(version) AS v FROM schema_version")["v"][0]) == SCHEMA_VERSION


def test_failed_migration_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MIGRATIONS", (MIGRATIONS[0], "CREATE VIEW broken AS SELECT * FROM nowhere;"))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    path = tmp_path / "x.duckdb"
    with pytest.raises(StoreError, match="could not be written"):
        Store(path).initialise()
    con = duckdb.connect(str(path))
    assert schema_version(con) == 0  # the first migration was rolled back with the second
    con.close()


# ---------------------------------------------------------------------------------------------- writes


def test_write_results_is_idempotent_and_replaces_quotes(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    assert store.write_results(sample_results()) == 3
    assert store.write_results(sample_results()) == 3
    assert count(store, "articles") == 1 and count(store, "quotes") == 3
    article = make_article()
    fewer = [ArticleResult(article, (make_quote(article, "Nothing will come of it", "Raj Patel", label=0),))]
    assert store.write_results(fewer) == 1
    assert list(store.query_df("SELECT quote FROM quotes")["quote"]) == ["Nothing will come of it"]


def test_rows_hold_the_records(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.write_results(sample_results())
    row = store.query_df("SELECT * FROM quotes_effective WHERE kind = 'indirect'").to_dict("records")[0]
    assert row["speaker"] == "Lena Okafor" and row["speaker_key"] == "lenaokafor"
    assert row["quote"] == "the fuel deal looked fragile"
    assert BODY[row["start_char"] : row["end_char"]] == row["quote"]
    assert row["effective_stance"] == row["model_stance"] == -1
    assert row["outlet"] == "Example Post" and str(row["date"])[:10] == "2024-04-02"
    assert '"phrase": "train together"' in row["evidence"]


def test_known_article_ids_depend_on_pipeline_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    assert store.known_article_ids(["x"]) == set()  # no database yet
    store.write_results(sample_results(version="old-version"))
    article_id = make_article().id
    assert store.known_article_ids([article_id, "other"]) == set()
    assert store.known_article_ids([article_id], pipeline_version="old-version") == {article_id}
    store.write_results(sample_results())
    assert store.known_article_ids([article_id, "other"]) == {article_id}


def test_overrides_and_aggregate_views(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    results = sample_results()
    store.write_results(results)
    patel = results[0].quotes[2]
    store.set_override(patel.id, 1, "analyst reading")
    store.set_override(patel.id, 0, "second thoughts")  # replaces, not duplicates
    assert count(store, "overrides") == 1
    rows = {r["speaker"]: r for r in store.query_df("SELECT * FROM speaker_stats").to_dict("records")}
    assert rows["Lena Okafor"]["quotes"] == 2 and rows["Lena Okafor"]["mean_stance"] == 0.0
    assert (rows["Lena Okafor"]["negative"], rows["Lena Okafor"]["neutral"], rows["Lena Okafor"]["positive"]) == (1, 0, 1)
    assert list(rows["Lena Okafor"]["institutions"]) == ["Harbor Institute"]
    assert (rows["Raj Patel"]["neutral"], rows["Raj Patel"]["negative"]) == (1, 0)  # the override counts
    inst = {r["institution"]: r for r in store.query_df("SELECT * FROM institution_stats").to_dict("records")}
    assert inst["Northfield University"]["mean_stance"] == 0.0
    assert inst["Harbor Institute"]["quotes"] == 2 and inst["Harbor Institute"]["institution_type"] == "think_tank"
    store.clear_override(patel.id)
    assert count(store, "overrides") == 0
    with pytest.raises(ValueError):
        store.set_override(patel.id, 2)


def test_off_target_quotes_are_left_out_of_stats(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    article = make_article()
    store.write_results([
        ArticleResult(article, (make_quote(article, "Nothing will come of it", "Raj Patel", label=-1, on_target=False),))
    ])
    assert count(store, "quotes") == 1
    assert count(store, "speaker_stats") == 0


@pytest.mark.parametrize(
    ("name", "key"),
    [("Kim Jong Un", "kimjongun"), ("Kim Jong-un", "kimjongun"), ("Sergei Shoigu", "sergeishoigu"),
     ("José Álvarez", "josealvarez")],
)
def test_speaker_key(name: str, key: str) -> None:
    assert speaker_key(name) == key


def test_missing_and_busy(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with pytest.raises(StoreMissing):
        Store(path).query_df("SELECT 1")
    Store(path).initialise()
    holder = duckdb.connect(str(path))  # a writer that does not let go
    try:
        with pytest.raises(StoreBusy):
            Store(path, retries=3, backoff=0.001).query_df("SELECT 1")
    finally:
        holder.close()
    assert count(Store(path), "articles") == 0


# ---------------------------------------------------------------------------------------------- reanalyze


REANALYSE_TEXTS = (
    '"Their partnership will keep growing because both need it," said Dana Whitfield, a senior fellow at the '
    "Meridian Policy Institute.\n",
    '"I doubt the rail deal will survive the winter," said Oren Castellano, a professor at Lakeside University.\n',
)


def test_reanalyze_touches_only_stale_articles_and_keeps_overrides(
    tmp_path: Path, nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, text in enumerate(REANALYSE_TEXTS):
        (corpus / f"r{i}.txt").write_text(f"outlet: Example Post\ndate: 2024-01-0{i + 1}\nurl: unknown\ntitle: T\n\n{text}")
    settings = Settings(db_path=tmp_path / "s.duckdb", batch_size=1)
    report = service.ingest_sources([corpus], settings)
    assert (report.read, report.articles, report.already_stored) == (2, 2, 0)
    store = Store(settings.db_path)
    quotes = store.query_df("SELECT id, article_id FROM quotes ORDER BY id")
    assert len(quotes) == report.quotes >= 2
    quote_id, stale_article = quotes["id"][0], quotes["article_id"][0]
    store.set_override(quote_id, -1, "analyst")
    with store.write() as con:  # pretend an older pipeline analysed one article
        con.execute("UPDATE articles SET pipeline_version = 'old' WHERE id = ?", [stale_article])

    seen: list[str] = []
    import analysis.pipeline as pipeline

    real = pipeline.analyze_doc

    def spy(article: Article, doc: object) -> tuple[ScoredQuote, ...]:
        seen.append(article.id)
        return real(article, doc)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "analyze_doc", spy)
    assert service.reanalyze(settings) == (1, int((quotes["article_id"] == stale_article).sum()))
    assert seen == [stale_article]
    assert set(store.query_df("SELECT DISTINCT pipeline_version FROM articles")["pipeline_version"]) == {PIPELINE_VERSION}
    assert service.reanalyze(settings) == (0, 0)  # nothing stale any more
    seen.clear()
    done, _ = service.reanalyze(settings, force=True)
    assert done == 2 and sorted(seen) == sorted(quotes["article_id"].unique())
    row = store.query_df("SELECT effective_stance, overridden FROM quotes_effective WHERE id = ?", (quote_id,))
    assert row.to_dict("records") == [{"effective_stance": -1, "overridden": True}]
    assert count(store, "overrides") == 1
    again = service.ingest_sources([corpus], settings)
    assert (again.articles, again.already_stored, again.quotes) == (0, 2, 0)


def test_a_failing_article_is_reported_and_the_rest_stored(
    tmp_path: Path, nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analysis.pipeline as pipeline

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, text in enumerate(REANALYSE_TEXTS):
        (corpus / f"r{i}.txt").write_text(text, encoding="utf-8")
    real = pipeline.analyze_doc

    def flaky(article: Article, doc: object) -> tuple[ScoredQuote, ...]:
        if article.name == "r1.txt":
            raise RuntimeError("stage bug")
        return real(article, doc)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "analyze_doc", flaky)
    settings = Settings(db_path=tmp_path / "s.duckdb")
    report = service.ingest_sources([corpus], settings)
    assert (report.read, report.articles) == (2, 1)
    assert [(Path(p.source).name, p.reason) for p in report.skipped] == [
        ("r1.txt", "analysis failed (RuntimeError: stage bug)")
    ]
    monkeypatch.setattr(pipeline, "analyze_doc", real)
    again = service.ingest_sources([corpus], settings)  # the failed article was not stored: it is retried
    assert (again.articles, again.already_stored) == (1, 1)


def test_ingest_upload(tmp_path: Path, nlp: Language) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb", max_bytes=2000)
    data = ("text,outlet\n" + "".join(f'"{t.strip().replace(chr(34), chr(34) * 2)}",Example Post\n'
                                       for t in REANALYSE_TEXTS) + ",Example Post\n").encode()
    report = service.ingest_upload("../../etc/batch.csv", data, settings)
    assert (report.read, report.articles) == (2, 2)
    assert [(p.source, p.reason) for p in report.skipped] == [("batch.csv:3", "missing or empty 'text'")]
    names = set(Store(settings.db_path).query_df("SELECT name, source FROM articles")["name"])
    assert names == {"batch.csv:1", "batch.csv:2"}
    big = service.ingest_upload("big.txt", b"x" * 2001, settings)
    assert big.read == 0 and "over the 2,000-byte limit" in big.skipped[0].reason
    odd = service.ingest_upload("photo.png", b"\x89PNG", settings)
    assert "unsupported file type" in odd.skipped[0].reason
