"""One settings object, built from the environment and passed explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DB = Path("data/stance.duckdb")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path = DEFAULT_DB
    spacy_model: str | None = None  # None: the best installed English pipeline (see analysis.nlp)
    max_bytes: int = DEFAULT_MAX_BYTES  # files and downloads larger than this are skipped
    batch_size: int = 16  # articles per nlp.pipe batch and per store transaction
    allow_private_urls: bool = False  # fetch from loopback / private addresses (tests only)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then STANCE_* environment variables, then explicit non-None overrides."""
        base = cls(
            db_path=Path(os.environ.get("STANCE_DB", str(DEFAULT_DB))),
            spacy_model=os.environ.get("STANCE_SPACY_MODEL") or None,
            max_bytes=int(os.environ.get("STANCE_MAX_BYTES", DEFAULT_MAX_BYTES)),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **given)  # type: ignore[arg-type]
