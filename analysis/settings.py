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
    workers: int = 1  # analysis processes on this machine (1: in the calling process)
    engine: str = "local"  # "local" (this machine) or "dask" (a Dask distributed cluster)
    scheduler: str | None = None  # Dask scheduler address (tcp://host:8786); None: a LocalCluster of `workers`
    parquet_dir: Path | None = None  # dask: where partitions are written (shared by every worker); None: a temp dir
    partition_size: int = 64  # dask: articles per partition (a JSONL file is split into line ranges of this size)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then STANCE_* environment variables, then explicit non-None overrides."""
        base = cls(
            db_path=Path(os.environ.get("STANCE_DB", str(DEFAULT_DB))),
            spacy_model=os.environ.get("STANCE_SPACY_MODEL") or None,
            max_bytes=int(os.environ.get("STANCE_MAX_BYTES", DEFAULT_MAX_BYTES)),
            workers=int(os.environ.get("STANCE_WORKERS", 1)),
            scheduler=os.environ.get("STANCE_DASK_SCHEDULER") or None,
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **given)  # type: ignore[arg-type]
