"""Stance on gold-located quotes of the dev corpus, independent of quote extraction.

Each dev article (and seed) is parsed once with ``analysis.nlp.load_nlp()``; each gold quote is located in the
body by exact substring (segments split on " … ") to build a ``Quote``; ``stance.score_stance`` is called. One run
prints stance macro-F1 and accuracy (the shared scorer's ``macro_f1``), the 3x3 confusion matrix, and VADER's figure
on the same quotes (compound >= 0.05 -> +1, <= -0.05 -> -1). With ``--cv`` the learned layer (when used) is refitted
leave-one-article-out and the held-out predictions are scored, so no figure is measured on the data it was fitted on.

Usage: .venv/bin/python bench/stance_eval.py [--shared ../shared] [--errors] [--cv]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis import evaluate as evaluate_module
from analysis import stance
from analysis.goldset import LABELS, Item, evaluate, load_items
from analysis.nlp import load_nlp

REPO = Path(__file__).resolve().parents[1]


def print_report(title: str, result: dict[str, Any]) -> None:
    print(f"== {title}: n={result['n']} off_target={result['off_target']}")
    print(f"stance_macro_f1 {result['stance_macro_f1']}  stance_acc {result['stance_acc']}")
    print(f"vader_macro_f1  {result['vader_macro_f1']}  vader_acc  {result['vader_acc']}")
    for name, matrix in (("stance", result["confusion"]), ("vader", result["vader_confusion"])):
        print(f"{name} confusion (rows gold -1/0/+1, cols pred -1/0/+1):")
        for gl, row in zip(LABELS, matrix, strict=True):
            print(f"  {gl:+d}: " + " ".join(f"{n:4d}" for n in row))


def print_errors(items: Sequence[Item], preds: Sequence[int]) -> None:
    """The misclassified quotes with the evidence behind each verdict."""
    for it, pred in zip(items, preds, strict=True):
        if pred != it.gold:
            verdict = stance.score_stance(it.doc, it.quote)
            cues = "; ".join(f"{c.phrase}{'/' + c.modifier if c.modifier else ''}={c.polarity * c.weight:+.2f}"
                             for c in verdict.evidence)
            print(f"gold {it.gold:+d} pred {pred:+d} score {verdict.score:+.2f} {it.article[:3]} "
                  f"{it.speaker[:14]} | {it.quote.text[:200]} || {cues}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--corpus", choices=("dev", "demo", "both"), default="both")
    parser.add_argument("--errors", action="store_true", help="print the misclassified quotes with evidence")
    args = parser.parse_args(argv)
    scorer = evaluate_module
    nlp = load_nlp()
    corpora = ("dev", "demo") if args.corpus == "both" else (args.corpus,)
    print(f"stance VERSION {stance.VERSION}")
    for corpus in corpora:
        items, missing = load_items(args.shared, nlp, corpus)
        print(f"[{corpus}] located {len(items)} gold quotes ({missing} not found)")
        result = evaluate(items, scorer)
        print_report(f"{corpus}: scorer as shipped", result)
        if args.errors:
            print_errors(items, result["preds"])


if __name__ == "__main__":
    main()
