"""Browser journeys in real headless Chromium (Debian's /usr/bin/chromium, no download).

Screenshots of each journey are written to test-artifacts/ so a failing run can be looked at.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django must still allow the test's
# own ORM calls (fixtures) from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class SerialWSGIServer(WSGIServer):
    """Django's development server, one request at a time. The live server thread has already
    installed the test's connection in itself, so the override it passes has nothing to do."""

    def __init__(self, *args, connections_override=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The SQLite test database lives in memory and the live server's threads share the test's one
    # connection: two requests at once (htmx often sends them) would nest their transactions.
    # One request at a time; Django then answers "Connection: close", so nothing waits on a
    # kept-alive socket. PostgreSQL keeps the threaded server, one connection per thread.
    LiveServerThread.server_class = SerialWSGIServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("PLAYWRIGHT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(f"Chromium not found at {path}: install Debian's chromium (see .ci/run)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server, request) -> Iterator[Page]:
    """A phone-sized page in Chinese, as a resident or officer in the street would have it.

    The officer's service worker (which fetches pages to keep on its own, while the test reads
    the database) runs only in journeys marked ``service_worker``."""
    context = browser.new_context(
        service_workers="allow" if request.node.get_closest_marker("service_worker") else "block",
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True)
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
