"""Headless Debian Chromium driven by Playwright, with a fake camera and microphone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Response, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():  # noqa: ASYNC240 - one stat before launching a browser
        pytest.fail("Debian chromium is not installed at /usr/bin/chromium: run `make test`")
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            yield instance
        finally:
            await instance.close()


def watch_errors(page: Page, into: list[str]) -> None:
    """Collect uncaught exceptions, console errors and server errors the page meets.

    Chromium logs every 4xx load as a console error; those are expected answers here (the
    console asks /api/auth/me before login and gets 401), so 4xx loads are left out and any
    5xx answer is caught from the responses themselves.
    """

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            into.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 500:
            into.append(f"{response.status} {response.url}")

    page.on("pageerror", lambda error: into.append(f"pageerror: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)
