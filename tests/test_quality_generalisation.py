"""The whole pipeline on the team's fictional demo corpus (data/articles + data/demo_gold.jsonl), scored by the
shared scorer. The dev gates hold the issue's targets; these hold the figures reached on text the rules were not
written from (ratchets a little below the figures measured), so over-fitting to the dev corpus shows as a failure."""

from __future__ import annotations

from typing import Any

import pytest

DEMO_FLOORS = {
    "quote_f1": 0.95,  # measured 0.971
    "speaker_acc": 0.96,  # measured 0.979
    "kind_acc": 0.98,  # measured 0.995
    "institution_acc": 0.92,  # measured 0.943
    "institution_type_acc": 0.92,  # measured 0.939
    "stance_macro_f1": 0.62,  # measured 0.647
    "end_to_end_recall": 0.57,  # measured 0.596
}


@pytest.mark.corpus
@pytest.mark.parametrize("metric", sorted(DEMO_FLOORS))
def test_demo_corpus_figures(demo_scores: dict[str, Any], metric: str) -> None:
    assert demo_scores[metric] >= DEMO_FLOORS[metric], (metric, demo_scores[metric])
