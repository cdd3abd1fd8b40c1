"""Stance quality gates on the real dev corpus (../shared).

Gates: (1) gold-located quotes of the dev corpus scored by ``analysis.goldset.evaluate`` (what ``bench/stance_eval.py`` prints) (independent of
quote extraction), (2) the full pipeline through the shared scorer (``dev_scores``), and (3) gold-located quotes of
the team's fictional demo corpus (``data/``), written independently of the dev corpus: the over-fitting check, and (4)
gold-located quotes of every other labelled corpus (extra-tune, extra-val, skeptic). The scorer is rules only (a
learned layer was measured leave-one-corpus-out by bench/train_stance.py and did not transfer, so nothing is
fitted). Which figure is transfer: the VERSION 4 and 5 rules were developed reading the misses of dev, demo, extra-tune
and skeptic, so only extra-val (the validation split, never read) is a transfer figure for them. Gates are
ratchets at the figures reached, with a small margin.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from spacy.language import Language

from analysis import goldset, stance

pytestmark = pytest.mark.corpus

GOLD_LOCATED_MACRO_F1 = 0.84  # reached 0.838 (VERSION 2), 0.844 (VERSION 3), 0.850 (VERSION 4), 0.866 (VERSION 5)
DEMO_GOLD_LOCATED_MACRO_F1 = 0.72  # ratchet: 0.40 with VERSION 2, 0.649 with VERSION 3, 0.738 with VERSION 4 and 5
END_TO_END_MACRO_F1 = 0.75  # the target; reached 0.87 with quotes v3
END_TO_END_RECALL = 0.70  # the target; reached 0.728 with quotes/attribution v14
# gold-located floors per corpus (VERSION 5 reached, in brackets): VERSION 3 had extra-tune 0.50 / extra-val 0.45 /
# skeptic 0.43 macro-F1, skeptic -1 recall 0.24; VERSION 4 extra-val 0.542 / 0.708 / 0.571 / 0.476
CORPUS_FLOORS = {
    "extra-tune": {"macro_f1": 0.64, "acc": 0.84, "polar_recall": 0.77, "polar_precision": 0.77},  # (0.670, 0.864, 0.795, 0.795)
    "extra-val": {"macro_f1": 0.52, "acc": 0.70, "polar_recall": 0.54, "polar_precision": 0.47},  # transfer (0.552, 0.725, 0.571, 0.500)
    "skeptic": {"macro_f1": 0.62, "acc": 0.71, "neg_recall": 0.69, "polar_precision": 0.74},  # (0.649, 0.740, 0.727, 0.771)
}


@pytest.fixture(scope="module")
def gold_located(shared_dir: Path, nlp: Language, scorer: ModuleType) -> dict[str, Any]:
    items, missing = goldset.load_items(shared_dir, nlp)
    assert missing == 0 and len(items) == 162
    return {"items": items, "result": goldset.evaluate(items, scorer)}


def test_gold_located_stance_beats_gate_and_vader(gold_located: dict[str, Any]) -> None:
    result = gold_located["result"]
    assert result["stance_macro_f1"] >= GOLD_LOCATED_MACRO_F1, result["confusion"]
    assert result["stance_macro_f1"] >= result["vader_macro_f1"] + 0.3
    assert result["off_target"] == 0  # every dev quote is about the topic or sits in a paragraph that is
    # every class is predicted and mostly right (the diagonal dominates each row)
    for i, row in enumerate(result["confusion"]):
        assert row[i] > max(v for j, v in enumerate(row) if j != i)


def test_demo_corpus_stance_generalises(other_corpora: dict[str, dict[str, Any]]) -> None:
    """The scorer on the team's fictional corpus, written independently of the rules: macro-F1 ratchet, well above
    VADER."""
    result = other_corpora["demo"]
    assert len(result["items"]) == 399
    assert result["stance_macro_f1"] >= DEMO_GOLD_LOCATED_MACRO_F1, result["confusion"]
    assert result["stance_macro_f1"] >= result["vader_macro_f1"] + 0.15
    (neg, _, _), (_, zero, _), (_, _, pos) = result["confusion"]
    # -1 and 0 are mostly right; +1 recall is the known gap (implicit "more will come" phrasing), ratcheted
    assert neg > 0.65 * 88 and zero > 0.82 * 150 and pos > 0.58 * 161, result["confusion"]  # reached 62, 129, 100


def test_nonzero_stances_carry_evidence(gold_located: dict[str, Any]) -> None:
    for item in gold_located["items"]:
        verdict = stance.score_stance(item.doc, item.quote)
        if verdict.label:
            assert any(c.polarity == verdict.label for c in verdict.evidence), item.quote.text


def test_stance_is_cheap_next_to_parsing(gold_located: dict[str, Any], nlp: Language) -> None:
    """Scoring every gold quote costs well under a third of parsing the articles it came from."""
    items = gold_located["items"]
    texts = list({id(it.doc): it.doc.text for it in items}.values())
    t0 = time.perf_counter()
    list(nlp.pipe(texts))
    parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    for it in items:
        stance.score_stance(it.doc, it.quote)
    scoring = time.perf_counter() - t0
    # a ratio measured in one run; re-parsing per quote would cost more than the parse itself
    assert scoring < 0.35 * parse, (scoring, parse)


def test_end_to_end_stance(dev_scores: dict[str, Any]) -> None:
    assert dev_scores["stance_macro_f1"] >= END_TO_END_MACRO_F1
    assert dev_scores["end_to_end_recall"] >= END_TO_END_RECALL


@pytest.fixture(scope="module")
def other_corpora(shared_dir: Path, nlp: Language, scorer: ModuleType) -> dict[str, dict[str, Any]]:
    results = {}
    for name in (*CORPUS_FLOORS, "demo"):
        items, missing = goldset.load_items(shared_dir, nlp, name)
        assert missing == 0 and items, name
        results[name] = {"items": items, **goldset.evaluate(items, scorer)}
    return results


@pytest.mark.parametrize("name", list(CORPUS_FLOORS))
def test_stance_on_new_coverage(other_corpora: dict[str, dict[str, Any]], name: str) -> None:
    """Gold-located stance on the corpora beyond dev: floors per figure, and clear of VADER on the same quotes."""
    result = other_corpora[name]
    for figure, floor in CORPUS_FLOORS[name].items():
        assert result[figure] >= floor, (name, figure, result[figure], result["confusion"])
    assert result["macro_f1"] >= result["vader_macro_f1"] + 0.15


def test_confidence_is_calibrated(other_corpora: dict[str, dict[str, Any]], gold_located: dict[str, Any]) -> None:
    """Confident verdicts are right more often than low-confidence ones (< 0.6, the dashboard's "low"), and no bin's
    observed accuracy is far from its confidence."""
    confidences, correct = [], []
    for result, items in [(r, r["items"]) for r in other_corpora.values()] + [
            (gold_located["result"], gold_located["items"])]:
        confidences += result["confidences"]
        correct += [p == it.gold for p, it in zip(result["preds"], items, strict=True)]
    low = [ok for c, ok in zip(confidences, correct, strict=True) if c < 0.6]
    high = [ok for c, ok in zip(confidences, correct, strict=True) if c >= 0.7]
    assert low and high
    assert sum(high) / len(high) > sum(low) / len(low) + 0.08  # reached 0.79 vs 0.62 (VERSION 4), 0.80 vs 0.63 (VERSION 5; all five corpora)
    for lo, hi, count, accuracy in goldset.reliability(confidences, correct):
        if count >= 30:
            assert abs(accuracy - (lo + hi) / 2) < 0.2, (lo, hi, count, accuracy)
