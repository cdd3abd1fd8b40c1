"""Quality gate on the real dev corpus: the shared scorer's figures for the real pipeline must not regress.

A ratchet: the floors are the figures reached so far, raised as extraction improves (target 0.90 / 0.95 / 0.95).
"""

from __future__ import annotations

from typing import Any

import pytest

QUOTE_F1_FLOOR = 0.93
SPEAKER_ACC_FLOOR = 0.975
KIND_ACC_FLOOR = 0.98


@pytest.mark.corpus
def test_dev_quote_f1(dev_scores: dict[str, Any]) -> None:
    assert dev_scores["quote_f1"] >= QUOTE_F1_FLOOR, dev_scores["missed"][:20]


@pytest.mark.corpus
def test_dev_speaker_accuracy(dev_scores: dict[str, Any]) -> None:
    assert dev_scores["speaker_acc"] >= SPEAKER_ACC_FLOOR


@pytest.mark.corpus
def test_dev_kind_accuracy(dev_scores: dict[str, Any]) -> None:
    assert dev_scores["kind_acc"] >= KIND_ACC_FLOOR
