"""Stance on gold-located quotes of every labelled corpus, side by side, independent of quote extraction.

Each article is parsed once with ``analysis.nlp.load_nlp()``; each gold quote is located in the body by exact
substring (segments split on " … ") to build a ``Quote``; ``stance.score_stance`` is called. Per corpus: macro-F1,
accuracy, polar recall (gold ±1 predicted with the right sign), precision of predicted ±1, recall of gold −1, the
3x3 confusion matrix, VADER on the same quotes (compound >= 0.05 -> +1, <= -0.05 -> -1), and a reliability table
of ``confidence`` against observed accuracy.

Which figure is transfer: the rules were developed reading the misses of dev, extra-tune and skeptic (and demo);
extra-val is the validation split, printed in aggregate only (``--errors`` never lists it). The learned layer's
figures are leave-one-corpus-out (``bench/train_stance.py``): the shipped model is fitted on every group, so its
figure on a corpus here is NOT transfer; the LOCO figures printed by train_stance.py are.

``--calibrate`` measures the confidence table (``[confidence]`` in stance_cues.toml) on the non-validation corpora.

Usage: .venv/bin/python bench/stance_eval.py [--shared ../shared] [--corpus NAME ...] [--errors] [--calibrate]
       [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from analysis import evaluate as evaluate_module
from analysis import goldset, stance
from analysis.goldset import LABELS, Item, evaluate, load_items, reliability
from analysis.nlp import load_nlp

REPO = Path(__file__).resolve().parents[1]
FIGURES = ("n", "macro_f1", "acc", "polar_recall", "polar_precision", "neg_recall", "vader_macro_f1", "vader_acc")


class CachedParser:
    """``nlp.pipe`` with the parsed docs kept in a DocBin per batch of texts (for repeated bench runs)."""

    def __init__(self, nlp: Language, cache: Path) -> None:
        self.nlp, self.cache = nlp, cache

    def pipe(self, texts: Iterable[str]) -> Iterator[Doc]:
        texts = list(texts)
        key = hashlib.sha256("\x1e".join([self.nlp.meta.get("name", ""), *texts]).encode()).hexdigest()[:20]
        path = self.cache / f"{key}.spacy"
        if path.exists():
            yield from DocBin().from_disk(path).get_docs(self.nlp.vocab)
            return
        docs = list(self.nlp.pipe(texts))
        self.cache.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(path)
        yield from docs


def print_table(results: dict[str, dict[str, Any]]) -> None:
    names = list(results)
    print(f"{'figure':16s}" + "".join(f"{n:>12s}" for n in names))
    for key in FIGURES:
        print(f"{key:16s}" + "".join(f"{results[n][key]:>12}" for n in names))
    for label, field in (("stance", "confusion"), ("vader", "vader_confusion")):
        print(f"{label} confusion (rows gold -1/0/+1, cols pred -1/0/+1):")
        for i, gl in enumerate(LABELS):
            print(f"  {gl:+d}  " + "".join(f"{' '.join(f'{v:3d}' for v in results[n][field][i]):>14s}" for n in names))


def print_reliability(results: dict[str, dict[str, Any]]) -> None:
    confidences = [c for r in results.values() for c in r["confidences"]]
    correct = [p == g for r in results.values() for p, g in zip(r["preds"], r["golds"], strict=True)]
    print("reliability (all corpora): confidence bin -> quotes, observed accuracy")
    for lo, hi, count, acc in reliability(confidences, correct):
        print(f"  [{lo:.1f}, {hi:.1f})  {count:4d}  {acc:.3f}")


def print_errors(items: Sequence[Item], preds: Sequence[int]) -> None:
    """The misclassified quotes with the evidence behind each verdict."""
    for it, pred in zip(items, preds, strict=True):
        if pred != it.gold:
            verdict = stance.score_stance(it.doc, it.quote)
            cues = "; ".join(f"{c.phrase}{'/' + c.modifier if c.modifier else ''}={c.polarity * c.weight:+.2f}"
                             for c in verdict.evidence)
            print(f"gold {it.gold:+d} pred {pred:+d} score {verdict.score:+.2f} {it.article[:3]} "
                  f"{it.speaker[:14]} | {it.quote.text[:220]} || {cues}")


def print_calibration(items: Sequence[Item]) -> None:
    """The observed accuracy per region of the rule total on the given (tune) quotes: what ``[confidence]`` in
    stance_cues.toml should hold."""
    lex = stance.lexicon()
    regions: dict[str, list[bool]] = {}
    for it in items:
        scored = stance.find_cues(it.doc, it.quote)
        total = stance._total(scored, lex)
        label, size = stance.rule_label(total), abs(total)
        if not label:
            key = "zero_no_cue" if not scored else "zero_faint" if size < lex.confidence["faint_below"] else "zero_under"
        else:
            edges = [p[0] for p in lex.confidence["polar"]]
            lo = max(e for e in edges if e <= size) if size >= edges[0] else edges[0]
            key = f"polar >= {lo}"
        regions.setdefault(key, []).append(label == it.gold)
    print("calibration on the tune corpora (region: quotes, observed accuracy):")
    for key in sorted(regions):
        hits = regions[key]
        print(f"  {key:16s} {len(hits):4d}  {sum(hits) / len(hits):.3f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--corpus", nargs="*", choices=(*goldset.STANCE_CORPORA, "both"),
                        default=list(goldset.STANCE_CORPORA), help="corpora to score ('both': dev and demo)")
    parser.add_argument("--errors", action="store_true", help="print the misclassified quotes (never extra-val)")
    parser.add_argument("--cache", type=Path, help="keep parsed docs here between runs")
    parser.add_argument("--calibrate", action="store_true", help="measure the confidence table on the tune corpora")
    args = parser.parse_args(argv)
    nlp: Any = load_nlp()
    if args.cache:
        nlp = CachedParser(nlp, args.cache)
    splits = goldset.corpora(args.shared)
    print(f"stance VERSION {stance.VERSION}")
    results: dict[str, dict[str, Any]] = {}
    tune_items: list[Item] = []
    chosen = [c for name in args.corpus for c in (("dev", "demo") if name == "both" else (name,))]
    for corpus in dict.fromkeys(chosen):
        items, missing = load_items(args.shared, nlp, corpus)
        print(f"[{corpus}] ({splits[corpus].split}) located {len(items)} gold quotes ({missing} not found)")
        result = evaluate(items, evaluate_module)
        result["golds"] = [it.gold for it in items]
        if splits[corpus].split != "validation":
            tune_items += items
        results[corpus] = result
        if args.errors and splits[corpus].split != "validation":
            print_errors(items, result["preds"])
    print_table(results)
    print_reliability(results)
    if args.calibrate:
        print_calibration(tune_items)


if __name__ == "__main__":
    main()
