"""Where the analysis runs: in this process, in a pool of local processes, or on a Dask cluster.

Every executor calls the same pure batch function, :func:`analyse_batch` (articles in, scored quotes and
problems out), and each worker process loads the spaCy pipeline once (``analysis.nlp.load_nlp`` is cached
per process). The local executors hand results back in input order so the service writes them batch by
batch. The Dask engine (:func:`ingest_dask`) reads and analyses on the workers, writes Parquet partitions and
stores them in one transaction.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from analysis.ingest import IngestProblem
from analysis.records import Article
from analysis.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from distributed import Client
    from spacy.language import Language

    from analysis.pipeline import ArticleResult
    from analysis.service import IngestReport


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What one batch gave: analysed articles (with their quotes, possibly none) and articles that failed."""

    results: tuple[ArticleResult, ...]
    problems: tuple[IngestProblem, ...] = ()


def analyse(
    articles: Iterable[Article],
    nlp: Language,
    *,
    batch_size: int,
    on_problem: Callable[[IngestProblem], None] | None = None,
) -> Iterator[ArticleResult]:
    """Parse with ``nlp.pipe`` and run every stage; an article whose analysis fails is reported and left out."""
    from analysis import pipeline  # looked up per call: tests swap stages in
    from analysis.nlp import parse_stream

    for doc, article in parse_stream(nlp, ((a.text, a) for a in articles), batch_size=batch_size):
        if isinstance(doc, Exception):
            if on_problem:
                on_problem(IngestProblem(article.source or article.name, f"could not be parsed ({type(doc).__name__})"))
            continue
        try:
            yield pipeline.ArticleResult(article, pipeline.analyze_doc(article, doc))
        except Exception as exc:  # a bug in one stage on one article must not lose the rest of the batch
            if on_problem:
                on_problem(IngestProblem(article.source or article.name, f"analysis failed ({type(exc).__name__}: {exc})"))


def analyse_batch(articles: Sequence[Article], model: str | None = None, batch_size: int = 16) -> BatchOutcome:
    """The analysis stage as one pure call: articles in, results and failures out (model loaded once per process)."""
    from analysis.nlp import load_nlp

    problems: list[IngestProblem] = []
    results = tuple(analyse(articles, load_nlp(model), batch_size=batch_size, on_problem=problems.append))
    return BatchOutcome(results, tuple(problems))


class Executor(Protocol):
    """Runs :func:`analyse_batch` over batches and yields the outcomes in input order."""

    def map(self, batches: Iterable[Sequence[Article]]) -> Iterator[BatchOutcome]: ...

    def close(self) -> None: ...


class InProcessExecutor:
    """One process, the caller's: the default and the reference every other executor must equal."""

    def __init__(self, model: str | None = None, batch_size: int = 16) -> None:
        self.model = model
        self.batch_size = batch_size

    def map(self, batches: Iterable[Sequence[Article]]) -> Iterator[BatchOutcome]:
        """Analyse batch after batch here."""
        for batch in batches:
            yield analyse_batch(batch, self.model, self.batch_size)

    def close(self) -> None:
        """Nothing to release."""


def _warm(model: str | None) -> None:
    from analysis.nlp import load_nlp

    load_nlp(model)


class ProcessExecutor:
    """A pool of ``workers`` spawned processes, each loading the model once; at most 2 batches per worker in flight.

    Spawned, not forked: the caller may hold threads (the dashboard) or DuckDB handles that must not be copied.
    The bounded queue keeps memory flat however long the input stream is.
    """

    def __init__(self, workers: int, model: str | None = None, batch_size: int = 16) -> None:
        self.workers = max(1, workers)
        self.model = model
        self.batch_size = batch_size
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm,
            initargs=(model,),
        )

    def map(self, batches: Iterable[Sequence[Article]]) -> Iterator[BatchOutcome]:
        """Submit batches as workers free up and yield their outcomes in input order."""
        pending: deque[Future[BatchOutcome]] = deque()
        limit = 2 * self.workers
        for batch in batches:
            pending.append(self._pool.submit(analyse_batch, list(batch), self.model, self.batch_size))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        """Stop the worker processes (pending work is cancelled)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def local_executor(workers: int, model: str | None = None, batch_size: int = 16) -> Executor:
    """In this process for one worker, else a process pool of ``workers``."""
    if workers <= 1:
        return InProcessExecutor(model, batch_size)
    return ProcessExecutor(workers, model, batch_size)


# ---------------------------------------------------------------------------------------------- Dask engine


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of input a worker reads: a file, a URL or directory (read whole), or lines of a JSONL file.

    For a line range, ``start``/``end`` are byte offsets and ``first_line`` the 1-based number of the line at
    ``start``, so rows get the same names and sources (``file.jsonl:17``) as when the file is read whole.
    """

    source: str
    start: int | None = None
    end: int | None = None
    first_line: int = 1
    problem: IngestProblem | None = None  # found while planning (a folder that cannot be listed): reported as is


@dataclass(frozen=True, slots=True)
class PartSummary:
    """What one partition did (returned to the client; the quotes themselves go to Parquet)."""

    read: int
    already_stored: int  # stored before this run with the current pipeline version
    failed: int
    articles: int
    quotes: int
    problems: tuple[IngestProblem, ...]
    pipeline_version: str


def plan_units(sources: Sequence[str | Path], settings: Settings) -> list[Unit]:
    """The input split into units in reading order: directories listed, large JSONL files cut into line ranges.

    Anything that cannot be split safely (too big, not UTF-8, lone carriage returns) stays one unit, so the
    worker reports it exactly as a local run would.
    """
    from analysis.ingest import JSONL_SUFFIXES, is_url, walk_corpus

    units: list[Unit] = []
    for raw in sources:
        if is_url(raw) or "\x00" in str(raw):
            units.append(Unit(str(raw).strip()))  # the worker fetches it (or names the bad path)
            continue
        path = Path(raw)
        problems: list[IngestProblem] = []
        try:
            files = list(walk_corpus(path, problems.append)) if path.is_dir() else [path]
        except OSError:
            files = [path]  # the worker reads it and names the reason
        units.extend(Unit(str(path), problem=p) for p in problems)
        if not files and not problems:
            units.append(Unit(str(path)))  # the worker reports the empty directory
        for file in files:
            if file.suffix.lower() in JSONL_SUFFIXES and _is_plain_file(file):
                units.extend(_jsonl_ranges(file, settings))
            else:
                units.append(Unit(str(file)))
    return units


def _is_plain_file(path: Path) -> bool:
    try:
        return path.is_file() and not path.is_symlink()
    except OSError:
        return False


def _jsonl_ranges(path: Path, settings: Settings) -> list[Unit]:
    from analysis.ingest import read_regular_file

    whole = [Unit(str(path))]
    try:
        data = read_regular_file(path, settings.max_bytes)
    except (OSError, ValueError):
        return whole  # the worker reads it whole and names the reason
    if not data:
        return whole
    if b"\r" in data or b"\x00" in data[:8192]:
        return whole
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return whole
    if not _has_article_row(text):
        return whole  # a file with no article row is one problem ("not an article corpus"), as read whole
    lines_per_unit = max(1, settings.partition_size)
    units: list[Unit] = []
    start, line, lines_here, pos = 0, 1, 0, 0
    first = 1
    while pos < len(data):
        newline = data.find(b"\n", pos)
        pos = len(data) if newline < 0 else newline + 1
        lines_here += 1
        line += 1
        if lines_here >= lines_per_unit:
            units.append(Unit(str(path), start, pos, first))
            start, first, lines_here = pos, line, 0
    if start < len(data):
        units.append(Unit(str(path), start, len(data), first))
    return units if len(units) > 1 else whole


def _has_article_row(text: str) -> bool:
    """True when some row has a text (usually the first line, so this rarely parses more than one)."""
    import json

    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):  # malformed or nested too deeply: the worker names the row
            continue
        if isinstance(row, dict) and isinstance(row.get("text"), str) and row["text"].strip():
            return True
    return False


def read_unit(unit: Unit, settings: Settings) -> Iterator[Article | IngestProblem]:
    """The articles and problems of one unit, named exactly as ``analysis.ingest.read_paths`` names them."""
    from analysis.ingest import MISSING_TEXT, display_name, parse_jsonl, read_paths, read_regular_file

    if unit.problem is not None:
        yield unit.problem
        return
    if unit.start is None or unit.end is None:
        yield from read_paths([unit.source], settings)
        return
    path = Path(unit.source)
    try:  # the file was a regular one when planned; read it the same safe way (it may have been replaced)
        chunk = read_regular_file(path, settings.max_bytes)[unit.start : unit.end]
        text = chunk.decode("utf-8-sig" if unit.start == 0 else "utf-8")
    except (OSError, ValueError) as exc:
        yield IngestProblem(display_name(path), str(exc) if isinstance(exc, ValueError) else (exc.strerror or "unreadable"))
        return
    # Blank lines are skipped but counted by parse_jsonl: padding gives every row its line number in the file.
    for item in parse_jsonl("\n" * (unit.first_line - 1) + text, base=path.name, source=display_name(path)):
        if isinstance(item, IngestProblem) and item.source == display_name(path):
            # parse_jsonl sums up a text-less file in one problem; this range is text-less but the file is not
            # (ranges are planned only then), so report its rows one by one as the whole-file read does.
            lines = text.split("\n")
            for number, line in enumerate(lines, unit.first_line):
                if line.strip():
                    yield IngestProblem(f"{display_name(path)}:{number}", MISSING_TEXT)
            continue
        yield item


def run_partition(
    units: Sequence[Unit], part: str, staging: str, known: frozenset[str], settings: Settings
) -> PartSummary:
    """On a worker: read the units, drop articles already stored, analyse the rest, write Parquet partition ``part``."""
    from analysis.pipeline import PIPELINE_VERSION
    from analysis.store import write_parquet_part

    problems: list[IngestProblem] = []
    seen: set[str] = set()
    todo: list[Article] = []
    read = already = 0
    for unit in units:
        for item in read_unit(unit, settings):
            if isinstance(item, IngestProblem):
                problems.append(item)
                continue
            read += 1
            if item.id in known:
                already += 1
            elif item.id not in seen:
                seen.add(item.id)
                todo.append(item)
    results: list[ArticleResult] = []
    failed = 0
    for start in range(0, len(todo), max(1, settings.batch_size)):
        outcome = analyse_batch(todo[start : start + settings.batch_size], settings.spacy_model, settings.batch_size)
        results.extend(outcome.results)
        problems.extend(outcome.problems)
        failed += len(outcome.problems)
    articles, quotes = write_parquet_part(results, staging, part) if results else (0, 0)
    return PartSummary(read, already, failed, articles, quotes, tuple(problems), PIPELINE_VERSION)


def _partitions(units: Sequence[Unit], settings: Settings) -> list[list[Unit]]:
    """Group small units (single files) so a partition holds about ``partition_size`` articles."""
    groups: list[list[Unit]] = []
    current: list[Unit] = []
    for unit in units:
        if unit.start is not None:  # a JSONL line range is a partition of its own
            if current:
                groups.append(current)
                current = []
            groups.append([unit])
            continue
        current.append(unit)
        if len(current) >= max(1, settings.partition_size):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


class PipelineMismatch(RuntimeError):
    """The Dask workers run another pipeline version than this client."""


def ingest_dask(
    sources: Sequence[str | Path],
    settings: Settings,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    on_problem: Callable[[IngestProblem], None] | None = None,
) -> IngestReport:
    """Read and analyse on a Dask cluster, write Parquet partitions, then store them in ONE transaction.

    The cluster is ``settings.scheduler`` (an address) or, when None, a LocalCluster of ``settings.workers``
    processes. Workers read the inputs themselves, so on a multi-node cluster the input paths and
    ``settings.parquet_dir`` must be on storage every worker sees. Articles stored with the current pipeline
    version are skipped on the workers before parsing. Progress is counted in partitions.
    """
    import shutil
    import tempfile

    from analysis.pipeline import PIPELINE_VERSION
    from analysis.service import IngestReport
    from analysis.store import Store, parquet_files

    store = Store(settings.db_path)
    groups = _partitions(plan_units(sources, settings), settings)
    if settings.parquet_dir is not None:
        staging = Path(settings.parquet_dir)
        if parquet_files(staging, "articles") or parquet_files(staging, "quotes"):
            raise FileExistsError(f"{staging} already holds Parquet partitions; give an empty --parquet-dir")
        staging.mkdir(parents=True, exist_ok=True)
    else:
        settings.db_path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".stance-parquet-", dir=settings.db_path.parent))
    summaries: list[PartSummary | None] = [None] * len(groups)
    try:
        with _dask_client(settings) as client:
            from distributed import as_completed

            # Sent once to every worker (wrapped: scatter would split a bare set into its items).
            [known] = client.scatter([store.ids_at_version()], broadcast=True)
            width = len(str(len(groups)))
            futures = [
                client.submit(
                    run_partition, group, f"part-{i:0{width}d}", str(staging.resolve()), known, settings,
                    key=f"stance-part-{i}-{staging.name}", pure=False,
                )
                for i, group in enumerate(groups)
            ]
            index = {f.key: i for i, f in enumerate(futures)}
            if on_progress:
                on_progress(0, len(groups))
            for done, future in enumerate(as_completed(futures), 1):
                summary = future.result()
                if summary.pipeline_version != PIPELINE_VERSION:
                    raise PipelineMismatch(
                        f"the workers run pipeline {summary.pipeline_version}, this client {PIPELINE_VERSION}: "
                        "install the same version of the package on every worker"
                    )
                summaries[index[future.key]] = summary
                if on_progress:
                    on_progress(done, len(groups))
        articles, quotes = store.ingest_parquet(staging)
        if not articles:
            store.initialise()
    finally:
        if settings.parquet_dir is None:
            shutil.rmtree(staging, ignore_errors=True)
    problems = [p for s in summaries if s for p in s.problems]  # in input order, as a local run reports them
    if on_problem:
        for problem in problems:
            on_problem(problem)
    read = sum(s.read for s in summaries if s)
    failed = sum(s.failed for s in summaries if s)
    already = sum(s.already_stored for s in summaries if s)
    return IngestReport(
        read=read, skipped=tuple(problems), already_stored=already, quotes=quotes, articles=articles,
        duplicates=max(0, read - already - articles - failed),
    )


class _dask_client:
    """A distributed.Client on the given scheduler, or on a LocalCluster it starts and stops."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cluster: object | None = None
        self._client: object | None = None

    def __enter__(self) -> Client:
        from distributed import Client, LocalCluster

        if self.settings.scheduler:
            client = Client(self.settings.scheduler)
        else:
            # One thread per worker process: a spaCy pipeline is not shared between threads.
            self._cluster = LocalCluster(
                n_workers=max(1, self.settings.workers), threads_per_worker=1, processes=True,
                dashboard_address=None,
            )
            client = Client(self._cluster)
        self._client = client
        return client

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()  # type: ignore[attr-defined]
        if self._cluster is not None:
            self._cluster.close()  # type: ignore[attr-defined]
