"""Adding articles from the dashboard: uploads, URLs and the demo corpus, through ``analysis.service``.

The only place the app parses text. Each source is analysed and stored by the analysis package; problems
come back per file (``IngestReport.skipped``) and are shown, never raised as a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.settings import Settings

log = logging.getLogger(__name__)
DEMO_CORPUS = Path(__file__).resolve().parents[1] / "data" / "articles"
UPLOAD_TYPES = ("txt", "html", "htm", "jsonl", "csv")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one ingest call did, in terms the page can show."""

    articles: int = 0
    quotes: int = 0
    already_stored: int = 0
    problems: tuple[tuple[str, str], ...] = field(default=())


def _outcome(report: Any) -> Outcome:
    return Outcome(
        articles=int(getattr(report, "articles", 0) or 0),
        quotes=int(getattr(report, "quotes", 0) or 0),
        already_stored=int(getattr(report, "already_stored", 0) or 0),
        problems=tuple((str(p.source), str(p.reason)) for p in getattr(report, "skipped", ()) or ()),
    )


def merge(outcomes: list[Outcome]) -> Outcome:
    """Sum several outcomes (one per uploaded file)."""
    return Outcome(
        articles=sum(o.articles for o in outcomes),
        quotes=sum(o.quotes for o in outcomes),
        already_stored=sum(o.already_stored for o in outcomes),
        problems=tuple(p for o in outcomes for p in o.problems),
    )


def ingest_upload(db: str, name: str, payload: bytes, *, max_bytes: int) -> Outcome:
    """Analyse and store one uploaded file; oversize or failing files become a problem row."""
    if len(payload) > max_bytes:
        return Outcome(problems=((name, f"file is {len(payload):,} bytes; the limit is {max_bytes:,}"),))
    from analysis.service import ingest_upload as service_upload

    try:
        return _outcome(service_upload(name, payload, Settings.from_env(db_path=Path(db))))
    except Exception as exc:  # one bad file must not break the page; the reason is shown beside its name
        log.exception("ingest of upload %s failed", name)
        return Outcome(problems=((name, f"{exc.__class__.__name__}: {exc}"),))


def ingest_sources(db: str, sources: list[str], *, on_progress: Any = None) -> Outcome:
    """Analyse and store paths or URLs (the demo corpus, pasted links)."""
    from analysis.service import ingest_sources as service_ingest

    try:
        report = service_ingest(sources, Settings.from_env(db_path=Path(db)), on_progress=on_progress)
    except Exception as exc:  # e.g. the store is locked by another writer for too long
        log.exception("ingest of %d sources failed", len(sources))
        return Outcome(problems=(("(all)", f"{exc.__class__.__name__}: {exc}"),))
    return _outcome(report)


def parse_urls(text: str) -> tuple[list[str], list[str]]:
    """(http(s) URLs, rejected lines) from a pasted block, one per line; blank lines ignored."""
    urls: list[str] = []
    rejected: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        (urls if line.lower().startswith(("http://", "https://")) else rejected).append(line)
    return urls, rejected
