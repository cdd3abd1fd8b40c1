"""The whole pipeline on the team's fictional demo corpus (data/articles + data/demo_gold.jsonl), scored by the
shared scorer. The dev gates hold the issue's targets; these hold the figures reached on text the rules were not
written from (ratchets a little below the figures measured), so over-fitting to the dev corpus shows as a failure."""

from __future__ import annotations

from typing import Any

import pytest

DEMO_FLOORS = {
    "quote_f1": 0.96,  # measured 0.981
    "speaker_acc": 0.97,  # measured 0.997
    "kind_acc": 0.98,  # measured 0.995
    "institution_acc": 0.94,  # measured 0.963
    "institution_type_acc": 0.93,  # measured 0.956
    "stance_macro_f1": 0.62,  # measured 0.647
    "end_to_end_recall": 0.60,  # measured 0.622
}


@pytest.mark.corpus
@pytest.mark.parametrize("metric", sorted(DEMO_FLOORS))
def test_demo_corpus_figures(demo_scores: dict[str, Any], metric: str) -> None:
    assert demo_scores[metric] >= DEMO_FLOORS[metric], (metric, demo_scores[metric])
