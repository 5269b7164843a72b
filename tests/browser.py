"""Headless Chromium for the dashboard tests: Playwright's Python API driving the system
browser (`/usr/bin/chromium`, Debian's package; `playwright install` is never run).

Without the browser the tests are skipped, except under CI=true, where that is a failure
(`.ci/run` installs it). Every page records the requests it makes and what it logged, so a
test can assert that nothing left the server's origin and that no script failed.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}


def chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"no Chromium at {CHROMIUM} under CI=true (.ci/run installs it with apt-get)")
    pytest.skip("Chromium is not installed (apt-get install -y chromium)")


@contextlib.asynccontextmanager
async def headless_chromium() -> AsyncIterator[Browser]:
    executable = chromium_or_skip()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Dashboard:
    """One browser page on the dashboard of the server at `origin`."""

    page: Page
    origin: str
    shots: Path
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def watch(self) -> None:
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", lambda message: self.problems.append(f"console: {message.text}")
                     if message.type == "error" else None)

    async def open(self, token: str | None = None, hash: str = "") -> None:
        await self.page.goto(f"{self.origin}/dashboard{hash}")
        if token is not None:
            await self.sign_in(token)

    async def sign_in(self, token: str) -> None:
        await self.page.fill("#token-form input[name=token]", token)
        await self.page.press("#token-form input[name=token]", "Enter")

    async def live(self) -> None:
        await self.page.wait_for_selector(".connection[data-state=live]", timeout=10_000)

    async def go(self, hash: str) -> None:
        await self.page.evaluate("hash => { location.hash = hash; }", hash)

    async def shot(self, name: str) -> None:
        await self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)

    def foreign_requests(self) -> list[str]:
        """Requests (websockets included) to anywhere but the server."""
        mine = urlsplit(self.origin).netloc
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != mine]


@contextlib.asynccontextmanager
async def dashboard(browser: Browser, origin: str, shots: Path,
                    viewport: dict[str, int] = LAPTOP) -> AsyncIterator[Dashboard]:
    """A fresh browser context (its own sessionStorage) with one watched page."""
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    try:
        board = Dashboard(await context.new_page(), origin, shots)
        board.watch()
        yield board
    finally:
        await context.close()
