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
import importlib.util
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from analysis import goldset
from analysis.nlp import load_nlp
from analysis.pipeline import PIPELINE_VERSION, analyze

FIGURES = ("quote_precision", "quote_recall", "quote_f1", "speaker_acc", "kind_acc", "institution_acc",
           "institution_type_acc", "stance_macro_f1", "stance_acc", "end_to_end_recall")
POLNEAR_FIGURES = ("quote_precision", "quote_recall", "quote_f1", "speaker_acc", "kind_acc")
COUNTED = ("speaker_acc", "kind_acc")  # per matched gold quote, so per-article figures add up by count


def load_scorer(shared: Path = goldset.DEFAULT_SHARED) -> ModuleType:
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
    for article in set(by_gold) | set(by_pred):
        part = scorer.score(by_gold.get(article, []), by_pred.get(article, []))
        for key in ("gold", "pred", "gold_found", "pred_correct"):
            total[key] += part[key]
        for key in COUNTED:
            total[key] += round(part[key] * part["gold_found"])
    found, p_ok = total["gold_found"], total["pred_correct"]
    precision = p_ok / total["pred"] if total["pred"] else 0.0
    recall = found / total["gold"] if total["gold"] else 0.0
    result = {
        "gold": total["gold"], "pred": total["pred"], "gold_found": found, "pred_correct": p_ok,
        "quote_precision": round(precision, 3), "quote_recall": round(recall, 3),
        "quote_f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
    }
    result.update({key: round(total[key] / found, 3) if found else 0.0 for key in COUNTED})
    return result


def evaluate_corpus(corpus: goldset.Corpus, nlp: Any, scorer: ModuleType, limit: int | None = None
                    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(figures, prediction rows) of the real pipeline on one corpus."""
    articles = goldset.corpus_articles(corpus, limit)
    started = time.perf_counter()
    pred = [q.to_row() for result in analyze(articles, nlp) for q in result.quotes]
    seconds = time.perf_counter() - started
    gold = goldset.corpus_gold(corpus, [a.name for a in articles])
    if corpus.domain == "polnear":
        pred = [{**row, "on_target": True} for row in pred]
        result = _per_article(scorer, gold, pred)
        fuller = [r for r in goldset.load_gold(corpus.precision_gold) if r["article"] in {a.name for a in articles}]
        lenient = _per_article(scorer, fuller, pred)
        result["quote_precision"] = lenient["quote_precision"]
        p, r = result["quote_precision"], result["quote_recall"]
        result["quote_f1"] = round(2 * p * r / (p + r), 3) if p + r else 0.0
        result["spurious"] = [f"{x['speaker']}: {x['quote'][:70]}" for x in pred
                              if not _matches_any(scorer, x, fuller)] if corpus.split == "tune" else []
        result["missed"] = []
    else:
        result = scorer.score(gold, pred)
    result["articles"] = len(articles)
    result["seconds"] = round(seconds, 1)
    return result, pred


def _matches_any(scorer: ModuleType, pred: dict[str, Any], gold: Sequence[dict[str, Any]]) -> bool:
    return any(g["article"] == pred["article"] and (scorer.overlap_f(g["quote"], pred["quote"]) >= 0.5
                                                    or scorer.cover(g["quote"], pred["quote"]) >= 0.8)
               for g in gold)


def format_table(results: dict[str, dict[str, Any]], corpora: dict[str, goldset.Corpus]) -> str:
    names = list(results)
    lines = [f"pipeline {PIPELINE_VERSION}",
             f"{'figure':22}" + "".join(f"{n + ' (' + corpora[n].split[0] + ')':>17}" for n in names)]
    lines.append(f"{'articles / gold':22}" + "".join(
        f"{str(results[n]['articles']) + ' / ' + str(results[n]['gold']):>17}" for n in names))
    for fig in FIGURES:
        cells = []
        for n in names:
            shown = fig in POLNEAR_FIGURES or corpora[n].domain != "polnear"
            cells.append(f"{results[n][fig]:>17.3f}" if shown else f"{'-':>17}")
        lines.append(f"{fig:22}" + "".join(cells))
    rnk = [n for n in names if corpora[n].domain == "rnk"]
    if len(rnk) > 1:
        lines.append("gap best-worst (Russia–North Korea corpora: " + ", ".join(rnk) + ")")
        for fig in FIGURES:
            values = [results[n][fig] for n in rnk]
            worst = min(rnk, key=lambda n: results[n][fig])
            lines.append(f"  {fig:20} {max(values) - min(values):.3f}  (worst: {worst} {min(values):.3f})")
    lines.append("(t) tune split, (v) validation split: read in aggregate only, (d) fictional demo corpus")
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
    names = args.corpus or [n for n in available if n != "polnear-train"]
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
        if args.errors and corpus.split != "validation":
            for key in ("missed", "spurious"):
                print(f"-- {name} {key} ({len(results[name][key])})")
                print("\n".join("   " + line for line in results[name][key]))
    figures = {n: {k: v for k, v in r.items() if not isinstance(v, list)} for n, r in results.items()}
    print(json.dumps(figures, indent=1) if args.json else format_table(results, available))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
