"""Gold sets for evaluation and benchmarks: where the gold files are, article bodies, gold-located quotes.

The real dev corpus lives beside the repository in ``../shared`` (never copied in); the fictional demo corpus and
its gold live in ``data/``. Bodies come from ``analysis.ingest`` so every stage is measured on the same text that
``stance extract`` analyses.
"""

from __future__ import annotations

import importlib.util
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from analysis import stance
from analysis.evaluate import load_rows
from analysis.ingest import read_paths
from analysis.pipeline import analyze
from analysis.records import SEGMENT_JOINER, Article, Kind, Quote, Span
from analysis.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"


def dev_gold_files(shared: Path = DEFAULT_SHARED) -> list[Path]:
    """The dev corpus gold (parts a, b, c) and the seeds' gold."""
    return sorted((shared / "corpus" / "dev").glob("gold_*.jsonl")) + [shared / "gold" / "seeds.gold.jsonl"]


def dev_article_dirs(shared: Path = DEFAULT_SHARED) -> list[Path]:
    return [shared / "corpus" / "dev" / "articles", shared / "seeds"]


def demo_gold_files(repo: Path = REPO) -> list[Path]:
    return [repo / "data" / "demo_gold.jsonl"]


def demo_article_dirs(repo: Path = REPO) -> list[Path]:
    return [repo / "data" / "articles"]


@dataclass(frozen=True)
class Corpus:
    """One labelled corpus: where its articles and gold are, and which part of it a name selects.

    ``split`` says how a figure on it may be used: "tune" (rules may be written while reading its misses),
    "validation" (read only in aggregate; a change is kept only if these figures do not fall), "mixed" (a whole
    corpus whose halves are tune and validation, for the issues' figures; aggregate only) or "demo" (the team's
    own fictional corpus). ``precision_gold`` is a fuller file used only for precision (PolNeAR's
    ``any_person.jsonl``); ``domain`` "polnear" means only quotes and speakers are measured there.
    """

    name: str
    article_dirs: tuple[Path, ...]
    gold_files: tuple[Path, ...]
    split: str
    pattern: str = ""  # regex an article file name must match (selects one part of a folder)
    precision_gold: tuple[Path, ...] = ()
    domain: str = "rnk"

    def selects(self, article_name: str) -> bool:
        return re.search(self.pattern, article_name) is not None if self.pattern else True


def corpora(shared: Path = DEFAULT_SHARED, repo: Path = REPO) -> dict[str, Corpus]:
    """Every labelled corpus by name, in the order reports print them."""
    extra, skeptic, polnear = (shared / "corpus" / n for n in ("extra", "skeptic", "polnear"))
    return {c.name: c for c in (
        Corpus("dev", tuple(dev_article_dirs(shared)), tuple(dev_gold_files(shared)), "tune"),
        Corpus("demo", tuple(demo_article_dirs(repo)), tuple(demo_gold_files(repo)), "demo"),
        Corpus("extra-tune", (extra / "articles",), (extra / "gold_x1.jsonl",), "tune", r"^x(0\d|[12]\d|30)_"),
        Corpus("extra-val", (extra / "articles",), (extra / "gold_x2.jsonl",), "validation", r"^x(3[1-9]|[45]\d|60)_"),
        Corpus("extra", (extra / "articles",), tuple(sorted(extra.glob("gold_x*.jsonl"))), "mixed"),
        Corpus("skeptic", (skeptic / "articles",), tuple(sorted(skeptic.glob("gold_*.jsonl"))), "tune"),
        Corpus("polnear-train", (polnear / "articles",), (polnear / "gold.jsonl",), "tune", r"^train_",
               (polnear / "any_person.jsonl",), "polnear"),
        Corpus("polnear-dev", (polnear / "articles",), (polnear / "gold.jsonl",), "validation", r"^dev_",
               (polnear / "any_person.jsonl",), "polnear"),
    )}


def corpus_paths(corpus: str, shared: Path = DEFAULT_SHARED) -> tuple[list[Path], list[Path]]:
    """(article directories, gold files) of the named corpus: "dev" or "demo"."""
    if corpus == "demo":
        return demo_article_dirs(), demo_gold_files()
    if corpus == "dev":
        return dev_article_dirs(shared), dev_gold_files(shared)
    raise ValueError(f"unknown corpus {corpus!r}: expected 'dev' or 'demo'")


def corpus_articles(corpus: Corpus, limit: int | None = None) -> list[Article]:
    """The corpus's articles as `stance extract` reads them, by file name; ``limit`` keeps an evenly spread
    sample (deterministic), for quick runs on PolNeAR's 837 training articles."""
    chosen = [a for name, a in sorted(read_articles(corpus.article_dirs).items()) if corpus.selects(name)]
    if limit and len(chosen) > limit:
        step = len(chosen) / limit
        chosen = [chosen[int(i * step)] for i in range(limit)]
    return chosen


def corpus_gold(corpus: Corpus, articles: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The corpus's gold rows (restricted to the named articles when given)."""
    keep = set(articles) if articles is not None else None
    return [r for r in load_gold(corpus.gold_files)
            if corpus.selects(r["article"]) and (keep is None or r["article"] in keep)]


def load_gold(files: Iterable[Path]) -> list[dict[str, Any]]:
    return [row for f in files for row in load_rows(f)]


def read_articles(dirs: Iterable[Path]) -> dict[str, Article]:
    """Articles by file name, read as `stance extract` reads them."""
    return {a.name: a for a in read_paths(list(dirs), Settings()) if isinstance(a, Article)}


def locate_quote(body: str, text: str, kind: str) -> Quote | None:
    """A gold quote as a Quote over exact substrings of the body (split quotes: segments left to right)."""
    spans: list[Span] = []
    cursor = 0
    for part in text.split(SEGMENT_JOINER):
        at = body.find(part, cursor)
        if at < 0:
            at = body.find(part)
        if at < 0:
            return None
        spans.append(Span(at, at + len(part)))
        cursor = at + len(part)
    spans.sort(key=lambda s: s.start)
    quote_kind: Kind = "direct" if kind == "direct" else "indirect"
    return Quote(segments=tuple(spans), kind=quote_kind, text=text)


# ------------------------------------------------------------------ a corpus through the real pipeline

COUNTED = ("speaker_acc", "kind_acc")  # per matched gold quote, so per-article figures add up by count


def load_scorer(shared: Path = DEFAULT_SHARED) -> ModuleType:
    """``../shared/tools/score_quotes.py``, the scorer every figure in the issues refers to."""
    spec = importlib.util.spec_from_file_location("score_quotes", shared / "tools" / "score_quotes.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no shared scorer under {shared / 'tools'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _per_article(scorer: ModuleType, gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The shared scorer run article by article and summed by count (its matching is per article anyway; one
    call over PolNeAR's 7,000 rows would compare every gold row with every prediction)."""
    by_gold: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_pred: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in gold:
        by_gold[row["article"]].append(row)
    for row in pred:
        by_pred[row["article"]].append(row)
    total = {"gold": 0, "pred": 0, "gold_found": 0, "pred_correct": 0, **{k: 0 for k in COUNTED}}
    missed: list[str] = []
    spurious: list[str] = []
    for article in sorted(set(by_gold) | set(by_pred)):
        part = scorer.score(by_gold.get(article, []), by_pred.get(article, []))
        missed += [f"{article[:40]} | {line}" for line in part["missed"]]
        spurious += [f"{article[:40]} | {line}" for line in part["spurious"]]
        for key in ("gold", "pred", "gold_found", "pred_correct"):
            total[key] += part[key]
        for key in COUNTED:
            total[key] += round(part[key] * part["gold_found"])
    found, p_ok = total["gold_found"], total["pred_correct"]
    precision = p_ok / total["pred"] if total["pred"] else 0.0
    recall = found / total["gold"] if total["gold"] else 0.0
    result: dict[str, Any] = {
        "gold": total["gold"], "pred": total["pred"], "gold_found": found, "pred_correct": p_ok,
        "missed": missed, "spurious": spurious,
        "quote_precision": round(precision, 3), "quote_recall": round(recall, 3),
        "quote_f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
    }
    result.update({key: round(total[key] / found, 3) if found else 0.0 for key in COUNTED})
    return result


def evaluate_corpus(corpus: Corpus, nlp: Any, scorer: ModuleType, limit: int | None = None
                    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(figures, prediction rows) of the real pipeline on one corpus."""
    articles = corpus_articles(corpus, limit)
    started = time.perf_counter()
    pred = [q.to_row() for result in analyze(articles, nlp) for q in result.quotes]
    seconds = time.perf_counter() - started
    gold = corpus_gold(corpus, [a.name for a in articles])
    if corpus.domain == "polnear":
        pred = [{**row, "on_target": True} for row in pred]
        result = _per_article(scorer, gold, pred)
        fuller = [r for r in load_gold(corpus.precision_gold) if r["article"] in {a.name for a in articles}]
        lenient = _per_article(scorer, fuller, pred)
        result["quote_precision"] = lenient["quote_precision"]
        p, r = result["quote_precision"], result["quote_recall"]
        result["quote_f1"] = round(2 * p * r / (p + r), 3) if p + r else 0.0
        result["spurious"] = lenient["spurious"]  # spurious by any reading of PolNeAR
    else:
        result = scorer.score(gold, pred)
    result["articles"] = len(articles)
    result["seconds"] = round(seconds, 1)
    return result, pred


# ------------------------------------------------------------------ stance on gold-located quotes

LABELS = (-1, 0, 1)


@dataclass(frozen=True)
class Item:
    """One gold quote located in its parsed article."""

    article: str
    doc: Doc
    quote: Quote
    gold: int
    speaker: str
    title: str | None = None  # the article's headline, as ingest read it
    corpus: str = ""  # the corpus name it was loaded from


STANCE_CORPORA = ("dev", "demo", "extra-tune", "extra-val", "skeptic")  # the corpora whose gold carries stance


def load_items(shared: Path, nlp: Language, corpus: str = "dev") -> tuple[list[Item], int]:
    """Gold quotes of one corpus of ``corpora()`` with stance labels ("dev": dev + seeds; "demo": data/;
    "extra-tune", "extra-val", "skeptic") located in their parsed articles, and the number not located."""
    registry = corpora(shared)
    if corpus not in STANCE_CORPORA:
        raise ValueError(f"no stance labels for corpus {corpus!r}: expected one of {', '.join(STANCE_CORPORA)}")
    chosen = registry[corpus]
    gold = corpus_gold(chosen)
    articles = read_articles(chosen.article_dirs)
    names = sorted({row["article"] for row in gold})
    docs = dict(zip(names, nlp.pipe(articles[n].text for n in names), strict=True))
    items, missing = [], 0
    for row in gold:
        quote = locate_quote(articles[row["article"]].text, row["quote"], row["kind"])
        if quote is None:
            missing += 1
            continue
        items.append(Item(row["article"], docs[row["article"]], quote, int(row["stance"]), row["speaker"],
                          articles[row["article"]].title, corpus))
    return items, missing


def vader_label(compound: float) -> int:
    return 1 if compound >= 0.05 else -1 if compound <= -0.05 else 0


def confusion(pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Rows gold -1/0/+1, columns predicted -1/0/+1."""
    return [[sum(1 for g, p in pairs if g == gl and p == pl) for pl in LABELS] for gl in LABELS]


def stance_figures(pairs: Sequence[tuple[int, int]], scorer: Any) -> dict[str, Any]:
    """Macro-F1, accuracy, polar recall (gold ±1 predicted with the right sign), precision of predicted ±1,
    recall of gold −1 and the confusion matrix of (gold, predicted) pairs."""
    polar = [(g, p) for g, p in pairs if g]
    committed = [(g, p) for g, p in pairs if p]
    negative = [(g, p) for g, p in pairs if g < 0]

    def share(sel: Sequence[tuple[int, int]]) -> float:
        return round(sum(g == p for g, p in sel) / len(sel), 3) if sel else 0.0

    return {
        "n": len(pairs),
        "macro_f1": round(scorer.macro_f1(list(pairs)), 3) if pairs else 0.0,
        "acc": share(pairs),
        "polar_recall": share(polar),
        "polar_precision": share(committed),
        "neg_recall": share(negative),
        "confusion": confusion(pairs),
    }


def reliability(confidences: Sequence[float], correct: Sequence[bool], edges: Sequence[float] = (0.0, 0.5, 0.6, 0.7,
                0.8, 0.9, 1.0001)) -> list[tuple[float, float, int, float]]:
    """(low edge, high edge, count, observed accuracy) per confidence bin: calibrated when accuracy ~ confidence."""
    rows = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        hits = [ok for c, ok in zip(confidences, correct, strict=True) if lo <= c < hi]
        rows.append((lo, min(hi, 1.0), len(hits), round(sum(hits) / len(hits), 3) if hits else 0.0))
    return rows


def evaluate(
    items: Sequence[Item], scorer: Any, predict: Callable[[Item], int] | None = None
) -> dict[str, Any]:
    """Stance figures (``stance_figures``) of ``predict`` (default: score_stance) and VADER on the same quotes;
    ``scorer`` provides ``macro_f1`` (``analysis.evaluate`` or the shared scorer)."""
    verdicts = [stance.score_stance(it.doc, it.quote) for it in items]
    preds = [predict(it) for it in items] if predict else [v.label for v in verdicts]
    pairs = [(it.gold, p) for it, p in zip(items, preds, strict=True)]
    vader_pairs = [(it.gold, vader_label(v.sentiment)) for it, v in zip(items, verdicts, strict=True)]
    figures = stance_figures(pairs, scorer)
    vader = stance_figures(vader_pairs, scorer)
    return {
        **figures,
        "stance_macro_f1": figures["macro_f1"],
        "stance_acc": figures["acc"],
        "off_target": sum(1 for v in verdicts if not v.on_target),
        "vader_macro_f1": vader["macro_f1"],
        "vader_acc": vader["acc"],
        "vader_confusion": vader["confusion"],
        "preds": preds,
        "confidences": [v.confidence for v in verdicts],
        "verdicts": verdicts,
    }
