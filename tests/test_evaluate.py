"""analysis.evaluate: the same figures as ../shared/tools/score_quotes.py, plus a stance confusion matrix."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.evaluate import (
    confusion,
    coverage,
    format_report,
    institution_matches,
    macro_f1,
    score,
    speaker_matches,
    word_f,
)


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ("the deal is real", "the deal is real", 1.0),
        ("the deal is real", "The deal, is REAL.", 1.0),
        ("it’s over", "it's over", 1.0),
        ("a b c d", "a b", 2 * (1.0 * 0.5) / 1.5),
        ("a b", "c d", 0.0),
        ("", "c d", 0.0),
    ],
)
def test_word_f(gold: str, pred: str, expected: float) -> None:
    assert word_f(gold, pred) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ("one two three four", "zero one two three four five six seven", 1.0),
        ("one two three four", "one two", 0.5),
        ("one two three", "one two three", 0.0),  # under four words: only the F-measure can match
    ],
)
def test_coverage(gold: str, pred: str, expected: float) -> None:
    assert coverage(gold, pred) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ("Kim Jong Un", "Kim Jong-un", True),
        ("Andrei Lankov", "Andrey Lankov", True),
        ("Andrei Lankov", "Lankov", False),
        ("Andrei Lankov", None, False),
    ],
)
def test_speaker_matches(gold: str, pred: str | None, expected: bool) -> None:
    assert speaker_matches(gold, pred) is expected


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ("Asan Institute for Policy Studies", "Asan Institute for Policy Studies", True),
        ("Carnegie Endowment for International Peace", "Carnegie Endowment for Intl Peace", True),
        ("Kookmin University", "Korea University", False),
        (None, None, True),
        (None, "Harbor Institute", False),
        ("Harbor Institute", None, False),
    ],
)
def test_institution_matches(gold: str | None, pred: str | None, expected: bool) -> None:
    assert institution_matches(gold, pred) is expected


def test_macro_f1_and_confusion() -> None:
    pairs = [(1, 1), (1, 0), (0, 0), (-1, -1), (-1, 1)]
    # F1: +1: p=1/2 r=1/2 -> .5; 0: p=1/2 r=1 -> 2/3; -1: p=1 r=1/2 -> 2/3
    assert macro_f1(pairs) == pytest.approx((0.5 + 2 / 3 + 2 / 3) / 3)
    matrix = confusion(pairs)
    assert matrix["1"] == {"-1": 0, "0": 1, "1": 1}
    assert matrix["-1"] == {"-1": 1, "0": 0, "1": 1}
    assert sum(sum(row.values()) for row in matrix.values()) == len(pairs)


def test_score_on_a_small_table() -> None:
    gold = [
        {"article": "a.txt", "speaker": "Lena Okafor", "institution": "Harbor Institute", "institution_type": "think_tank",
         "quote": "the two navies will train together every spring", "kind": "direct", "stance": 1},
        {"article": "a.txt", "speaker": "Raj Patel", "institution": None, "institution_type": None,
         "quote": "nothing will come of it", "kind": "direct", "stance": -1},
    ]
    pred = [
        {"article": "dir/a.txt", "speaker": "Lena Okafor", "institution": "Harbor Institute",
         "institution_type": "think_tank", "quote": "The two navies will train together every spring", "kind": "direct",
         "stance": 1},
        {"article": "a.txt", "speaker": "Raj Patel", "quote": "nothing will come of it", "kind": "indirect",
         "stance": 0, "institution_type": None},
        {"article": "a.txt", "speaker": "", "quote": "unnamed words", "stance": 0},  # ignored: no speaker
        {"article": "a.txt", "speaker": "X Y", "quote": "off target words", "stance": 0, "on_target": False},
        {"article": "b.txt", "speaker": "Raj Patel", "quote": "nothing will come of it", "stance": -1},
    ]
    result = score(gold, pred)
    assert (result["gold"], result["pred"], result["gold_found"], result["pred_correct"]) == (2, 3, 2, 2)
    assert result["quote_recall"] == 1.0 and result["quote_precision"] == 0.667
    assert result["kind_acc"] == 0.5 and result["institution_acc"] == 1.0
    assert result["stance_acc"] == 0.5 and result["end_to_end_recall"] == 0.5
    assert result["spurious"] == ["Raj Patel: nothing will come of it"]
    report = format_report(result)
    assert "quote_f1: 0.8" in report and "stance confusion" in report


def _strip(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "stance_confusion"}


@pytest.mark.corpus
def test_agrees_with_shared_scorer_on_dev_corpus(
    scorer: ModuleType, dev_gold: list[dict[str, Any]], dev_predictions: list[dict[str, Any]]
) -> None:
    mine = score(dev_gold, dev_predictions)
    assert _strip(mine) == scorer.score(dev_gold, dev_predictions)
    assert mine["gold_found"] > 0
    assert sum(sum(r.values()) for r in mine["stance_confusion"].values()) == mine["gold_found"]


WORDS = st.sampled_from(["deal", "arms", "Kim", "ties", "will", "grow", "not", "it’s", "rail", "fuel"])
QUOTES = st.lists(WORDS, min_size=0, max_size=7).map(" ".join)
NAMES = st.sampled_from(["Lena Okafor", "Lena Okafore", "Raj Patel", "", "R. Patel"])
INSTS = st.sampled_from([None, "Harbor Institute", "Harbour Institute", "Northfield University"])
STANCES = st.sampled_from([-1, 0, 1])
ARTICLES = st.sampled_from(["a.txt", "b.txt", "x/a.txt"])


@st.composite
def rows(draw: st.DrawFn, gold: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "article": draw(ARTICLES), "speaker": draw(NAMES), "institution": draw(INSTS),
        "institution_type": draw(st.sampled_from([None, "think_tank", "university"])), "quote": draw(QUOTES),
        "kind": draw(st.sampled_from(["direct", "indirect"])), "stance": draw(STANCES),
    }
    if not gold:
        row["on_target"] = draw(st.sampled_from([True, False]))
        if draw(st.booleans()):
            row["stance"] = None
    return row


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gold=st.lists(rows(True), max_size=6), pred=st.lists(rows(False), max_size=6))
def test_agrees_with_shared_scorer_on_random_rows(
    scorer: ModuleType, gold: list[dict[str, Any]], pred: list[dict[str, Any]]
) -> None:
    assert _strip(score(gold, pred)) == scorer.score(gold, pred)
