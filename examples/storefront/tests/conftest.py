"""The storefront served by uvicorn in a thread, and headless Chromium driven by Playwright.

The browser is the system's Chromium (``$CHROMIUM`` or ``/usr/bin/chromium``): nothing is
downloaded. Screenshots of the main pages go to :data:`SCREENSHOTS`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from csp_storefront import Shop, create_app
from csp_storefront.demo_data import seed
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where the tests save a screenshot of each main page.
SCREENSHOTS = Path(
    os.environ.get("STOREFRONT_SCREENSHOTS", Path(__file__).resolve().parents[1] / "screenshots")
)


class Storefront:
    """The running storefront: its base URL and its back office (to check what happened)."""

    def __init__(self, url: str, shop: Shop) -> None:
        self.url = url
        self.shop = shop


@pytest.fixture(scope="session")
def storefront(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Storefront]:
    shop = Shop(tmp_path_factory.mktemp("storefront"))
    seed(shop)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(shop), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the storefront did not start"
        time.sleep(0.05)
    yield Storefront(f"http://127.0.0.1:{port}", shop)
    server.should_exit = True
    thread.join(10)
    shop.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Browser, storefront: Storefront) -> Iterator[object]:
    """``open_page(user_key, locale="en-US")``: a fresh browser context signed in as the user."""
    contexts = []

    def open_as(user: str, locale: str = "en-US") -> Page:
        context = browser.new_context(
            base_url=storefront.url, locale=locale, extra_http_headers={"Accept-Language": locale}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/signin")
        page.check(f"input[name=user][value='{user}']")
        page.click("#signin")
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


def shoot(page: Page, name: str) -> Path:
    """Save a full-page screenshot of ``page`` as ``SCREENSHOTS/name.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path
