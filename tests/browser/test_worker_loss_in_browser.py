"""A media worker process dies mid-call: both browsers get their picture back.

The server runs media in two worker processes. A citizen in Chromium calls, the console
accepts, video flows; then the worker carrying the call is killed with SIGKILL. The server
tells both parties (`media:lost`), both pages offer again, the call lands on a live worker,
and remote video advances on both sides once more. The call itself never ends.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from domain.errors import UnknownCall
from geo.service import GeoService
from media.workers import WorkerPool
from server.app import create_app
from server.keys import MEDIA, RECORDS
from server.settings import Settings
from tests.browser.conftest import watch_errors
from tests.browser.test_call_in_browser import ALMATY, advancing_video
from tests.fixtures_app import PASSWORD, Running

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


@pytest.fixture
async def with_workers(app_settings: Settings, geo_service: GeoService) -> AsyncIterator[Running]:
    settings = replace(app_settings, media=replace(app_settings.media, workers=2))
    server = TestServer(create_app(settings, geo=geo_service), host="127.0.0.1")
    await server.start_server()
    try:
        yield Running(server)
    finally:
        await server.close()


async def test_call_survives_the_loss_of_its_media_worker(
    with_workers: Running, browser: Browser
) -> None:
    running = with_workers
    await running.add_user("marat", centre="almaty-city")
    errors: list[str] = []
    console_ctx = await browser.new_context(permissions=["camera", "microphone"])
    console = await console_ctx.new_page()
    watch_errors(console, errors)
    await console.goto(f"{running.url}/console")
    await console.fill("#login-username", "marat")
    await console.fill("#login-password", PASSWORD)
    await console.click("#login-submit")
    await console.locator("#btn-available").click()
    await expect(console.locator("#btn-available")).to_have_attribute("data-available", "true")

    citizen_ctx = await browser.new_context(
        permissions=["geolocation", "camera", "microphone"], geolocation=ALMATY
    )
    citizen = await citizen_ctx.new_page()
    watch_errors(citizen, errors)
    await citizen.goto(f"{running.url}/")
    await citizen.click("#btn-video-call")
    status = citizen.locator("#call-status")
    await expect(status).to_have_attribute("data-state", "offered", timeout=15_000)
    await console.click("#btn-offer-accept")
    await expect(status).to_have_attribute("data-state", "connected", timeout=15_000)
    assert (await advancing_video(console, "#caller-video"))["frames"] >= 5
    assert (await advancing_video(citizen, "#remote-video"))["frames"] >= 5

    pool = running.app[MEDIA]
    assert isinstance(pool, WorkerPool)
    (call_id,) = pool.calls()
    pid = pool.worker_pid(call_id)
    assert pid is not None and pid != os.getpid()
    os.kill(pid, signal.SIGKILL)

    # Both sides re-offer; the call moves to a live worker and pictures come back.
    def current_worker() -> int | None:
        try:
            return pool.worker_pid(call_id)
        except UnknownCall:  # unpinned: between the loss and the re-offer
            return None

    for _ in range(40):
        if current_worker() not in (None, pid):
            break
        await citizen.wait_for_timeout(250)
    assert current_worker() not in (None, pid)
    assert (await advancing_video(console, "#caller-video"))["frames"] >= 5
    assert (await advancing_video(citizen, "#remote-video"))["frames"] >= 5
    await expect(status).to_have_attribute("data-state", "connected")

    await citizen.click("#btn-hangup")
    await expect(status).to_have_attribute("data-state", "ended", timeout=10_000)
    record = await running.app[RECORDS].get_call(call_id)
    assert record is not None and record.final_state == "ended"
    assert errors == []
    await citizen_ctx.close()
    await console_ctx.close()
