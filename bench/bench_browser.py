"""Dashboard speed as a user waits for it: headless Chromium (Playwright) against a real streamlit server.

    .venv/bin/python bench/bench_browser.py --db /tmp/dash-demo.duckdb [--runs 5]
    .venv/bin/python bench/bench_browser.py --quotes 100000 [--store bench/out/bench.duckdb]

A step is timed from navigation (or the click / keystroke) until the page is done: Streamlit reports its script
"notRunning", no element is stale, and every plotly chart on the page has drawn its ``.main-svg``. Steps, each in
a fresh browser context (a new Streamlit session, so session state is cold; server caches stay warm as in a
running deployment, except the first navigation of the process, reported separately as the warm-up):

- first page: the overview (3 bar charts) from navigation, with a cold browser cache (plotly's 4.7 MB bundle is
  fetched and compiled) and again in a new tab of the same browser (a returning user: cache warm);
- filter change: the think-tank preset, an outlet pick via the URL-synced sidebar, "on-target" toggled;
- compare page: heatmap + timeline + small multiples from navigation.

Targets (issue 13): first page <= 3 s, filter change <= 1 s, medians. The load average is printed beside them,
since the machine is shared. Debian chromium only (never ``playwright install``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the shared streamlit-server helper lives with the tests
from dashboard_fixtures import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

TIMEOUT_MS = 120_000
# Done = the script finished, nothing is stale or still a loading skeleton, every chart has its SVG (and at least ``min_charts`` exist).
DONE_JS = """(minCharts) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  if (charts.length < minCharts) return false;
  for (const c of charts) { if (!c.querySelector('.main-svg')) return false; }
  return true;
}"""


def wait_done(page: Page, min_charts: int) -> None:
    """Until the page is idle with every chart drawn (polled every animation frame)."""
    page.wait_for_function(DONE_JS, arg=min_charts, timeout=TIMEOUT_MS, polling="raf")


def _timed(page: Page, action: Callable[[], object], min_charts: int) -> float:
    start = time.perf_counter()
    action()
    page.wait_for_timeout(50)  # let Streamlit flip to "running" before we look for "notRunning"
    wait_done(page, min_charts)
    return time.perf_counter() - start


def one_run(browser: object, url: str) -> dict[str, float]:
    """One fresh session: first page, three filter changes, the compare page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    out: dict[str, float] = {}
    try:
        out["first page (overview)"] = _timed(page, lambda: page.goto(url), 3)
        out["filter: think-tank preset"] = _timed(
            page, lambda: page.get_by_role("button", name="Think tanks").click(), 3)
        out["filter: on-target toggle"] = _timed(
            page, lambda: page.get_by_text("On-target quotes only").click(), 3)
        out["filter: reset"] = _timed(page, lambda: page.get_by_role("button", name="Reset").first.click(), 3)
        out["compare page (navigation)"] = _timed(page, lambda: page.goto(f"{url}/compare"), 3)
        # A returning user: a new tab (a new Streamlit session) with the browser's cache of plotly.js warm.
        again = context.new_page()
        again.set_default_timeout(TIMEOUT_MS)
        out["first page, warm browser cache"] = _timed(again, lambda: again.goto(url), 3)
    finally:
        context.close()
    return out


def main(argv: list[str] | None = None) -> int:
    """Serve the store, warm the server once, then time ``--runs`` fresh sessions; print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="an existing store (e.g. the demo store)")
    parser.add_argument("--quotes", type=int, default=100_000, help="size of the generated store without --db")
    parser.add_argument("--store", type=Path, default=REPO / "bench" / "out" / "bench.duckdb")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    db = args.db
    if db is None:
        sys.path.insert(0, str(REPO / "bench"))
        from make_store import build_store

        db = args.store
        if not db.exists():
            build_store(db, args.quotes)
    with streamlit_server(db) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            warm = browser.new_page()
            start = time.perf_counter()
            warm.goto(url)
            wait_done(warm, 3)
            print(f"warm-up (server imports + cold caches): {time.perf_counter() - start:.2f}s")
            warm.close()
            runs = [one_run(browser, url) for _ in range(args.runs)]
        finally:
            browser.close()
    load = os.getloadavg()
    width = max(len(k) for k in runs[0])
    print(f"store {db} · {args.runs} fresh sessions · load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"{'step':<{width}}  median    min    max  (s)")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"{key:<{width}}  {statistics.median(values):6.2f} {min(values):6.2f} {max(values):6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
