"""Citizen reports and complaints in Chromium, seen from both sides.

A citizen on a phone-sized page sends a traffic-violation report with a real JPEG whose Exif
GPS puts it in Almaty; the upload (throttled, so it takes a moment) shows a progress bar that
advances; the operator of almaty-city answers it in the console's Reports tab with the photo
on screen; the citizen's tracking page then shows the answer. Citizen text must stay text in
the operator's browser, and complaints must reach internal security and nobody else.
"""

from __future__ import annotations

import json
import struct
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import aiohttp
import av
import pytest
from playwright.async_api import Browser, BrowserContext, FilePayload, Page, ViewportSize, expect

from domain.roles import Role
from server.settings import Settings
from tests.browser.conftest import watch_errors
from tests.fixtures_app import PASSWORD, Running

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]

PHONE: ViewportSize = {"width": 360, "height": 640}
ALMATY = (43.2389, 76.8897)
XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
# Long enough at this rate for several progress events, short enough for a quick test.
UPLOAD_BYTES_PER_S = 1_000_000
PHOTO_PADDING_SEGMENTS = 24  # x 64 KiB of JPEG comment segments: a ~1.5 MB photo

# Every value the progress bar takes, recorded in the page as it happens.
RECORD_PROGRESS = """
window.__progress = [];
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.getElementById("upload-bar");
  if (!bar) return;
  new MutationObserver(() => window.__progress.push(Number(bar.value)))
    .observe(bar, {attributes: true, attributeFilter: ["data-sent"]});
});
"""


@pytest.fixture
def app_settings(app_settings: Settings, tmp_path: Path) -> Settings:
    """Evidence files of these tests go to the test's own directory."""
    return replace(app_settings, evidence=replace(app_settings.evidence, dir=tmp_path / "evidence"))


# ---------- a real JPEG with Exif GPS ----------
def _rational(value: Fraction) -> bytes:
    return struct.pack(">II", value.numerator, value.denominator)


def _dms(degrees: float) -> bytes:
    d = int(degrees)
    m = int((degrees - d) * 60)
    s = Fraction(round((degrees - d - m / 60) * 3600 * 100), 100)
    return _rational(Fraction(d)) + _rational(Fraction(m)) + _rational(s)


def exif_gps_segment(lat: float, lon: float) -> bytes:
    """An APP1 Exif segment (big-endian TIFF) whose GPS IFD holds lat/lon."""
    gps_ifd = 8 + 2 + 12 + 4  # after the header and IFD0 (one entry)
    data = gps_ifd + 2 + 4 * 12 + 4  # after the GPS IFD (four entries)
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8)
    tiff += (
        struct.pack(">H", 1) + struct.pack(">HHII", 0x8825, 4, 1, gps_ifd) + struct.pack(">I", 0)
    )
    tiff += struct.pack(">H", 4)
    tiff += struct.pack(">HHI", 1, 2, 2) + (b"S" if lat < 0 else b"N") + b"\x00\x00\x00"
    tiff += struct.pack(">HHII", 2, 5, 3, data)
    tiff += struct.pack(">HHI", 3, 2, 2) + (b"W" if lon < 0 else b"E") + b"\x00\x00\x00"
    tiff += struct.pack(">HHII", 4, 5, 3, data + 24)
    tiff += struct.pack(">I", 0)
    tiff += _dms(abs(lat)) + _dms(abs(lon))
    body = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def almaty_photo() -> bytes:
    """A 320x240 JPEG encoded by FFmpeg's mjpeg encoder, Exif GPS in Almaty, padded to ~1.5 MB."""
    codec = av.CodecContext.create("mjpeg", "w")
    assert isinstance(codec, av.VideoCodecContext)
    codec.width, codec.height, codec.pix_fmt = 320, 240, "yuvj420p"
    codec.time_base = Fraction(1, 25)
    frame = av.VideoFrame(320, 240, "yuvj420p")
    for index, plane in enumerate(frame.planes):
        plane.update(bytes([90 + 40 * index]) * plane.buffer_size)
    jpeg = b"".join(bytes(p) for p in [*codec.encode(frame), *codec.encode(None)])
    assert jpeg[:2] == b"\xff\xd8"
    comment = b"\xff\xfe" + struct.pack(">H", 65535) + b"\x00" * 65533
    return jpeg[:2] + exif_gps_segment(*ALMATY) + comment * PHOTO_PADDING_SEGMENTS + jpeg[2:]


# ---------- helpers ----------
async def submit_by_api(running: Running, path: str, fields: dict[str, str]) -> dict[str, Any]:
    form = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields.items():
        form.add_field(name, value)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{running.url}{path}", data=form) as response:
            body: dict[str, Any] = await response.json()
            assert response.status == 201, body
            return body


def almaty_location() -> str:
    lat, lon = ALMATY
    return json.dumps({"lat": lat, "lon": lon, "accuracy_m": 20, "fixed_at": time.time()})


async def sign_in(page: Page, username: str) -> None:
    await page.fill("#login-username", username)
    await page.fill("#login-password", PASSWORD)
    await page.click("#login-submit")


async def console_reports(
    browser: Browser, running: Running, username: str, errors: list[str]
) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    watch_errors(page, errors)
    await page.goto(f"{running.url}/console")
    await sign_in(page, username)
    await page.click("#tab-reports", timeout=10_000)
    await expect(page.locator("#reports-view")).to_be_visible()
    return page


async def throttle_uploads(context: BrowserContext, page: Page) -> None:
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": UPLOAD_BYTES_PER_S,
        },
    )


# ---------- tests ----------
async def test_report_with_photo_is_answered_and_the_citizen_sees_the_answer(
    running: Running, browser: Browser
) -> None:
    await running.add_user("aigerim", centre="almaty-city")
    errors: list[str] = []
    photo = almaty_photo()

    citizen_ctx = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    await citizen_ctx.add_init_script(RECORD_PROGRESS)
    citizen = await citizen_ctx.new_page()
    watch_errors(citizen, errors)
    await citizen.goto(f"{running.url}/")
    await citizen.click("#link-report")
    await expect(citizen).to_have_url(f"{running.url}/report")
    await citizen.select_option("#f-category", "traffic_violation")
    await citizen.fill(
        "#f-description", "A car ran the red light at Abay / Dostyk, plate 123ABC02."
    )
    await citizen.set_input_files(
        "#f-attachments",
        files=[FilePayload(name="red-light.jpg", mimeType="image/jpeg", buffer=photo)],
    )
    await expect(citizen.locator("#attachment-list li")).to_have_count(1)
    # The photo's Exif position is offered, not applied; the citizen accepts it.
    suggestion = citizen.locator("#photo-suggestion")
    await expect(suggestion).to_be_visible(timeout=5_000)
    await expect(suggestion).to_contain_text("43.23890")
    await citizen.click("#btn-use-photo-location")
    await expect(citizen.locator("#location-status")).to_have_attribute("data-state", "set")
    await expect(citizen.locator("#location-status")).to_contain_text("76.88970")
    assert await citizen.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    await throttle_uploads(citizen_ctx, citizen)
    await citizen.click("#btn-submit")
    await expect(citizen.locator("#upload")).to_be_visible()
    await expect(citizen.locator("#case-done")).to_be_visible(timeout=30_000)
    progress: list[float] = await citizen.evaluate("window.__progress")
    assert any(0 < p < 100 for p in progress), progress  # it advanced, not only 0 then done
    assert progress == sorted(progress) and progress[-1] == 100, progress
    number = (await citizen.locator("#done-number").text_content() or "").strip()
    assert number.startswith("R-"), number
    tracking = await citizen.locator("#done-link").get_attribute("href")
    assert tracking and "/track/" in tracking

    console = await console_reports(browser, running, "aigerim", errors)
    item = console.locator(".case-item", has_text=number)
    await expect(item).to_be_visible(timeout=10_000)
    await expect(item.locator(".ci-files")).to_be_visible()  # attachments counted in the list
    await item.click()
    view = console.locator(".case-view")
    await expect(view).to_have_attribute("data-status", "received")
    photo_el = view.locator("img.evidence-photo")
    await expect(photo_el).to_have_count(1)
    await photo_el.scroll_into_view_if_needed()
    loaded = await photo_el.evaluate(
        "img => img.complete && img.naturalWidth > 0 ? img.naturalWidth"
        " : new Promise(r => { img.onload = () => r(img.naturalWidth); img.onerror = () => r(0); })"
    )
    assert loaded == 320
    answer = "Thank you. The driver has been identified and fined."
    await view.locator(".answer-input").fill(answer)
    await view.locator(".btn-answer").click()
    await expect(console.locator(".case-view")).to_have_attribute(
        "data-status", "answered", timeout=10_000
    )

    await citizen.goto(tracking)
    await expect(citizen.locator("#track-status")).to_have_attribute(
        "data-status", "answered", timeout=10_000
    )
    await expect(citizen.locator("#track-answer")).to_have_text(answer)
    await expect(citizen.locator("#track-number")).to_have_text(number)
    assert errors == []


async def test_citizen_markup_stays_text_in_the_operators_browser(
    running: Running, browser: Browser
) -> None:
    await running.add_user("aigerim", centre="almaty-city")
    body = await submit_by_api(
        running,
        "/api/reports",
        {"category": "hooliganism", "description": XSS, "location": almaty_location(), "name": XSS},
    )
    number = body["case"]["number"]
    errors: list[str] = []
    console = await console_reports(browser, running, "aigerim", errors)
    item = console.locator(".case-item", has_text=number)
    await expect(item.locator(".ci-summary")).to_have_text(XSS, timeout=10_000)
    await item.click()
    description = console.locator(".case-view .cv-description")
    await expect(description).to_have_text(XSS)
    await expect(console.locator(".case-view")).to_contain_text(f"{XSS}")  # the contact name, too
    await console.wait_for_timeout(300)  # an injected onerror would have fired by now
    assert await console.evaluate("window.__pwned") is None
    assert (
        await console.locator(".case-view img:not(.evidence-photo), .case-view script").count() == 0
    )
    assert errors == []


async def test_complaints_reach_internal_security_and_no_operator(
    running: Running, browser: Browser
) -> None:
    await running.add_user("aigerim", centre="almaty-city")
    await running.add_user("dana", role=Role.INTERNAL_SECURITY, centre=None)
    officer = "Badge 0451, traffic police, grey uniform"
    complaint = await submit_by_api(
        running,
        "/api/complaints",
        {
            "officer": officer,
            "text": "Asked for money to drop a fine.",
            "location": almaty_location(),
            "anonymous": "true",
        },
    )
    report = await submit_by_api(
        running,
        "/api/reports",
        {
            "category": "night_noise",
            "description": "Loud music at 3 am.",
            "location": almaty_location(),
        },
    )
    c_number, r_number = complaint["case"]["number"], report["case"]["number"]
    errors: list[str] = []

    security_ctx = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    security = await security_ctx.new_page()
    watch_errors(security, errors)
    await security.goto(f"{running.url}/security")
    await sign_in(security, "dana")
    item = security.locator(".case-item", has_text=c_number)
    await expect(item).to_be_visible(timeout=10_000)
    await expect(security.locator(".case-item", has_text=r_number)).to_have_count(0)
    await item.click()
    await expect(security.locator(".case-view .cv-officer")).to_have_text(officer)
    await expect(security.locator(".case-view")).to_contain_text("Anonymous")

    console = await console_reports(browser, running, "aigerim", errors)
    asked: list[str] = []
    console.on("request", lambda request: asked.append(request.url))
    await console.click("#cases-refresh")
    await expect(console.locator(".case-item", has_text=r_number)).to_be_visible(timeout=10_000)
    await expect(console.locator(".case-item")).to_have_count(1)
    page_text = await console.evaluate("document.body.innerText")
    assert c_number not in page_text and officer not in page_text
    assert not [url for url in asked if "complaint" in url]
    # The operator's session opens no complaint view either.
    await console.goto(f"{running.url}/security")
    await expect(console.locator("#login-error")).to_be_visible(timeout=10_000)
    assert c_number not in await console.evaluate("document.body.innerText")
    assert errors == []
