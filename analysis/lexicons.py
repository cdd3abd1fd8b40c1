"""Loading curated knowledge from ``analysis/resources`` (TOML and TSV files, reviewed like code)."""

from __future__ import annotations

import csv
import io
import tomllib
from functools import cache
from importlib import resources
from typing import Any


def resource_text(name: str) -> str:
    return resources.files("analysis").joinpath("resources", name).read_text(encoding="utf-8")


@cache
def load_toml(name: str) -> dict[str, Any]:
    """A TOML resource, parsed once per process."""
    return tomllib.loads(resource_text(name))


@cache
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    """A tab-separated resource with a header row; lines starting with '#' are comments."""
    lines = [ln for ln in resource_text(name).splitlines() if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple({k: (v or "").strip() for k, v in row.items()} for row in reader)


def resource_files(folder: str, suffix: str) -> tuple[str, ...]:
    """Names (relative to ``resources``) of the files with ``suffix`` in a resource folder, sorted."""
    root = resources.files("analysis").joinpath("resources", folder)
    if not root.is_dir():
        return ()
    return tuple(sorted(f"{folder}/{f.name}" for f in root.iterdir() if f.name.endswith(suffix)))


def word_set(data: dict[str, Any], key: str) -> frozenset[str]:
    """A lower-cased word list of a parsed TOML resource (empty when the key is absent)."""
    return frozenset(str(w).lower() for w in data.get(key, []))
