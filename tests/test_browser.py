"""Real browser: streamlit serves a small synthetic store, headless Debian chromium drives it.

Applies the think-tank preset and checks the institution chart changes, downloads a chart as PNG, and
saves a screenshot of the overview under the test's tmp dir. Every wait is bounded; the server is killed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dashboard_fixtures import CHROMIUM, CHROMIUM_ARGS, build_store, make_store_module, streamlit_server
from playwright.sync_api import Page, sync_playwright

from dashboard import export

pytestmark = pytest.mark.browser
WAIT_MS = 45_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
THINK_TANK_NAMES = {name for name, kind, _ in make_store_module().INSTITUTIONS if kind == "think_tank"}


def _institution_ticks(page: Page) -> list[str]:
    """The y-axis labels of the first chart on the overview (stance by institution)."""
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.locator(".ytick text").first.wait_for(timeout=WAIT_MS)
    return [t.strip() for t in chart.locator(".ytick text").all_text_contents()]


def _wait_for_change(page: Page, before: list[str], timeout_s: float = 45) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        now = _institution_ticks(page)
        if now and now != before:
            return now
    raise AssertionError("the institution chart did not change after the think-tank preset")


def test_think_tank_preset_png_download_and_screenshot(tmp_path: Path) -> None:
    db = build_store(tmp_path / "store.duckdb", 1500, seed=11)
    with streamlit_server(db) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
            page.set_default_timeout(WAIT_MS)
            page.goto(url, wait_until="domcontentloaded")
            before = _institution_ticks(page)
            assert len(before) >= 10
            page.get_by_text("Quotes", exact=True).first.wait_for()
            page.wait_for_timeout(1500)  # let the remaining charts finish drawing
            shot = tmp_path / "overview.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes().startswith(PNG_MAGIC)

            page.get_by_role("button", name="Think tanks").click()
            after = _wait_for_change(page, before)
            assert set(after) <= THINK_TANK_NAMES and set(before) - THINK_TANK_NAMES
            assert "type=think_tank" in page.url

            with page.expect_download(timeout=90_000) as info:
                page.get_by_role("button", name="PNG", exact=True).first.click()
            target = tmp_path / "institutions.png"
            info.value.save_as(target)
            body = target.read_bytes()
            assert body.startswith(PNG_MAGIC) and len(body) > 5_000
            width = int.from_bytes(body[16:20], "big")  # IHDR: the server-side export is 1200 px at scale 2
            assert width == 2 * export.EXPORT_WIDTH
            page.screenshot(path=str(tmp_path / "overview_think_tanks.png"), full_page=True)
        finally:
            browser.close()
