"""Quote + context -> Stance. First version: VADER sentiment only, stance 0."""

from __future__ import annotations

from functools import cache

from spacy.tokens import Doc
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.records import Quote, Stance

VERSION = "0"


@cache
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def score_stance(doc: Doc, quote: Quote) -> Stance:
    return Stance(label=0, score=0.0, confidence=0.0, sentiment=_vader().polarity_scores(quote.text)["compound"])
