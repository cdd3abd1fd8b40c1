"""Store aggregations at scale: every chart query on a generated store of N quotes (default 1,000,000).

    .venv/bin/python bench/bench_store.py [--quotes 1000000] [--store bench/out/store1m.duckdb] [--repeat 3]

The store comes from ``bench/make_store.py`` (built once, reused while its quote count matches). Each query runs
the way the dashboard runs it (``dashboard.queries`` on a short-lived read-only connection from
``analysis.store.Store``), plus the store's ``speaker_stats`` / ``institution_stats`` views. The first run on a
fresh connection (cold) and the median of ``--repeat`` more (warm) are reported, in seconds; target <= 1 s.
The same queries are then timed on the store exported as a Parquet quote dataset and attached with
``analysis.store.attach_parquet`` (what a ``--parquet DIR`` reader would see). Figures, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from analysis.store import Store, attach_parquet
from dashboard import queries
from dashboard.filters import Filters

TARGET = 1.0
Query = Callable[[duckdb.DuckDBPyConnection], object]
ALL = Filters()
THINK_TANKS = Filters().think_tanks()
QUERIES: dict[str, Query] = {
    "stance by institution": lambda con: queries.stance_by(con, ALL, "institution"),
    "stance by outlet": lambda con: queries.stance_by(con, ALL, "outlet"),
    "stance by institution type": lambda con: queries.stance_by(con, ALL, "institution_type"),
    "stance by month (timeline)": lambda con: queries.timeline(con, ALL),
    "headline counts": lambda con: queries.headline(con, ALL),
    "speaker_stats (all rows)": lambda con: con.execute(
        "SELECT * FROM speaker_stats ORDER BY quotes DESC, speaker_key").df(),
    "institution_stats (all rows)": lambda con: con.execute(
        "SELECT * FROM institution_stats ORDER BY quotes DESC, institution").df(),
    "think-tank preset: stance by institution": lambda con: queries.stance_by(con, THINK_TANKS, "institution"),
    "think-tank preset: timeline": lambda con: queries.timeline(con, THINK_TANKS),
}


def ensure_store(path: Path, n_quotes: int) -> Path:
    """The generated store at ``path``, built with bench/make_store.py unless it already holds ``n_quotes``."""
    from make_store import build_store  # bench/ is the script's directory, so it is on sys.path[0]

    store = Store(path)
    if store.exists():
        try:
            if int(store.query_df("SELECT count(*) AS n FROM quotes")["n"][0]) == n_quotes:
                return path
        except duckdb.Error:
            pass
    started = time.perf_counter()
    build_store(path, n_quotes)
    print(f"built {path} with {n_quotes:,} quotes in {time.perf_counter() - started:.0f} s")
    return path


def time_queries(connect: Callable[[], duckdb.DuckDBPyConnection], repeat: int) -> dict[str, tuple[float, float]]:
    """(cold, warm median) seconds per query; cold = the first run on a fresh connection."""
    out: dict[str, tuple[float, float]] = {}
    for name, query in QUERIES.items():
        con = connect()
        try:
            start = time.perf_counter()
            query(con)
            cold = time.perf_counter() - start
            warm = []
            for _ in range(repeat):
                start = time.perf_counter()
                query(con)
                warm.append(time.perf_counter() - start)
        finally:
            con.close()
        out[name] = (cold, statistics.median(warm) if warm else cold)
    return out


def report(title: str, figures: dict[str, tuple[float, float]]) -> bool:
    """Print one table; True when every query met the target."""
    print(f"\n{title}")
    ok = True
    for name, (cold, warm) in figures.items():
        flag = "ok" if max(cold, warm) <= TARGET else "OVER"
        ok &= flag == "ok"
        print(f"  {name:44s} cold {cold:6.3f} s   warm {warm:6.3f} s   {flag}")
    return ok


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the store, time the queries on it and on its Parquet export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, default=Path("bench/out/store1m.duckdb"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-parquet", action="store_true", help="skip the Parquet dataset timings")
    args = parser.parse_args(argv)
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()}")
    path = ensure_store(args.store, args.quotes)
    store = Store(path)
    size = store.query_df("SELECT (SELECT count(*) FROM quotes) AS q, (SELECT count(*) FROM articles) AS a")
    print(f"store: {int(size['q'][0]):,} quotes, {int(size['a'][0]):,} articles, "
          f"{path.stat().st_size / 2**20:.0f} MB")

    def from_store() -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(path), read_only=True)

    ok = report("DuckDB store (read-only connection, as the dashboard opens it)", time_queries(from_store, args.repeat))
    if not args.no_parquet:
        with tempfile.TemporaryDirectory(prefix="bench-parquet-") as tmp:
            with store.read() as con:
                for table in ("articles", "quotes"):
                    (Path(tmp) / table).mkdir()
                    con.execute(f"COPY {table} TO '{Path(tmp) / table / 'part-0.parquet'}' (FORMAT parquet)")

            def from_parquet() -> duckdb.DuckDBPyConnection:
                con = duckdb.connect()
                attach_parquet(con, tmp)
                return con

            ok &= report("Parquet dataset attached with analysis.store.attach_parquet (in-memory connection)",
                         time_queries(from_parquet, args.repeat))
    print(f"\nload average after: {os.getloadavg()}")
    print("all queries <= 1 s" if ok else "some queries over 1 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
