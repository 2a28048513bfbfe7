"""Headless Debian Chromium driven by Playwright, with a fake camera and microphone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

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
    if not CHROMIUM.exists():
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
    """Collect uncaught page errors and console errors: a page that throws fails its test."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            into.append(f"console: {message.text}")

    page.on("pageerror", lambda error: into.append(f"pageerror: {error}"))
    page.on("console", on_console)
