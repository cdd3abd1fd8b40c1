"""Shared fixtures: one spaCy model per session, the real dev corpus from ../shared, and its scores."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from spacy.language import Language

from analysis.nlp import load_nlp

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_nlp()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The real corpus beside the repo (CI has it); tests that need it are skipped only when it is absent."""
    if not (SHARED / "corpus" / "dev" / "articles").is_dir():
        pytest.skip("../shared (the real dev corpus) is not beside the repository")
    return SHARED


@pytest.fixture(scope="session")
def scorer(shared_dir: Path) -> ModuleType:
    """The project's shared scorer, imported from ../shared/tools/score_quotes.py."""
    spec = importlib.util.spec_from_file_location("score_quotes", shared_dir / "tools" / "score_quotes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def dev_gold(shared_dir: Path) -> list[dict[str, Any]]:
    files = sorted((shared_dir / "corpus" / "dev").glob("gold_*.jsonl")) + [shared_dir / "gold" / "seeds.gold.jsonl"]
    return [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def dev_predictions(shared_dir: Path, nlp: Language) -> list[dict[str, Any]]:
    """`stance extract` rows for the dev articles and seeds, from the real pipeline."""
    from analysis.ingest import read_paths
    from analysis.pipeline import analyze
    from analysis.records import Article
    from analysis.settings import Settings

    sources = [shared_dir / "corpus" / "dev" / "articles", shared_dir / "seeds"]
    articles = [a for a in read_paths(sources, Settings()) if isinstance(a, Article)]
    assert len(articles) == 34
    return [q.to_row() for result in analyze(articles, nlp) for q in result.quotes]


@pytest.fixture(scope="session")
def dev_scores(scorer: ModuleType, dev_gold: list[dict[str, Any]], dev_predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """The shared scorer's figures for the real pipeline on the dev corpus."""
    return scorer.score(dev_gold, dev_predictions)
