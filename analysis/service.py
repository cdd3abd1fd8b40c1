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

from analysis.ingest import KNOWN_SUFFIXES, IngestProblem, read_paths
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
    """What one ingest did: articles read, problems skipped, already-stored no-ops, quotes and articles written."""

    read: int
    skipped: tuple[IngestProblem, ...]
    already_stored: int
    quotes: int
    articles: int


def _batches(items: Sequence[Article], size: int) -> Iterable[Sequence[Article]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + max(1, size)]


def analyse(
    articles: Iterable[Article], nlp: Language, *, batch_size: int, on_problem: ProblemFn | None = None
) -> Iterator[ArticleResult]:
    """Parse with ``nlp.pipe`` and run every stage; an article whose analysis fails is reported and left out."""
    from analysis.pipeline import ArticleResult, analyze_doc

    stream = ((a.text, a) for a in articles)
    for doc, article in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
        try:
            yield ArticleResult(article, analyze_doc(article, doc))
        except Exception as exc:  # a bug in one stage on one article must not lose the rest of the batch
            if on_problem:
                on_problem(IngestProblem(article.source or article.name, f"analysis failed ({type(exc).__name__}: {exc})"))


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
    from analysis.nlp import load_nlp

    nlp = load_nlp(settings.spacy_model)
    store = Store(settings.db_path)
    done = written = quotes = 0
    if on_progress:
        on_progress(0, len(articles))
    for batch in _batches(articles, settings.batch_size):
        # No connection is open while parsing: the dashboard can read and write between batches.
        results = list(analyse(batch, nlp, batch_size=settings.batch_size, on_problem=on_problem))
        quotes += store.write_results(results)
        written += len(results)
        done += len(batch)
        if on_progress:
            on_progress(done, len(articles))
    return written, quotes


def ingest_items(
    items: Iterable[Article | IngestProblem],
    settings: Settings,
    *,
    on_progress: ProgressFn | None = None,
    on_problem: ProblemFn | None = None,
) -> IngestReport:
    """Store the articles among ``items`` that are not stored yet with the current pipeline version."""
    problems: list[IngestProblem] = []
    articles: dict[str, Article] = {}
    read = 0

    def problem(item: IngestProblem) -> None:
        problems.append(item)
        if on_problem:
            on_problem(item)

    for item in items:
        if isinstance(item, IngestProblem):
            problem(item)
            continue
        read += 1
        articles.setdefault(item.id, item)
    store = Store(settings.db_path)
    known = store.known_article_ids(list(articles))
    todo = [a for a in articles.values() if a.id not in known]
    written, quotes = analyse_and_store(todo, settings, on_progress=on_progress, on_problem=problem)
    if not todo:
        store.initialise()  # an empty or fully-known run still leaves a usable, migrated database
    return IngestReport(
        read=read, skipped=tuple(problems), already_stored=read - len(todo), quotes=quotes, articles=written,
    )


def ingest_sources(
    sources: Sequence[str | Path],
    settings: Settings,
    *,
    on_progress: ProgressFn | None = None,
    on_problem: ProblemFn | None = None,
) -> IngestReport:
    """Read files, directories and http(s) URLs, analyse what is new, store it; a bad source is skipped."""
    return ingest_items(read_paths(sources, settings), settings, on_progress=on_progress, on_problem=on_problem)


def ingest_upload(name: str, data: bytes, settings: Settings) -> IngestReport:
    """One uploaded file (txt/html/jsonl/csv), size-limited, analysed and stored under its base name."""
    base = PurePath(name.replace("\\", "/")).name or "upload.txt"
    if len(data) > settings.max_bytes:
        problem = IngestProblem(base, f"file is {len(data):,} bytes, over the {settings.max_bytes:,}-byte limit")
        return IngestReport(read=0, skipped=(problem,), already_stored=0, quotes=0, articles=0)
    if PurePath(base).suffix.lower() not in KNOWN_SUFFIXES:
        problem = IngestProblem(base, "unsupported file type (use .txt, .html, .jsonl or .csv)")
        return IngestReport(read=0, skipped=(problem,), already_stored=0, quotes=0, articles=0)
    with tempfile.TemporaryDirectory(prefix="stance-upload-") as tmp:
        path = Path(tmp) / base
        path.write_bytes(data)
        items = [_relabel(item, str(path), base) for item in read_paths([path], settings)]
    return ingest_items(items, settings)


def _relabel(item: Article | IngestProblem, temp: str, name: str) -> Article | IngestProblem:
    """Name an upload's articles and problems after the uploaded file, not the temporary copy."""
    if isinstance(item, IngestProblem):
        return IngestProblem(item.source.replace(temp, name), item.reason)
    from dataclasses import replace

    return replace(item, source=(item.source or temp).replace(temp, f"upload:{name}"))


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
    done = processed = quotes = 0
    total = len(stale)
    if on_progress:
        on_progress(0, total)
    for start in range(0, total, max(1, settings.batch_size)):
        # Load and analyse one batch at a time so memory stays flat and no connection is held while parsing.
        batch = store.load_articles(stale[start : start + max(1, settings.batch_size)])
        written, found = analyse_and_store(batch, settings, on_problem=on_problem)
        done += written
        processed += len(batch)
        quotes += found
        if on_progress:
            on_progress(processed, total)
    return done, quotes
