"""Scale: the process pool and a real Dask LocalCluster give exactly the local run's store; incremental runs skip
what is stored before parsing; Parquet datasets are ingested in one transaction and attach like a store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from spacy.language import Language

from analysis import cli, service
from analysis.executors import (
    InProcessExecutor,
    ProcessExecutor,
    Unit,
    _partitions,
    analyse_batch,
    plan_units,
    read_unit,
)
from analysis.ingest import IngestProblem, read_paths
from analysis.pipeline import analyze
from analysis.records import Article
from analysis.settings import Settings
from analysis.store import Store, attach_parquet, parquet_files, write_parquet_part

FIRST = ("Dana", "Oren", "Mira", "Petra", "Tomas", "Ines", "Kofi", "Lena")
LAST = ("Whitfield", "Castellano", "Holloway", "Lindqvist", "Reyes", "Moreau", "Mensah", "Okafor")
PLACES = ("Meridian Policy Institute", "Lakeside University", "Coastal Strategy Centre", "Fjordline Institute")
CLAIMS = (
    "the partnership is growing every month",
    "the arms transfers are a dangerous violation of sanctions",
    "nobody knows yet what the summit will change",
)


def body(i: int) -> str:
    """A short article with one attributed quote (varied speaker, institution and stance)."""
    person = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
    return (
        f"Officials met on day {i} to discuss fuel, ports and flights.\n"
        f'"Shipment number {i} shows {CLAIMS[i % len(CLAIMS)]}," said {person}, an analyst at the '
        f"{PLACES[i % len(PLACES)]}.\n"
    )


def write_corpus(root: Path, files: int = 6, rows: int = 9) -> Path:
    """Header-format .txt files, a duplicate, a bad file, and a JSONL file with blank and malformed rows."""
    root.mkdir()
    for i in range(files):
        (root / f"a{i:02d}.txt").write_text(
            f"outlet: Test Wire\ndate: 2024-03-{i + 1:02d}\nurl: https://wire.test/{i}\ntitle: Item {i}\n\n{body(i)}",
            encoding="utf-8",
        )
    (root / "dup.txt").write_text((root / "a00.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    lines = []
    for j in range(rows):
        row = {"text": body(100 + j), "outlet": "Row Post", "date": f"2024-04-{j + 1:02d}"}
        if j % 3 == 0:
            row["name"] = f"row-{j}"
        lines.append(json.dumps(row))
        if j == 2:
            lines += ["", "{not json", '{"title": "no text"}']
    (root / "rows.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def tables(db: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables, sorted, without the write time (the only column that may differ between runs)."""
    store = Store(db)
    articles = store.query_df("SELECT * EXCLUDE (ingested_at) FROM articles ORDER BY id")
    quotes = store.query_df("SELECT * FROM quotes ORDER BY id")
    return articles, quotes


def report_key(report: service.IngestReport) -> tuple[object, ...]:
    return (report.read, report.already_stored, report.articles, report.quotes,
            sorted((Path(p.source).name, p.reason) for p in report.skipped))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("scale") / "corpus")


@pytest.fixture(scope="module")
def local_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, service.IngestReport]:
    """The reference: one process, batch by batch."""
    db = tmp_path_factory.mktemp("local") / "s.duckdb"
    return db, service.ingest_sources([corpus], Settings(db_path=db, batch_size=4))


# ---------------------------------------------------------------------------------------------- planning


@pytest.mark.parametrize("lines_per_unit", [1, 2, 4, 100])
def test_jsonl_line_ranges_read_like_the_whole_file(corpus: Path, lines_per_unit: int) -> None:
    settings = Settings(partition_size=lines_per_unit)
    path = corpus / "rows.jsonl"
    units = plan_units([path], settings)
    total_lines = path.read_text(encoding="utf-8").count("\n")
    assert len(units) == (1 if lines_per_unit >= total_lines else -(-total_lines // lines_per_unit))
    split = [item for unit in units for item in read_unit(unit, settings)]
    assert split == list(read_paths([path], settings))  # same names, sources (file:line), ids, problems


@pytest.mark.parametrize(
    ("content", "expected_units"),
    [
        (b'{"text": "a"}\r\n{"text": "b"}\r\n', 1),  # carriage returns: read whole, as ingest does
        (b'{"text": "caf\xe9"}\n{"text": "b"}\n', 1),  # not UTF-8: charset detection needs the whole file
        (b'{"text": "a"}\n{"text": "b"}\n{"text": "c"}', 3),  # no final newline: the last line still counts
        (b'{"title": "a"}\n{"title": "b"}\n', 1),  # no article row at all: one file-level problem, read whole
        (b'{"title": "a"}\n\n{"text": "b"}\n', 3),  # a text-less range of a real corpus: per-row problems
    ],
)
def test_jsonl_split_only_when_safe(tmp_path: Path, content: bytes, expected_units: int) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(content)
    settings = Settings(partition_size=1)
    units = plan_units([path], settings)
    assert len(units) == expected_units
    assert [i for u in units for i in read_unit(u, settings)] == list(read_paths([path], settings))


def test_partitions_group_files_and_keep_line_ranges_apart() -> None:
    units = [Unit("a.txt"), Unit("b.txt"), Unit("r.jsonl", 0, 10, 1), Unit("c.txt"), Unit("d.txt"), Unit("e.txt")]
    groups = _partitions(units, Settings(partition_size=2))
    assert [[u.source for u in g] for g in groups] == [["a.txt", "b.txt"], ["r.jsonl"], ["c.txt", "d.txt"], ["e.txt"]]


# ---------------------------------------------------------------------------------------------- executors


def test_process_pool_gives_the_in_process_results(corpus: Path, nlp: Language) -> None:
    articles = [a for a in read_paths([corpus], Settings()) if isinstance(a, Article)]
    batches = [articles[i : i + 3] for i in range(0, len(articles), 3)]
    here = list(InProcessExecutor().map(batches))
    pool = ProcessExecutor(2)
    try:
        there = list(pool.map(batches))
    finally:
        pool.close()
    assert there == here
    assert [r.article.id for o in here for r in o.results] == [a.id for a in articles]  # input order kept
    assert sum(len(r.quotes) for o in here for r in o.results) >= len(articles) - 1


def test_workers_2_store_equals_the_local_store(
    corpus: Path, local_run: tuple[Path, service.IngestReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "w.duckdb"
    code = cli.main(["ingest", str(corpus), "--db", str(db), "--workers", "2", "--batch-size", "4"])
    assert code == 0
    assert "already stored, skipped 3" in capsys.readouterr().err
    ref_articles, ref_quotes = tables(local_run[0])
    articles, quotes = tables(db)
    pd.testing.assert_frame_equal(articles, ref_articles)
    pd.testing.assert_frame_equal(quotes, ref_quotes)


def test_analyse_batch_reports_a_failing_article(monkeypatch: pytest.MonkeyPatch, nlp: Language) -> None:
    import analysis.pipeline as pipeline

    real = pipeline.analyze_doc

    def flaky(article: Article, doc: object) -> tuple[object, ...]:
        if article.name == "bad":
            raise ValueError("boom")
        return real(article, doc)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "analyze_doc", flaky)
    good, bad = (Article(id=str(i), name=n, text=body(i), source=n) for i, n in enumerate(("good", "bad")))
    outcome = analyse_batch([good, bad])
    assert [r.article.name for r in outcome.results] == ["good"]
    assert outcome.problems == (IngestProblem("bad", "analysis failed (ValueError: boom)"),)


# ---------------------------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A real Dask LocalCluster: 2 worker processes, one thread each (as docs/scale.md tells to run workers)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_dask_local_cluster_equals_the_local_run(
    corpus: Path, local_run: tuple[Path, service.IngestReport], tmp_path: Path, scheduler: str
) -> None:
    db, parquet = tmp_path / "d.duckdb", tmp_path / "parts"
    settings = Settings(
        db_path=db, batch_size=4, engine="dask", scheduler=scheduler, partition_size=3, parquet_dir=parquet,
    )
    progress: list[tuple[int, int]] = []
    report = service.ingest_sources([corpus], settings, on_progress=lambda d, t: progress.append((d, t)))
    again = service.ingest_sources([corpus], replace(settings, parquet_dir=None))
    assert report_key(report) == report_key(local_run[1])
    assert progress[-1][0] == progress[-1][1] > 2  # several partitions ran
    ref_articles, ref_quotes = tables(local_run[0])
    articles, quotes = tables(db)
    pd.testing.assert_frame_equal(articles, ref_articles)
    pd.testing.assert_frame_equal(quotes, ref_quotes)
    assert (again.articles, again.quotes, again.already_stored) == (0, 0, again.read)  # incremental on workers
    # The kept partitions attach as a store with the same derived views.
    con = duckdb.connect()
    attach_parquet(con, parquet)
    stats = con.execute("SELECT * FROM speaker_stats ORDER BY speaker_key").df()
    expected = Store(db).query_df("SELECT * FROM speaker_stats ORDER BY speaker_key")
    pd.testing.assert_frame_equal(stats, expected)


def test_cli_dask_engine(corpus: Path, scheduler: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, parts = tmp_path / "c.duckdb", tmp_path / "parts"
    argv = ["ingest", str(corpus), "--db", str(db), "--engine", "dask", "--scheduler", scheduler,
            "--parquet-dir", str(parts), "--partition-size", "4"]
    assert cli.main(argv) == 0
    err = capsys.readouterr().err
    assert "partitions: " in err and "read 16 article(s), 0 already stored, skipped 3" in err
    assert "1 duplicate(s) within this run" in err  # a fresh store: the repeated article is not "already stored"
    assert len(parquet_files(parts, "articles")) >= 4
    assert cli.main(argv) == 2  # the partitions of the first run are not mixed into a second one
    assert "already holds Parquet partitions" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- incremental


class CountingNLP:
    """Wraps a pipeline and records every text it parses."""

    def __init__(self, nlp: Language, parsed: list[str]) -> None:
        self.nlp = nlp
        self.parsed = parsed

    def pipe(self, stream: Iterator[tuple[str, Article]], **kwargs: object) -> Iterator[object]:
        def spy() -> Iterator[tuple[str, Article]]:
            for text, article in stream:
                self.parsed.append(article.name)
                yield text, article

        return self.nlp.pipe(spy(), **kwargs)  # type: ignore[call-overload]


def test_stored_articles_are_skipped_before_parsing_and_a_new_version_redoes_only_stale_ones(
    corpus: Path, nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analysis.nlp
    import analysis.pipeline as pipeline

    parsed: list[str] = []
    monkeypatch.setattr(analysis.nlp, "load_nlp", lambda model=None: CountingNLP(nlp, parsed))
    settings = Settings(db_path=tmp_path / "s.duckdb", batch_size=4)
    first = service.ingest_sources([corpus], settings)
    assert len(parsed) == first.articles == first.read - 1  # the duplicate file is not parsed twice
    parsed.clear()
    again = service.ingest_sources([corpus], settings)
    assert parsed == [] and (again.articles, again.already_stored) == (0, again.read)

    store = Store(settings.db_path)
    ids = list(store.query_df("SELECT id FROM articles ORDER BY id")["id"])
    done_already = ids[: len(ids) // 2]
    monkeypatch.setattr(pipeline, "PIPELINE_VERSION", "q-next")
    with store.write() as con:  # half the articles were re-analysed by the new version before an interruption
        marks = ", ".join("?" * len(done_already))
        con.execute(f"UPDATE articles SET pipeline_version = 'q-next' WHERE id IN ({marks})", done_already)
        con.execute(f"UPDATE quotes SET pipeline_version = 'q-next' WHERE article_id IN ({marks})", done_already)
    third = service.ingest_sources([corpus], settings)
    names = dict(store.query_df("SELECT id, name FROM articles").itertuples(index=False))
    assert sorted(parsed) == sorted(names[i] for i in ids if i not in done_already)
    assert third.articles == len(ids) - len(done_already)
    versions = store.query_df("SELECT DISTINCT pipeline_version FROM articles")["pipeline_version"]
    assert set(versions) == {"q-next"}
    assert set(store.query_df("SELECT DISTINCT pipeline_version FROM quotes")["pipeline_version"]) == {"q-next"}


def test_ingest_streams_instead_of_reading_everything_first(
    tmp_path: Path, nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "READ_AHEAD", 4)
    pulled = 0

    def items() -> Iterator[Article]:
        nonlocal pulled
        for i in range(20):
            pulled += 1
            yield Article(id=f"s{i}", name=f"s{i}", text=body(i), source=f"s{i}")

    pulled_at_first_commit: list[int] = []

    def progress(done: int, total: int) -> None:
        if done and not pulled_at_first_commit:
            pulled_at_first_commit.append(pulled)

    report = service.ingest_items(items(), Settings(db_path=tmp_path / "s.duckdb", batch_size=2), on_progress=progress)
    assert report.articles == 20
    assert pulled_at_first_commit and pulled_at_first_commit[0] <= 2 * 4


# ---------------------------------------------------------------------------------------------- Parquet datasets


def test_ingest_parquet_is_one_transaction_that_replaces_and_keeps_overrides(tmp_path: Path, nlp: Language) -> None:
    articles = [Article(id=f"p{i}", name=f"p{i}.txt", text=body(i), outlet="Row Post", date="2024-05-01")
                for i in range(4)]
    results = list(analyze(articles, nlp))
    assert all(r.quotes for r in results)
    parts = tmp_path / "parts"
    write_parquet_part(results[:3], parts, "part-0")
    write_parquet_part(results[2:], parts, "part-1")  # article p2 in both partitions: stored once
    store = Store(tmp_path / "s.duckdb")
    expected_quotes = len({q.id for r in results for q in r.quotes})
    assert store.ingest_parquet(parts) == (4, expected_quotes)
    quote_id = store.query_df("SELECT id FROM quotes ORDER BY id LIMIT 1")["id"][0]
    store.set_override(quote_id, 1, "analyst")
    assert store.ingest_parquet(parts) == (4, expected_quotes)  # idempotent: old quotes replaced, not doubled
    row = store.query_df("SELECT effective_stance, overridden FROM quotes_effective WHERE id = ?", (quote_id,))
    assert row.to_dict("records") == [{"effective_stance": 1, "overridden": True}]

    # A quote partition whose article partition never landed (a worker died between the two files) is ignored.
    orphan = list(analyze([Article(id="orphan", name="o.txt", text=body(7))], nlp))
    write_parquet_part(orphan, parts, "part-2")
    (parts / "articles" / "part-2.parquet").unlink()
    assert store.ingest_parquet(parts)[0] == 4
    assert store.query_df("SELECT count(*) AS n FROM quotes WHERE article_id = 'orphan'")["n"][0] == 0


def test_attached_parquet_has_the_store_columns(tmp_path: Path, nlp: Language) -> None:
    results = list(analyze([Article(id=f"c{i}", name=f"c{i}", text=body(i), date=f"2024-06-0{i + 1}")
                            for i in range(3)], nlp))
    write_parquet_part(results, tmp_path / "ds", "part-0")
    store = Store(tmp_path / "s.duckdb")
    store.write_results(results)
    con = duckdb.connect()
    attach_parquet(con, tmp_path / "ds")
    for view in ("articles", "quotes", "overrides", "quotes_effective", "speaker_stats", "institution_stats"):
        mine = con.execute(f"DESCRIBE {view}").df()[["column_name", "column_type"]]
        theirs = store.query_df(f"DESCRIBE {view}")[["column_name", "column_type"]]
        pd.testing.assert_frame_equal(mine, theirs)
    a = con.execute("SELECT * FROM quotes_effective ORDER BY id").df()
    b = store.query_df("SELECT * FROM quotes_effective ORDER BY id")
    pd.testing.assert_frame_equal(a, b)


def test_attach_without_partitions_is_an_error(tmp_path: Path) -> None:
    from analysis.store import StoreMissing

    with pytest.raises(StoreMissing, match="no articles partitions"):
        attach_parquet(duckdb.connect(), tmp_path)
    assert parquet_files(tmp_path, "quotes") == []


# ---------------------------------------------------------------------------------------------- CLI


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "0"], "--workers must be at least 1"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
    ],
)
def test_scale_flag_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code = cli.main(["ingest", str(tmp_path), "--db", str(tmp_path / "s.duckdb"), *argv])
    assert code == 2
    assert message in capsys.readouterr().err
