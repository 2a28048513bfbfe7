"""A citizen in Almaty calls from Chromium; an operator signed in to the console answers.

Both pages must show remote video that advances (frames counted with
requestVideoFrameCallback), and the console must show region KZ-75 and the coordinates.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Geolocation, Page, expect

from tests.browser.conftest import watch_errors
from tests.fixtures_app import PASSWORD, Running

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
ALMATY: Geolocation = {"latitude": 43.2389, "longitude": 76.8897, "accuracy": 18}

COUNT_FRAMES = """async ([selector, ms]) => {
  const video = document.querySelector(selector);
  if (!video || !video.srcObject) {
    await new Promise((done) => setTimeout(done, ms));
    return {frames: 0, width: 0, attached: false};
  }
  let frames = 0;
  const tick = () => { frames += 1; video.requestVideoFrameCallback(tick); };
  video.requestVideoFrameCallback(tick);
  const start = video.currentTime;
  await new Promise((done) => setTimeout(done, ms));
  return {frames, width: video.videoWidth, advanced: video.currentTime - start};
}"""


async def advancing_video(page: Page, selector: str) -> dict[str, float]:
    result: dict[str, float] = {"frames": 0}
    for _ in range(20):  # up to ~20 s for ICE, DTLS and the first keyframe
        result = await page.evaluate(COUNT_FRAMES, [selector, 1000])
        if result["frames"] >= 5:
            return result
    return result


async def test_citizen_calls_operator_answers_both_see_video(
    running: Running, browser: Browser
) -> None:
    await running.add_user("aigerim", centre="almaty-city")
    errors: list[str] = []

    console_ctx = await browser.new_context(permissions=["camera", "microphone"])
    console = await console_ctx.new_page()
    watch_errors(console, errors)
    await console.goto(f"{running.url}/console")
    await console.fill("#login-username", "aigerim")
    await console.fill("#login-password", PASSWORD)
    await console.click("#login-submit")
    available = console.locator("#btn-available")
    await expect(available).to_be_visible(timeout=10_000)
    await available.click()
    await expect(available).to_have_attribute("data-available", "true", timeout=10_000)

    citizen_ctx = await browser.new_context(
        permissions=["geolocation", "camera", "microphone"],
        geolocation=ALMATY,
        viewport={"width": 390, "height": 844},  # a phone
    )
    citizen = await citizen_ctx.new_page()
    watch_errors(citizen, errors)
    await citizen.goto(f"{running.url}/")
    await citizen.click("#btn-video-call")
    status = citizen.locator("#call-status")
    await expect(status).to_have_attribute("data-state", "offered", timeout=15_000)

    await console.click("#btn-offer-accept", timeout=15_000)
    await expect(status).to_have_attribute("data-state", "connected", timeout=15_000)

    await expect(console.locator("#call-region")).to_contain_text("KZ-75", timeout=10_000)
    await expect(console.locator("#call-coords")).to_contain_text("43.23890")
    await expect(console.locator("#call-coords")).to_contain_text("76.88970")
    await expect(console.locator("#call-coords")).to_contain_text("18 m")
    await expect(console.locator("#call-address")).to_contain_text("Almaty")
    await expect(console.locator("#call-fix-time")).not_to_be_empty()
    # The map, with no tile server: 20 region outlines, the caller, accuracy circle, units.
    map_ = console.locator("#map")
    await expect(map_.locator("path.region-outline")).to_have_count(20, timeout=10_000)
    await expect(map_.locator("path.caller-marker")).to_have_count(1)
    await expect(map_.locator("path.accuracy-circle")).to_have_count(1)
    await expect(map_.locator("path.unit-marker").first).to_be_attached()
    assert await map_.locator("img.leaflet-tile").count() == 0
    await expect(console.locator("#nearest-units li").first).to_be_visible()
    await expect(console.locator(".leaflet-control-attribution")).to_contain_text("amCharts")

    # The caller moves: the trail grows on the map.
    await citizen_ctx.set_geolocation({"latitude": 43.2420, "longitude": 76.8950, "accuracy": 9})
    await expect(map_.locator("path.trail-dot")).to_have_count(1, timeout=10_000)
    await expect(console.locator("#call-coords")).to_contain_text("43.24200", timeout=10_000)

    seen_by_operator = await advancing_video(console, "#caller-video")
    seen_by_citizen = await advancing_video(citizen, "#remote-video")
    assert seen_by_operator["frames"] >= 5 and seen_by_operator["width"] > 0, seen_by_operator
    assert seen_by_citizen["frames"] >= 5 and seen_by_citizen["width"] > 0, seen_by_citizen

    await citizen.click("#btn-hangup")
    await expect(status).to_have_attribute("data-state", "ended", timeout=10_000)
    assert errors == []
    await citizen_ctx.close()
    await console_ctx.close()
