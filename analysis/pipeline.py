"""Article -> scored quotes. Pure: no file, network or database access."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from analysis import attribution, institutions, quotes, stance
from analysis.nlp import seed_text
from analysis.records import Article, ScoredQuote

PIPELINE_VERSION = (
    f"q{quotes.VERSION}.a{attribution.VERSION}.i{institutions.VERSION}.s{stance.VERSION}"
)


@dataclass(frozen=True, slots=True)
class ArticleResult:
    article: Article
    quotes: tuple[ScoredQuote, ...]


def analyze_doc(article: Article, doc: Doc) -> tuple[ScoredQuote, ...]:
    """Run every stage on one parsed article; quotes without a named speaker are dropped."""
    seed_text(doc, article.text)
    found = quotes.find_quotes(doc)
    scored = []
    for attributed in attribution.attribute(doc, found):
        if attributed.speaker is None:
            continue
        affiliation = institutions.affiliate(doc, attributed.speaker, attributed.quote)
        verdict = stance.score_stance(doc, attributed.quote)
        scored.append(
            ScoredQuote(
                article=article,
                quote=attributed.quote,
                speaker=attributed.speaker,
                affiliation=affiliation,
                stance=verdict,
                pipeline_version=PIPELINE_VERSION,
            )
        )
    return tuple(scored)


def analyze(articles: Iterable[Article], nlp: Language, *, batch_size: int = 16) -> Iterator[ArticleResult]:
    """Parse the articles with ``nlp.pipe`` (batched; long bodies in chunks) and analyse each, in input order."""
    from analysis.nlp import parse_stream

    for doc, article in parse_stream(nlp, ((a.text, a) for a in articles), batch_size=batch_size):
        if isinstance(doc, Exception):
            raise doc
        yield ArticleResult(article, analyze_doc(article, doc))
