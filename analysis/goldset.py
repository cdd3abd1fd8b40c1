"""Gold sets for evaluation and benchmarks: where the gold files are, article bodies, gold-located quotes.

The real dev corpus lives beside the repository in ``../shared`` (never copied in); the fictional demo corpus and
its gold live in ``data/``. Bodies come from ``analysis.ingest`` so every stage is measured on the same text that
``stance extract`` analyses.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from analysis.evaluate import load_rows
from analysis.ingest import read_paths
from analysis.records import SEGMENT_JOINER, Article, Kind, Quote, Span
from analysis.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"


def dev_gold_files(shared: Path = DEFAULT_SHARED) -> list[Path]:
    """The dev corpus gold (parts a, b, c) and the seeds' gold."""
    return sorted((shared / "corpus" / "dev").glob("gold_*.jsonl")) + [shared / "gold" / "seeds.gold.jsonl"]


def dev_article_dirs(shared: Path = DEFAULT_SHARED) -> list[Path]:
    return [shared / "corpus" / "dev" / "articles", shared / "seeds"]


def demo_gold_files(repo: Path = REPO) -> list[Path]:
    return [repo / "data" / "demo_gold.jsonl"]


def demo_article_dirs(repo: Path = REPO) -> list[Path]:
    return [repo / "data" / "articles"]


def corpus_paths(corpus: str, shared: Path = DEFAULT_SHARED) -> tuple[list[Path], list[Path]]:
    """(article directories, gold files) of the named corpus: "dev" or "demo"."""
    if corpus == "demo":
        return demo_article_dirs(), demo_gold_files()
    if corpus == "dev":
        return dev_article_dirs(shared), dev_gold_files(shared)
    raise ValueError(f"unknown corpus {corpus!r}: expected 'dev' or 'demo'")


def load_gold(files: Iterable[Path]) -> list[dict[str, Any]]:
    return [row for f in files for row in load_rows(f)]


def read_articles(dirs: Iterable[Path]) -> dict[str, Article]:
    """Articles by file name, read as `stance extract` reads them."""
    return {a.name: a for a in read_paths(list(dirs), Settings()) if isinstance(a, Article)}


def locate_quote(body: str, text: str, kind: str) -> Quote | None:
    """A gold quote as a Quote over exact substrings of the body (split quotes: segments left to right)."""
    spans: list[Span] = []
    cursor = 0
    for part in text.split(SEGMENT_JOINER):
        at = body.find(part, cursor)
        if at < 0:
            at = body.find(part)
        if at < 0:
            return None
        spans.append(Span(at, at + len(part)))
        cursor = at + len(part)
    spans.sort(key=lambda s: s.start)
    quote_kind: Kind = "direct" if kind == "direct" else "indirect"
    return Quote(segments=tuple(spans), kind=quote_kind, text=text)
