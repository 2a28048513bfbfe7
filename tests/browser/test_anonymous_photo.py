"""Staying anonymous strips a photo's metadata on the citizen's own device.

An anonymous complaint filed in the real form with a JPEG that carries Exif GPS (and camera
data): the stored attachment has no metadata segment left, its image data is byte for byte the
original's, and it still decodes.
"""

from __future__ import annotations

import io

import aiohttp
import av
import pytest
from playwright.async_api import Browser, FilePayload, expect

from domain.roles import Role
from tests.browser.conftest import watch_errors
from tests.browser.test_reports_in_browser import PHONE, almaty_photo
from tests.fixtures_app import Running

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]


def segments(jpeg: bytes) -> list[int]:
    """Markers of the JPEG's header segments, up to the image data."""
    found, pos = [], 2
    while jpeg[pos] == 0xFF and jpeg[pos + 1] != 0xDA:
        found.append(jpeg[pos + 1])
        pos += 2 + int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
    return found


def image_data(jpeg: bytes) -> bytes:
    return jpeg[jpeg.index(b"\xff\xda") :]


async def test_anonymous_complaint_photo_loses_its_metadata(
    running: Running, browser: Browser
) -> None:
    await running.add_user("dana", role=Role.INTERNAL_SECURITY, centre=None)
    photo = almaty_photo()
    assert 0xE1 in segments(photo) and 0xFE in segments(photo)  # Exif GPS and comments
    errors: list[str] = []
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = await context.new_page()
    watch_errors(page, errors)
    await page.goto(f"{running.url}/complaint")
    await page.fill("#f-officer", "Badge 0451")
    await page.fill("#f-text", "Asked for money to drop a fine.")
    await page.check("#f-anonymous")
    await expect(page.locator("#anonymous-note")).to_be_visible()
    await page.set_input_files(
        "#f-attachments", files=[FilePayload(name="fine.jpg", mimeType="image/jpeg", buffer=photo)]
    )
    await page.click("#btn-submit")
    await expect(page.locator("#case-done")).to_be_visible(timeout=20_000)
    number = (await page.locator("#done-number").inner_text()).strip()
    assert number.startswith("C-")

    token = await running.login("dana")
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{running.url}/api/cases?kind=complaint") as response:
            (case,) = (await response.json())["cases"]
        async with http.get(f"{running.url}/api/cases/{case['id']}") as response:
            (attachment,) = (await response.json())["case"]["attachments"]
        async with http.get(f"{running.url}{attachment['url']}") as response:
            stored = await response.read()
    assert segments(stored) and 0xE1 not in segments(stored) and 0xFE not in segments(stored)
    assert b"Exif" not in stored[: stored.index(b"\xff\xda")]
    assert image_data(stored) == image_data(photo)
    assert len(stored) < len(photo) // 10  # the padding comments went too
    with av.open(io.BytesIO(stored), mode="r") as container:
        (frame,) = list(container.decode(video=0))
        assert (frame.width, frame.height) == (320, 240)
    assert errors == []
    await context.close()
