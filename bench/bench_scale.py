"""Ingest at scale: 1 vs 2 local workers, Dask LocalCluster vs local, and peak memory of 1k vs 10k articles.

    .venv/bin/python bench/bench_scale.py ../shared/corpus [--min-articles 1000] [--memory 1000,10000]

The articles are the real corpus texts (read at run time from ../shared, never copied into the repository),
repeated with a varying last line so every copy has its own id, written as JSONL files in a temporary folder.
Every run is a fresh ``stance ingest`` subprocess into a fresh store, timed wall-clock end to end (imports,
model loads and worker start included); the Dask run goes to a LocalCluster of 2 worker processes started
before the clock (a standing cluster, as on a real deployment) whose workers load the model inside the timing.
Peak memory is the largest sum of RSS over the ingest process and its children, sampled every 0.1 s.
Figures, not a pass/fail test; compare ratios from one run (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from analysis.ingest import read_paths
from analysis.records import Article
from analysis.settings import Settings

REPO = Path(__file__).resolve().parents[1]
ROWS_PER_FILE = 250


def make_corpus(source: Path, count: int, out: Path) -> Path:
    """``count`` articles as JSONL files under ``out``: the real texts, each copy with its own last line."""
    folders = sorted(source.glob("*/articles")) or [source]  # the corpus layout: dev/articles, extra/articles
    originals = [a for a in read_paths(folders, Settings(max_bytes=50_000_000)) if isinstance(a, Article)]
    if not originals:
        raise SystemExit(f"no articles under {source}")
    out.mkdir(parents=True, exist_ok=True)
    handle = None
    for i in range(count):
        if i % ROWS_PER_FILE == 0:
            if handle:
                handle.close()
            handle = (out / f"batch_{i // ROWS_PER_FILE:04d}.jsonl").open("w", encoding="utf-8")
        a = originals[i % len(originals)]
        row = {"name": f"{a.name}#{i}", "text": f"{a.text}\n\nBenchmark copy {i}.", "outlet": a.outlet,
               "date": a.date, "url": None, "title": a.title}
        assert handle is not None
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    if handle:
        handle.close()
    return out


def run(argv: list[str], db: Path) -> dict[str, float]:
    """Time one ``stance ingest`` subprocess and sample its process tree's memory."""
    cmd = [sys.executable, "-m", "analysis", "ingest", *argv, "--db", str(db)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "STANCE_WORKERS": "1"})
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err}")
    summary = err.strip().splitlines()[-1]
    return {"seconds": elapsed, "peak_rss_mb": peak / 2**20, "summary": summary}  # type: ignore[dict-item]


def main(argv: list[str] | None = None) -> int:
    """Build the corpora, run the timed ingests, print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder of real articles (../shared/corpus)")
    parser.add_argument("--min-articles", type=int, default=1000, help="articles in the speed runs")
    parser.add_argument("--memory", default="1000,10000", help="article counts of the memory runs ('' to skip)")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args(argv)
    n = args.min_articles
    print(f"cores: {os.cpu_count()}  load average before: {os.getloadavg()}")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp)
        if not args.skip_speed:
            corpus = make_corpus(args.corpus, n, root / f"c{n}")
            results["local, 1 worker"] = run([str(corpus)], root / "w1.duckdb")
            results["local, 2 workers"] = run([str(corpus), "--workers", "2"], root / "w2.duckdb")
            from distributed import LocalCluster

            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
                results["dask LocalCluster, 2 workers"] = run(
                    [str(corpus), "--engine", "dask", "--scheduler", cluster.scheduler_address], root / "d.duckdb"
                )
        for count in [int(c) for c in args.memory.split(",") if c.strip()]:
            corpus = make_corpus(args.corpus, count, root / f"m{count}")
            results[f"memory: {count} articles, 2 workers"] = run(
                [str(corpus), "--workers", "2"], root / f"m{count}.duckdb"
            )
    print(f"load average after: {os.getloadavg()}")
    for name, r in results.items():
        count = n if not name.startswith("memory") else int(name.split()[1])
        print(f"{name:38s} {r['seconds']:7.1f} s  {count / r['seconds']:6.1f} art/s  peak RSS {r['peak_rss_mb']:7.0f} MB"
              f"  | {r['summary']}")
    if not args.skip_speed:
        one, two = results["local, 1 worker"]["seconds"], results["local, 2 workers"]["seconds"]
        dask = results["dask LocalCluster, 2 workers"]["seconds"]
        print(f"speed-up 2 workers vs 1: {one / two:.2f}x (target >= 1.6)")
        print(f"dask throughput / local 2-worker throughput: {two / dask:.2f} (target >= 0.8)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
