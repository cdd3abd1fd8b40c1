"""Dashboard speed on a generated store of N quotes (default 100,000), measured server-side with AppTest.

    .venv/bin/python bench/bench_dashboard.py [--quotes 100000] [--store bench/out/bench.duckdb] [--repeat 3]

Reports, in seconds: the first full render of the overview in a fresh session with empty caches (imports
already warm, as in a running server), each other view's first render, and filter changes (think-tank
preset, an outlet pick, a search). Targets from the issue: first render <= 2 s, filter change <= 0.5 s.
Figures, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard" / "app.py"


def _timed(fn: Callable[[], AppTest]) -> tuple[float, AppTest]:
    start = time.perf_counter()
    at = fn()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return elapsed, at


def one_round(db: Path) -> dict[str, float]:
    """One fresh session: cold caches, then page switches and filter changes."""
    from dashboard import ui

    st.cache_data.clear()
    st.cache_resource.clear()
    out: dict[str, float] = {}
    at = AppTest.from_file(str(APP), default_timeout=120)
    out["overview first render (cold cache)"], at = _timed(at.run)
    out["overview rerun (cached)"], at = _timed(at.run)
    out["filter: think-tank preset"], at = _timed(at.button(key=ui.K_PRESET).click().run)
    outlet = at.multiselect(key=ui.K_OUTLET).options[0]
    out["filter: pick an outlet"], at = _timed(at.multiselect(key=ui.K_OUTLET).set_value([outlet]).run)
    out["filter: text search"], at = _timed(at.text_input(key=ui.K_SEARCH).set_value("sanctions").run)
    out["filter: reset"], at = _timed(at.button(key=ui.K_RESET).click().run)
    for page in ("compare", "experts", "quotes"):
        out[f"view {page} first render"], at = _timed(at.switch_page(f"views/{page}.py").run)
    out["quotes view: filter change"], at = _timed(at.toggle(key=ui.K_TARGET).set_value(False).run)
    return out


def main(argv: list[str] | None = None) -> int:
    """Build the store if needed, warm imports once, then time ``--repeat`` fresh sessions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--store", type=Path, default=REPO / "bench" / "out" / "bench.duckdb")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from make_store import build_store  # bench/ is the script's directory, so it is on sys.path[0]

    if not args.store.exists():
        t = time.perf_counter()
        build_store(args.store, args.quotes)
        print(f"built {args.quotes:,}-quote store in {time.perf_counter() - t:.1f}s: {args.store}")
    os.environ["STANCE_DB"] = str(args.store)
    t = time.perf_counter()
    AppTest.from_file(str(APP), default_timeout=120).run()  # imports (streamlit, plotly, duckdb) once
    print(f"process warm-up (imports + first render): {time.perf_counter() - t:.2f}s")
    rounds = [one_round(args.store) for _ in range(args.repeat)]
    width = max(len(k) for k in rounds[0])
    print(f"{'step':<{width}}  median   max   (s, {args.repeat} fresh sessions)")
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        print(f"{key:<{width}}  {statistics.median(values):6.3f} {max(values):6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
