"""Browser tests: the app on a free loopback port, Debian's chromium driven by Playwright.

Chromium comes from the system (``apt-get install chromium``), never from
``playwright install``. Without it the tests skip on a user's machine. With ``CI=true`` they
never skip: the main CI run leaves them out only while chromium is absent (``.ci/run`` runs
``make test`` before any part), and ``.ci/parts/40-browser.sh`` installs chromium and runs
``pytest -m browser``, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.server import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "ui"


def have_chromium() -> bool:
    return Path(CHROMIUM).is_file() and shutil.which("chromium") is not None


def browser_pass(config: pytest.Config) -> bool:
    expression = config.getoption("markexpr") or ""
    return "browser" in expression and "not browser" not in expression


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if have_chromium() or os.environ.get("CI") != "true" or browser_pass(config):
        return
    # CI's main run comes before the part that installs chromium: leave them to that pass.
    kept = [i for i in items if i.get_closest_marker("browser") is None]
    dropped = [i for i in items if i.get_closest_marker("browser") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="module")
def chromium(pytestconfig: pytest.Config) -> Iterator[Any]:
    # Per module, not per session: Playwright's sync API keeps an event loop running in this
    # thread while it is open, and later tests in the same worker call ``asyncio.run``.
    if not have_chromium():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: .ci/parts/40-browser.sh installs it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(container: Any) -> Iterator[str]:
    """The application served by uvicorn in a thread, on a loopback port."""
    with serving(container) as url:
        yield url


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": 1366, "height": 768}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def shoot(page: Any, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)
