"""The public API of ingesting and re-analysing (used by the CLI and the dashboard's "Add articles").

Articles are read and parsed in batches with NO database connection open; each analysed batch is then written
in one short transaction, so the dashboard can read and write overrides between batches.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from analysis.ingest import KNOWN_SUFFIXES, IngestProblem, display_name, read_paths
from analysis.records import Article
from analysis.settings import Settings
from analysis.store import Store

if TYPE_CHECKING:
    from spacy.language import Language

    from analysis.pipeline import ArticleResult

ProgressFn = Callable[[int, int], None]
ProblemFn = Callable[[IngestProblem], None]


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest did: articles read, problems skipped, already-stored no-ops, quotes and articles written.

    ``duplicates`` are articles read more than once in this run (the same id: same body and URL); the first
    copy counts, the others are neither stored again nor "already stored"."""

    read: int
    skipped: tuple[IngestProblem, ...]
    already_stored: int
    quotes: int
    articles: int
    duplicates: int = 0


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Consecutive lists of ``size`` items from any iterable (the last may be shorter); never materialises it."""
    size = max(1, size)
    batch: list[Article] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def analyse(
    articles: Iterable[Article], nlp: Language, *, batch_size: int, on_problem: ProblemFn | None = None
) -> Iterator[ArticleResult]:
    """Parse with ``nlp.pipe`` and run every stage; an article whose analysis fails is reported and left out."""
    from analysis.executors import analyse as run

    return run(articles, nlp, batch_size=batch_size, on_problem=on_problem)


def _store_outcomes(
    batches: Iterable[Sequence[Article]],
    settings: Settings,
    *,
    on_batch: Callable[[int, int], None] | None = None,
    on_problem: ProblemFn | None = None,
) -> tuple[int, int]:
    """Analyse the batches with the configured local executor and write each in one transaction.

    No connection is open while a batch is parsed, so the dashboard can read and write in between. An article
    whose analysis failed is not stored, so the next run tries it again. ``on_batch(articles, quotes)`` after
    each commit.
    """
    from analysis.executors import local_executor

    store = Store(settings.db_path)
    written = quotes = 0
    executor = local_executor(settings.workers, settings.spacy_model, settings.batch_size)
    try:
        for outcome in executor.map(batches):
            for item in outcome.problems:
                if on_problem:
                    on_problem(item)
            found = store.write_results(outcome.results)
            written += len(outcome.results)
            quotes += found
            if on_batch:
                on_batch(len(outcome.results) + len(outcome.problems), found)
    finally:
        executor.close()
    return written, quotes


def analyse_and_store(
    articles: Sequence[Article],
    settings: Settings,
    *,
    on_progress: ProgressFn | None = None,
    on_problem: ProblemFn | None = None,
) -> tuple[int, int]:
    """Analyse ``articles`` batch by batch and write each batch in one transaction; (articles, quotes) written.

    An article whose analysis failed is not stored, so the next run tries it again.
    """
    if not articles:
        return 0, 0
    done = 0
    if on_progress:
        on_progress(0, len(articles))

    def advance(count: int, _quotes: int) -> None:
        nonlocal done
        done += count
        if on_progress:
            on_progress(done, len(articles))

    return _store_outcomes(_batches(articles, settings.batch_size), settings, on_batch=advance, on_problem=on_problem)


# Articles read ahead and checked against the store in one query; bounds memory while keeping lookups few.
READ_AHEAD = 512


def ingest_items(
    items: Iterable[Article | IngestProblem],
    settings: Settings,
    *,
    on_progress: ProgressFn | None = None,
    on_problem: ProblemFn | None = None,
) -> IngestReport:
    """Store the articles among ``items`` that are not stored yet with the current pipeline version.

    Streamed: items are read ahead in chunks, each chunk's already-stored articles (same id, current pipeline
    version) are dropped BEFORE parsing, and the rest go batch by batch to the executor (``settings.workers``).
    The progress total is the number of new articles found so far.
    """
    problems: list[IngestProblem] = []
    counts = {"read": 0, "todo": 0, "done": 0, "already": 0, "duplicates": 0}
    seen: set[str] = set()
    store = Store(settings.db_path)

    def problem(item: IngestProblem) -> None:
        problems.append(item)
        if on_problem:
            on_problem(item)

    def articles() -> Iterator[Article]:
        for item in items:
            if isinstance(item, IngestProblem):
                problem(item)
                continue
            counts["read"] += 1
            yield item

    def new_articles() -> Iterator[Article]:
        for chunk in _batches(articles(), max(READ_AHEAD, settings.batch_size * settings.workers * 4)):
            known = store.known_article_ids([a.id for a in chunk])
            todo = []
            for article in chunk:
                if article.id in seen:  # analysed earlier in this run: the first copy wins (checked before the
                    counts["duplicates"] += 1  # store, which may already hold that first copy by now)
                elif article.id in known:
                    counts["already"] += 1
                else:
                    seen.add(article.id)
                    todo.append(article)
            if todo and counts["todo"] == 0 and on_progress:
                on_progress(0, len(todo))
            counts["todo"] += len(todo)
            yield from todo

    def advance(count: int, _quotes: int) -> None:
        counts["done"] += count
        if on_progress:
            on_progress(counts["done"], counts["todo"])

    written, quotes = _store_outcomes(
        _batches(new_articles(), settings.batch_size), settings, on_batch=advance, on_problem=problem
    )
    if not written:
        store.initialise()  # an empty or fully-known run still leaves a usable, migrated database
    return IngestReport(
        read=counts["read"], skipped=tuple(problems),
        already_stored=counts["already"], quotes=quotes, articles=written,
        duplicates=counts["duplicates"],
    )


def ingest_sources(
    sources: Sequence[str | Path],
    settings: Settings,
    *,
    on_progress: ProgressFn | None = None,
    on_problem: ProblemFn | None = None,
) -> IngestReport:
    """Read files, directories and http(s) URLs, analyse what is new, store it; a bad source is skipped.

    With ``settings.engine == "dask"`` the reading and the analysis run on a Dask cluster instead
    (``analysis.executors.ingest_dask``); the results are the same.
    """
    if settings.engine == "dask":
        from analysis.executors import ingest_dask

        return ingest_dask(sources, settings, on_progress=on_progress, on_problem=on_problem)
    return ingest_items(read_paths(sources, settings), settings, on_progress=on_progress, on_problem=on_problem)


def ingest_upload(name: str, data: bytes, settings: Settings) -> IngestReport:
    """One uploaded file (txt/html/jsonl/csv), size-limited, analysed and stored under its base name.

    The name is only a label: it is shown and stored escaped (see ``display_name``), and the bytes are written
    to a temporary file of a fixed name, so no character in it (NUL, newline, path separators) can matter."""
    base = display_name(PurePath(name.replace("\\", "/")).name) or "upload.txt"
    suffix = PurePath(base).suffix.lower()
    if len(data) > settings.max_bytes:
        problem = IngestProblem(base, f"file is {len(data):,} bytes, over the {settings.max_bytes:,}-byte limit")
        return IngestReport(read=0, skipped=(problem,), already_stored=0, quotes=0, articles=0)
    if suffix not in KNOWN_SUFFIXES:
        problem = IngestProblem(base, "unsupported file type (use .txt, .html, .jsonl or .csv)")
        return IngestReport(read=0, skipped=(problem,), already_stored=0, quotes=0, articles=0)
    with tempfile.TemporaryDirectory(prefix="stance-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        items = [_relabel(item, str(path), path.name, base) for item in read_paths([path], settings)]
    return ingest_items(items, settings)


def _relabel(item: Article | IngestProblem, temp: str, temp_name: str, name: str) -> Article | IngestProblem:
    """Name an upload's articles and problems after the uploaded file, not the temporary copy."""
    if isinstance(item, IngestProblem):
        return IngestProblem(item.source.replace(temp, name), item.reason)
    from dataclasses import replace

    article_name = name + item.name[len(temp_name):] if item.name.startswith(temp_name) else item.name
    return replace(item, name=article_name, source=(item.source or temp).replace(temp, f"upload:{name}"))


def reanalyze(
    settings: Settings,
    *,
    force: bool = False,
    on_progress: ProgressFn | None = None,
    on_problem: ProblemFn | None = None,
) -> tuple[int, int]:
    """Re-run the pipeline on stored articles whose pipeline version is not the current one; (articles, quotes).

    Articles already at the current version are skipped before parsing; overrides are kept.
    """
    store = Store(settings.db_path)
    stale = store.stale_article_ids(force=force)
    total = len(stale)
    processed = 0
    if on_progress:
        on_progress(0, total)

    def batches() -> Iterator[list[Article]]:
        # Loaded one batch at a time (memory stays flat); no connection is held while a batch is parsed.
        for start in range(0, total, max(1, settings.batch_size)):
            yield store.load_articles(stale[start : start + max(1, settings.batch_size)])

    def advance(count: int, _quotes: int) -> None:
        nonlocal processed
        processed += count
        if on_progress:
            on_progress(processed, total)

    return _store_outcomes(batches(), settings, on_batch=advance, on_problem=on_problem)
