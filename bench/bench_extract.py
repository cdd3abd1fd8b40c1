"""Throughput of the full extract pipeline against a bare spaCy parse of the same texts.

Usage: python bench/bench_extract.py CORPUS_DIR [--min-articles 500] [--batch-size 16]

Reads every ``*.txt`` under CORPUS_DIR (e.g. ../shared/corpus: dev + extra), strips the corpus header (four
``key: value`` lines and a blank line) when present, repeats the list until it holds at least --min-articles
articles, then times ``nlp.pipe`` alone and ``analysis.pipeline.analyze`` (parse + quotes + attribution +
institutions + stance) over the same list with one model loaded once. Prints articles/second and the ratio
(target: pipeline >= 0.8 x bare parse).
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from analysis.nlp import load_nlp
from analysis.pipeline import analyze
from analysis.records import Article

_HEADER = re.compile(r"\A(?:[a-z]+: .*\n){4}\n")


def read_corpus(root: Path) -> list[Article]:
    """Articles under ``root`` (header stripped), in path order."""
    out = []
    for path in sorted(root.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        body = _HEADER.sub("", text, count=1)
        out.append(Article(id=str(path), name=path.name, text=body))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--min-articles", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args(argv)

    base = read_corpus(args.corpus)
    if not base:
        raise SystemExit(f"no .txt articles under {args.corpus}")
    articles = (base * (args.min_articles // len(base) + 1))[: max(args.min_articles, len(base))]
    nlp = load_nlp()
    list(nlp.pipe([a.text for a in base[:4]]))  # warm-up, outside the timings

    t0 = time.perf_counter()
    for _ in nlp.pipe((a.text for a in articles), batch_size=args.batch_size):
        pass
    bare = time.perf_counter() - t0

    t0 = time.perf_counter()
    n_quotes = sum(len(r.quotes) for r in analyze(articles, nlp, batch_size=args.batch_size))
    full = time.perf_counter() - t0

    bare_rate, full_rate = len(articles) / bare, len(articles) / full
    print(f"articles: {len(articles)} ({len(base)} distinct files), quotes: {n_quotes}")
    print(f"bare spaCy parse: {bare_rate:8.1f} articles/s ({bare:.1f} s)")
    print(f"full pipeline:    {full_rate:8.1f} articles/s ({full:.1f} s)")
    print(f"ratio full/bare:  {full_rate / bare_rate:.2f} (target >= 0.80)")


if __name__ == "__main__":
    main()
