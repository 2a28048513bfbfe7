"""A supervisor joins a live call mid-way in Chromium, sees it within a second, barges, and plays
the recording afterwards.

Citizen (phone-sized page, Almaty) calls, the console accepts, both see video; only then does the
supervisor press Monitor. The time from that click to the first caller frame painted on the
supervisor's page (requestVideoFrameCallback) must stay under a second.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from domain.roles import Role
from server.keys import RECORDS
from tests.browser.conftest import watch_errors
from tests.browser.test_call_in_browser import ALMATY, advancing_video
from tests.fixtures_app import PASSWORD, Running

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
FIRST_FRAME_WITHIN_MS = 1000

# Counts frames painted in #monitor-video from the moment a Monitor button is clicked.
WATCH_MONITOR = """() => {
  window.__monitor = {clickedAt: null, frames: []};
  document.addEventListener("click", (ev) => {
    if (ev.target.closest(".btn-monitor")) window.__monitor.clickedAt = performance.now();
  }, true);
  const video = document.getElementById("monitor-video");
  const tick = (now) => {
    window.__monitor.frames.push(now);
    video.requestVideoFrameCallback(tick);
  };
  video.requestVideoFrameCallback(tick);
}"""


async def sign_in(context: BrowserContext, url: str, username: str) -> Page:
    page = await context.new_page()
    await page.goto(url)
    await page.fill("#login-username", username)
    await page.fill("#login-password", PASSWORD)
    await page.click("#login-submit")
    return page


async def test_supervisor_joins_mid_call_sees_it_at_once_and_barges(
    running: Running, browser: Browser
) -> None:
    await running.add_user("aigerim", centre="almaty-city")
    supervisor_id = await running.add_user("saule", role=Role.SUPERVISOR)
    errors: list[str] = []

    console_ctx = await browser.new_context(permissions=["camera", "microphone"])
    console = await sign_in(console_ctx, f"{running.url}/console", "aigerim")
    watch_errors(console, errors)
    available = console.locator("#btn-available")
    await available.click(timeout=10_000)
    await expect(available).to_have_attribute("data-available", "true", timeout=10_000)

    citizen_ctx = await browser.new_context(
        permissions=["geolocation", "camera", "microphone"],
        geolocation=ALMATY,
        viewport={"width": 390, "height": 844},
    )
    citizen = await citizen_ctx.new_page()
    watch_errors(citizen, errors)
    await citizen.goto(f"{running.url}/")
    await citizen.click("#btn-video-call")
    await console.click("#btn-offer-accept", timeout=15_000)
    status = citizen.locator("#call-status")
    await expect(status).to_have_attribute("data-state", "connected", timeout=15_000)
    assert (await advancing_video(console, "#caller-video"))["frames"] >= 5

    supervisor_ctx = await browser.new_context(permissions=["microphone"])
    supervisor = await sign_in(supervisor_ctx, f"{running.url}/supervisor", "saule")
    watch_errors(supervisor, errors)
    card = supervisor.locator("#sessions [data-state='connected']")
    await expect(card).to_have_count(1, timeout=10_000)
    await expect(card).to_contain_text("Aigerim")
    call_id = await card.get_attribute("data-call-id")
    assert call_id

    await supervisor.evaluate(WATCH_MONITOR)
    await card.locator(".btn-monitor").click()
    await supervisor.wait_for_function(
        "() => window.__monitor.frames.length >= 5", timeout=10_000, polling=50
    )
    watched = await supervisor.evaluate("() => window.__monitor")
    first_frame_ms = watched["frames"][0] - watched["clickedAt"]
    print(f"supervisor: first caller frame {first_frame_ms:.0f} ms after Monitor")
    assert first_frame_ms < FIRST_FRAME_WITHIN_MS, watched
    seen = await advancing_video(supervisor, "#monitor-video")
    assert seen["frames"] >= 5 and seen["width"] > 0, seen

    # Silent so far: nobody on the call is shown anything.
    assert await citizen.locator("#barge-notice").is_hidden()
    assert await console.locator("#barge-banner").is_hidden()

    await supervisor.click("#btn-barge-start")
    await expect(supervisor.locator("#barge-live")).to_be_visible(timeout=10_000)
    await expect(citizen.locator("#barge-notice")).to_be_visible(timeout=10_000)
    await expect(console.locator("#barge-banner")).to_contain_text("Saule", timeout=10_000)
    await supervisor.click("#btn-barge-stop")
    await expect(citizen.locator("#barge-notice")).to_be_hidden(timeout=10_000)
    await expect(console.locator("#barge-banner")).to_be_hidden(timeout=10_000)

    await citizen.click("#btn-hangup")
    await expect(status).to_have_attribute("data-state", "ended", timeout=10_000)
    await expect(supervisor.locator("#monitor-idle")).to_be_visible(timeout=10_000)

    # The recording of the call plays in the supervisor console.
    recorded = supervisor.locator(f"#recordings [data-call-id='{call_id}']")
    for _ in range(10):
        await supervisor.click("#btn-recordings-refresh")
        if await recorded.count():
            break
        await supervisor.wait_for_timeout(500)
    await recorded.locator(".btn-play").click()
    await supervisor.wait_for_function(
        "() => document.getElementById('recording-video').currentTime > 0.5", timeout=15_000
    )
    export = await recorded.locator(".btn-export").get_attribute("href")
    assert export == f"/api/calls/{call_id}/export"

    actions = {
        e.action
        for e in await running.app[RECORDS].list_audit(limit=100)
        if e.actor == supervisor_id and call_id in (e.subject or "")
    }
    assert {"call.monitor", "call.barge", "recording.play"} <= actions
    assert errors == []
    for context in (citizen_ctx, console_ctx, supervisor_ctx):
        await context.close()
