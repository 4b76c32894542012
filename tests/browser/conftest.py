"""A real server in a thread and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.fake_twilio import fake_twilio
from tests.services import serve
from warmline.dashboard import events

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's own waits (expect, click) give up after this long.
DEADLINE_MS = 15_000

sync_api = pytest.importorskip("playwright.sync_api")
sync_api.expect.set_options(timeout=DEADLINE_MS)
if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


@pytest.fixture
def server(app, monkeypatch) -> Iterator[str]:
    """Serve the app over real HTTP on a free port; yield its base URL."""
    # A closed page's event stream notices at its next heartbeat: make that soon.
    monkeypatch.setattr(events, "HEARTBEAT_SECONDS", 0.5)
    with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    # Playwright gives every launch a fresh, throwaway user-data-dir of its own.
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, server, request: pytest.FixtureRequest):
    """A fresh browser context (no cookies) at a laptop's size.

    Script errors and console errors (a CSP violation is one) fail the test; an HTTP error
    answer the page expects, such as a 409, is not a script error.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    browser_context = chromium.new_context(viewport={"width": 1100, "height": 900})
    browser_context.set_default_timeout(DEADLINE_MS)
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _console(message, errors))
    yield page
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-last.png", full_page=True)
    browser_context.close()
    assert errors == []


def _console(message, errors: list[str]) -> None:
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)


def shoot(page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
