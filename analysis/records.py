"""Typed records passed between the pipeline stages.

Data flows one way: Article -> Quote -> AttributedQuote -> Affiliation -> Stance -> ScoredQuote.
Every character offset is an int into ``Article.text`` (the article body).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["direct", "indirect"]
InstitutionType = Literal[
    "think_tank", "university", "government", "international_org", "military", "media", "other"
]
INSTITUTION_TYPES: tuple[str, ...] = (
    "think_tank", "university", "government", "international_org", "military", "media", "other",
)
SEGMENT_JOINER = " … "


def stable_hash(*parts: str, length: int = 16) -> str:
    """Hex digest of the parts; the same input gives the same id on every machine and run."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range [start, end) in the article body."""

    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read by ``analysis.ingest``."""

    id: str
    name: str  # base file name (or a name derived from the URL / row); the `article` key of extract output
    text: str  # the body; all offsets refer to it
    title: str | None = None
    outlet: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd, or None when unknown
    url: str | None = None
    source: str | None = None  # where it was read from (path, path:row, or URL)


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation found in an article, before the speaker is resolved.

    ``speaker_mention`` is the text at the attribution site that names the speaker ("he", "Lankov",
    "the expert", "Andrei Lankov"); None when the quote has no attribution of its own (a continued
    paragraph, a lead quote whose speaker comes later), which ``analysis.attribution`` resolves.
    """

    segments: tuple[Span, ...]  # more than one for a quote split by an attribution
    kind: Kind
    text: str  # the segments joined with SEGMENT_JOINER
    cue: Span | None = None  # reporting verb / "according to" / colon that introduced it
    speaker_mention: Span | None = None

    @property
    def start(self) -> int:
        return self.segments[0].start

    @property
    def end(self) -> int:
        return self.segments[-1].end


@dataclass(frozen=True, slots=True)
class Speaker:
    """A named person, resolved within one article."""

    name: str  # full name as first introduced
    mentions: tuple[Span, ...] = ()  # every span resolved to this person, first introduction first


@dataclass(frozen=True, slots=True)
class AttributedQuote:
    quote: Quote
    speaker: Speaker | None  # None: unnamed source, organisation, or unresolved


@dataclass(frozen=True, slots=True)
class Affiliation:
    role: str | None = None
    institution: str | None = None  # canonical name when the registry knows it, else as written
    institution_type: InstitutionType | None = None
    former: bool = False
    known: bool = True  # False when the institution is not in the registry (reported by `stance institutions --unknown`)


@dataclass(frozen=True, slots=True)
class Cue:
    """One piece of stance evidence: a cue phrase and what modified it."""

    phrase: str
    polarity: int  # +1 or -1 after modifiers
    weight: float
    modifier: str | None = None  # e.g. "negated", "hedged", "contrast", None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Stance:
    label: int  # -1, 0, +1
    score: float  # -1..1
    confidence: float  # 0..1
    evidence: tuple[Cue, ...] = ()
    on_target: bool = True
    sentiment: float = 0.0  # VADER compound, reported beside stance, never instead of it


@dataclass(frozen=True, slots=True)
class ScoredQuote:
    """The pipeline's output: one quote with its speaker, affiliation and stance."""

    article: Article
    quote: Quote
    speaker: Speaker
    affiliation: Affiliation
    stance: Stance
    pipeline_version: str
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            spans = ",".join(f"{s.start}-{s.end}" for s in self.quote.segments)
            object.__setattr__(self, "id", stable_hash(self.article.id, spans))

    def to_row(self) -> dict[str, object]:
        """The JSON-lines row of `stance extract`: the gold schema keys plus score, evidence and metadata."""
        return {
            "id": self.id,
            "article": self.article.name,
            "speaker": self.speaker.name,
            "role": self.affiliation.role,
            "institution": self.affiliation.institution,
            "institution_type": self.affiliation.institution_type,
            "former": self.affiliation.former,
            "quote": self.quote.text,
            "kind": self.quote.kind,
            "stance": self.stance.label,
            "score": round(self.stance.score, 4),
            "confidence": round(self.stance.confidence, 4),
            "evidence": [
                {"phrase": c.phrase, "polarity": c.polarity, "weight": c.weight, "modifier": c.modifier}
                for c in self.stance.evidence
            ],
            "on_target": self.stance.on_target,
            "sentiment": round(self.stance.sentiment, 4),
            "outlet": self.article.outlet,
            "date": self.article.date,
            "url": self.article.url,
            "start": self.quote.start,
            "end": self.quote.end,
            "segments": [[s.start, s.end] for s in self.quote.segments],
            "pipeline_version": self.pipeline_version,
        }
