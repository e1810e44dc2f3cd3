"""The HTML report as a person sees it: opened in headless Chromium (the system's /usr/bin/chromium,
driven by playwright) with every network request blocked and counted, checked for content, and
screenshotted as a test artifact (under pytest's tmp path)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from conformance import catalogue
from conformance.reports import html
from conformance.runner import RunResult, run_offline_scenarios
from gateway.profiles import load_profile  # the CLI's loader: the kit itself takes a Profile

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium): "
                                                             "the HTML report cannot be checked in a real browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]


def test_the_html_report_renders_in_chromium_without_any_network(tmp_path: Path) -> None:
    wanted = ("pax-departure", "defect-trailing-separator", "multipart-complete", "pnrgov-full-push")
    scenarios = [s for s in catalogue.load() if s.id in wanted]
    cases = run_offline_scenarios(scenarios, load_profile("strict-iso9735"))  # strict: the trailing separator fails
    now = datetime.now(UTC)
    run = RunResult("run-chromium", "offline", now, now, "ZZ", "strict-iso9735", "mixed", cases=cases)
    page_file = tmp_path / "report.html"
    page_file.write_bytes(html.render(run))

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                              if route.request.url.startswith("file://") else route.abort()))
            page.goto(page_file.as_uri())
            assert page.title() == "paxgate conformance report run-chromium"
            assert "FAILED" in page.locator("header h1").inner_text()
            failed = page.locator("section#defect-trailing-separator")
            assert failed.locator(".badge").inner_text().lower() == "failed"
            text = failed.inner_text()
            assert "EDI-SEG-TRAILING-SEPARATOR" in text and "How to fix" in text and "Leave out empty trailing" in text
            assert "What came back: CONTRL" in text
            # the badge colour comes from the inline stylesheet: red for a failure, green for a pass
            red = failed.locator(".badge").evaluate("e => getComputedStyle(e).backgroundColor")
            green = page.locator("section#pax-departure .badge").evaluate("e => getComputedStyle(e).backgroundColor")
            assert red == "rgb(179, 38, 30)" and green == "rgb(27, 127, 59)"
            assert page.locator("section#multipart-complete .badge").inner_text().lower() == "online only"
            # what was sent is folded away until opened, and readable when opened
            sent = page.locator("section#pax-departure details").first
            assert not sent.locator("pre").is_visible()
            sent.locator("summary").click()
            assert "UNH+" in sent.locator("pre").inner_text()
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [page_file.as_uri()], "the report loaded something besides itself"
    assert (tmp_path / "report.png").stat().st_size > 10_000
