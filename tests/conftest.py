"""Shared fixtures: one spaCy model per session, the real dev corpus from ../shared, and its scores."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from spacy.language import Language

from analysis import goldset
from analysis.nlp import load_nlp
from analysis.pipeline import analyze

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
def corpus_scores(shared_dir: Path, scorer: ModuleType, nlp: Language) -> Callable[[str], dict[str, Any]]:
    """The shared scorer's figures for the real pipeline on a named corpus of ``goldset.corpora`` ("extra-val",
    "polnear-dev", ...), computed once per session."""
    available = goldset.corpora(shared_dir)
    cache: dict[str, dict[str, Any]] = {}

    def figures(name: str) -> dict[str, Any]:
        if name not in cache:
            cache[name] = goldset.evaluate_corpus(available[name], nlp, scorer)[0]
        return cache[name]

    return figures


@pytest.fixture(scope="session")
def dev_gold(shared_dir: Path) -> list[dict[str, Any]]:
    return goldset.load_gold(goldset.dev_gold_files(shared_dir))


@pytest.fixture(scope="session")
def dev_predictions(shared_dir: Path, nlp: Language) -> list[dict[str, Any]]:
    """`stance extract` rows for the dev articles and seeds, from the real pipeline."""
    articles = list(goldset.read_articles(goldset.dev_article_dirs(shared_dir)).values())
    assert len(articles) == 34
    return [q.to_row() for result in analyze(articles, nlp) for q in result.quotes]


@pytest.fixture(scope="session")
def dev_scores(scorer: ModuleType, dev_gold: list[dict[str, Any]], dev_predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """The shared scorer's figures for the real pipeline on the dev corpus."""
    return scorer.score(dev_gold, dev_predictions)


@pytest.fixture(scope="session")
def demo_scores(scorer: ModuleType, nlp: Language) -> dict[str, Any]:
    """The shared scorer's figures for the real pipeline on the team's fictional demo corpus and its gold: a second,
    independent set, so a gap to the dev figures shows over-fitting to the dev corpus."""
    articles = list(goldset.read_articles(goldset.demo_article_dirs()).values())
    predictions = [q.to_row() for result in analyze(articles, nlp) for q in result.quotes]
    return scorer.score(goldset.load_gold(goldset.demo_gold_files()), predictions)
