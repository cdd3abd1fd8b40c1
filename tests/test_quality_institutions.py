"""Institution quality on the real dev corpus, end to end (quotes -> attribution -> institutions), by the shared scorer."""

from __future__ import annotations

from typing import Any

import pytest

# Targets from the issue; the end-to-end figure also depends on quote finding and attribution.
INSTITUTION_ACC = 0.90
INSTITUTION_TYPE_ACC = 0.90


@pytest.mark.corpus
def test_institution_accuracy(dev_scores: dict[str, Any]) -> None:
    assert dev_scores["institution_acc"] >= INSTITUTION_ACC


@pytest.mark.corpus
def test_institution_type_accuracy(dev_scores: dict[str, Any]) -> None:
    assert dev_scores["institution_type_acc"] >= INSTITUTION_TYPE_ACC
