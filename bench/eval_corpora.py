"""Every labelled corpus side by side: the real pipeline (what `stance extract` writes) scored by the shared scorer.

Corpora (``analysis.goldset.corpora``): dev (+ seeds), the fictional demo corpus, `extra` in two halves (x01–x30
to tune on, x31–x60 for validation), `skeptic`, and PolNeAR train / dev (quotes and speakers only; precision is
measured against ``any_person.jsonl`` and ``on_target`` is ignored, the topic being US politics). The last rows
give, per figure, the gap between the best and the worst Russia–North Korea corpus.

Validation splits print aggregate figures only: ``--errors`` lists the misses and spurious rows of tuning splits,
never of a validation split, so rules are not written from them.

Usage: .venv/bin/python bench/eval_corpora.py [--corpus NAME ...] [--limit N] [--errors] [--out DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis import goldset
from analysis.goldset import evaluate_corpus, load_scorer
from analysis.nlp import load_nlp
from analysis.pipeline import PIPELINE_VERSION

FIGURES = ("quote_precision", "quote_recall", "quote_f1", "speaker_acc", "kind_acc", "institution_acc",
           "institution_type_acc", "stance_macro_f1", "stance_acc", "end_to_end_recall")
POLNEAR_FIGURES = ("quote_precision", "quote_recall", "quote_f1", "speaker_acc", "kind_acc")


def format_table(results: dict[str, dict[str, Any]], corpora: dict[str, goldset.Corpus]) -> str:
    names = list(results)
    lines = [f"pipeline {PIPELINE_VERSION}",
             f"{'figure':22}" + "".join(f"{n + ' (' + corpora[n].split[0] + ')':>19}" for n in names)]
    lines.append(f"{'articles / gold':22}" + "".join(
        f"{str(results[n]['articles']) + ' / ' + str(results[n]['gold']):>19}" for n in names))
    for fig in FIGURES:
        cells = []
        for n in names:
            shown = fig in POLNEAR_FIGURES or corpora[n].domain != "polnear"
            cells.append(f"{results[n][fig]:>19.3f}" if shown else f"{'-':>19}")
        lines.append(f"{fig:22}" + "".join(cells))
    rnk = [n for n in names if corpora[n].domain == "rnk"]
    if len(rnk) > 1:
        lines.append("gap best-worst (Russia–North Korea corpora: " + ", ".join(rnk) + ")")
        for fig in FIGURES:
            values = [results[n][fig] for n in rnk]
            worst = min(rnk, key=lambda n: results[n][fig])
            lines.append(f"  {fig:20} {max(values) - min(values):.3f}  (worst: {worst} {min(values):.3f})")
    lines.append("(t) tune split, (v) validation split: read in aggregate only, (m) tune + validation halves, "
                 "(d) fictional demo corpus")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=goldset.DEFAULT_SHARED)
    parser.add_argument("--corpus", nargs="*", help="corpus names (default: all but polnear-train)")
    parser.add_argument("--limit", type=int, help="at most N articles per corpus (an even sample)")
    parser.add_argument("--errors", action="store_true", help="list misses and spurious rows of tuning splits")
    parser.add_argument("--out", type=Path, help="write each corpus's predictions to DIR/NAME.jsonl")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    available = goldset.corpora(args.shared)
    names = args.corpus or [n for n in available if n not in ("polnear-train", "extra")]
    unknown = [n for n in names if n not in available]
    if unknown:
        parser.error(f"unknown corpus {', '.join(unknown)}; known: {', '.join(available)}")
    scorer, nlp = load_scorer(args.shared), load_nlp()
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        corpus = available[name]
        print(f"[{name}] analysing ...", file=sys.stderr, flush=True)
        results[name], pred = evaluate_corpus(corpus, nlp, scorer, args.limit)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in pred)
        if args.errors and corpus.split in ("tune", "demo"):
            for key in ("missed", "spurious"):
                print(f"-- {name} {key} ({len(results[name][key])})")
                print("\n".join("   " + line for line in results[name][key]))
    figures = {n: {k: v for k, v in r.items() if not isinstance(v, list)} for n, r in results.items()}
    print(json.dumps(figures, indent=1) if args.json else format_table(results, available))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
