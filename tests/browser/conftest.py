"""Playwright driving the system's Chromium against a live server, with axe on every page."""

import os
from pathlib import Path

import pytest

from tests.conftest import chromium_path

ROOT = Path(__file__).resolve().parents[2]
# axe-core from npm (package.json); the copy bundled with axe-playwright-python is the fallback.
AXE_CORE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Module scope: Playwright's event loop must not outlive the browser tests, or Django's async
# views (the health check) would refuse to run in this thread afterwards.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        pytest.skip("needs Chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe.from_file(AXE_CORE) if AXE_CORE.exists() else Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe (WCAG 2.2 A and AA) on the page as it is now; fail listing every violation."""

    def check(page):
        results = _run_axe_on_settled_page(axe, page)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check


def _run_axe_on_settled_page(axe, page, attempts=3):
    """Run axe once the page has finished loading.

    A click that submits a form returns before the browser has swapped in the next document, so
    axe can start on a page that is being torn down ("Cannot read properties of null", "Execution
    context was destroyed"). That is a navigation still in flight, not a finding: wait for the
    new document to load and run axe on it.
    """
    from playwright.sync_api import Error

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    for attempt in range(attempts):
        page.wait_for_load_state("load")
        try:
            return axe.run(page, options=options)
        except Error as error:
            navigating = "documentElement" in error.message or "context was destroyed" in error.message
            if not navigating or attempt == attempts - 1:
                raise
            page.wait_for_timeout(200)
