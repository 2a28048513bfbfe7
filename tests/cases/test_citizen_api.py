"""The citizen channels over real HTTP: each channel, tracking, and every refusal."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from server.keys import RECORDS, SUBMIT_LIMITER
from tests.cases.conftest import (
    ASTANA,
    PHOTO_LIMIT,
    VIDEO_LIMIT,
    Api,
    jpeg,
    mp4,
    png,
    report_fields,
)


async def test_report_with_photo_and_video_is_routed_stored_and_tracked(api: Api) -> None:
    photo, video = jpeg(50_000), mp4(300_000)
    status, body = await api.post_form(
        "/api/reports",
        report_fields(name="Aigerim", phone="+7 701 123 45 67"),
        [("car.jpg", photo), ("clip.mp4", video)],
    )
    assert status == 201, body
    case = body["case"]
    assert case["kind"] == "report" and case["status"] == "received"
    assert case["number"].startswith(f"R-{time.gmtime().tm_year}-")
    token = body["tracking"]["token"]
    assert len(token) >= 22 and body["tracking"]["url"] == f"/track/{token}"

    stored = await api.running.app[RECORDS].get_case_by_tracking(
        hashlib.sha256(token.encode()).hexdigest()
    )
    assert stored is not None
    assert stored.centre == "almaty-city" and stored.region_code == "KZ-75"
    assert stored.contact == {"name": "Aigerim", "phone": "+7 701 123 45 67"}
    assert [(a.kind, a.mime, a.size) for a in stored.attachments] == [
        ("photo", "image/jpeg", len(photo)),
        ("video", "video/mp4", len(video)),
    ]
    for attachment, content in zip(stored.attachments, (photo, video), strict=True):
        assert attachment.sha256 == hashlib.sha256(content).hexdigest()
        assert api.evidence.path_of(attachment.sha256).read_bytes() == content
    assert api.evidence.temp_files() == []

    status, tracked = await api.get(f"/api/track/{token}")
    assert status == 200
    assert tracked["case"]["number"] == case["number"]
    assert tracked["case"]["category"] == "traffic_violation"
    assert tracked["case"]["answer"] is None
    assert [h["status"] for h in tracked["case"]["history"]] == ["received"]
    assert "Aigerim" not in json.dumps(tracked) and "123 45 67" not in json.dumps(tracked)
    assert set(tracked["case"]) == {
        "number",
        "kind",
        "category",
        "status",
        "created_at",
        "updated_at",
        "answer",
        "history",
    }


async def test_report_without_location_goes_to_the_fallback_centre(api: Api) -> None:
    fields = report_fields()
    del fields["location"]
    status, body = await api.post_form("/api/reports", fields)
    assert status == 201, body
    cases = await api.running.app[RECORDS].list_cases(["report"])
    assert cases[0].centre == "national" and cases[0].location is None


async def test_appeal_needs_contact_and_is_routed_by_location(api: Api) -> None:
    fields = {
        "subject": "Streetlights",
        "text": "The street has been dark for a week",
        "contact_name": "Daniyar",
        "location": json.dumps(ASTANA),
    }
    status, body = await api.post_form("/api/appeals", fields)
    assert (status, body["error"]["code"]) == (400, "invalid_payload")
    assert "contact_phone or contact_email" in body["error"]["message"]

    status, body = await api.post_form("/api/appeals", {**fields, "contact_email": "d@mail.kz"})
    assert status == 201, body
    assert body["case"]["number"].startswith("A-") and body["case"]["kind"] == "appeal"
    cases = await api.running.app[RECORDS].list_cases(["appeal"])
    assert cases[0].centre == "astana"
    assert cases[0].contact == {"name": "Daniyar", "email": "d@mail.kz"}


async def test_anonymous_complaint_stores_no_contact(api: Api) -> None:
    fields = {
        "officer": "badge 0457",
        "unit": "Patrol battalion 2",
        "place": "Abai avenue",
        "text": "Asked for money to not write a fine",
        "anonymous": "true",
        "contact_name": "Should not be kept",
        "contact_phone": "+77010000000",
    }
    status, body = await api.post_form("/api/complaints", fields, [("p.png", png())])
    assert status == 201, body
    assert body["case"]["number"].startswith("C-")
    stored = (await api.running.app[RECORDS].list_cases(["complaint"]))[0]
    assert stored.anonymous and stored.contact is None
    full = await api.running.app[RECORDS].get_case(stored.id)
    assert full is not None
    assert "Should not be kept" not in json.dumps(full.content)
    assert "77010000000" not in json.dumps(full.content)

    named = {**fields, "anonymous": "false"}
    status, body = await api.post_form("/api/complaints", named)
    assert status == 201, body
    named_case = (await api.running.app[RECORDS].list_cases(["complaint"]))[0]
    assert named_case.contact == {"name": "Should not be kept", "phone": "+77010000000"}


async def test_missing_and_invalid_fields_are_named(api: Api) -> None:
    checks = [
        ("/api/reports", {**report_fields(), "category": ""}, "category"),
        ("/api/reports", {**report_fields(), "category": "jaywalking"}, "category"),
        ("/api/reports", {**report_fields(), "description": "   "}, "description"),
        ("/api/reports", {**report_fields(), "description": "x" * 5001}, "description"),
        (
            "/api/reports",
            {**report_fields(), "occurred_at": str(time.time() + 3600)},
            "occurred_at",
        ),
        ("/api/reports", {**report_fields(), "location": '{"lat": 999, "lon": 1}'}, "location"),
        ("/api/reports", {**report_fields(), "lang": "de"}, "lang"),
        ("/api/appeals", {"text": "t", "contact_name": "n", "contact_phone": "+7701"}, "subject"),
        ("/api/complaints", {"text": "t", "anonymous": "true"}, "officer"),
        ("/api/complaints", {"officer": "o", "text": "t", "anonymous": "maybe"}, "anonymous"),
        ("/api/complaints", {"officer": "o", "text": "t", "anonymous": "false"}, "contact_name"),
    ]
    for path, fields, name in checks:
        status, body = await api.post_form(path, fields)
        assert (status, body["error"]["code"]) == (400, "invalid_payload"), (name, body)
        assert name in body["error"]["message"], (name, body)
    assert await api.running.app[RECORDS].list_cases(["report", "appeal", "complaint"]) == []


async def test_text_file_named_photo_jpg_is_refused_by_content(api: Api) -> None:
    status, body = await api.post_form(
        "/api/reports",
        report_fields(),
        [("ok.jpg", jpeg()), ("photo.jpg", b"just some text, honestly a photo\n" * 10)],
    )
    assert (status, body["error"]["code"]) == (415, "unsupported_media_type")
    assert await api.running.app[RECORDS].list_cases(["report"]) == []
    assert api.evidence_files() == []


async def test_too_many_files(api: Api) -> None:
    files = [(f"{i}.jpg", jpeg(seed=i)) for i in range(6)]
    status, body = await api.post_form("/api/reports", report_fields(), files)
    assert (status, body["error"]["code"]) == (400, "too_many_files")
    assert api.evidence_files() == []


async def test_file_over_its_type_limit_is_refused_while_streaming(api: Api) -> None:
    # A photo may be 256 KiB here, a video 1 MiB: a 300 KiB JPEG is too big, a 300 KiB MP4 not.
    status, body = await api.post_form(
        "/api/reports", report_fields(), [("big.jpg", jpeg(PHOTO_LIMIT + 1))]
    )
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    status, body = await api.post_form(
        "/api/reports", report_fields(), [("v.mp4", mp4(VIDEO_LIMIT + 1))]
    )
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    assert api.evidence_files() == []
    assert await api.running.app[RECORDS].list_cases(["report"]) == []


async def _raw_request(
    api: Api, head: bytes, body: bytes
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    url = urlsplit(api.running.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write(head + body)
    await writer.drain()
    return reader, writer


def _multipart_head(length: int, boundary: str = "XyZ") -> bytes:
    return (
        f"POST /api/reports HTTP/1.1\r\nHost: x\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


async def test_oversized_body_is_refused_before_it_is_read(api: Api) -> None:
    announced = 5 * VIDEO_LIMIT + 2 * 1024 * 1024  # over every file limit together
    preamble = b'--XyZ\r\nContent-Disposition: form-data; name="category"\r\n\r\nfight\r\n'
    reader, writer = await _raw_request(api, _multipart_head(announced), preamble)
    try:
        async with asyncio.timeout(5):
            status_line = await reader.readline()
            rest = await reader.read(4096)
    finally:
        writer.close()
    assert status_line.startswith(b"HTTP/1.1 413"), status_line
    assert b'"payload_too_large"' in rest
    # The server answered after ~60 bytes of a body announced as 7 MiB, and closes.
    assert await api.running.app[RECORDS].list_cases(["report"]) == []


async def _until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Poll the file system (there is no event to wait on) until ``condition`` holds."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


async def test_interrupted_upload_leaves_no_case_and_no_file(api: Api) -> None:
    fields = b"".join(
        b'--XyZ\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (k.encode(), v.encode())
        for k, v in report_fields().items()
    )
    first_file = (
        b'--XyZ\r\nContent-Disposition: form-data; name="attachments"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + jpeg(40_000) + b"\r\n"
    )
    second_start = (
        b'--XyZ\r\nContent-Disposition: form-data; name="attachments"; filename="b.mp4"\r\n'
        b"Content-Type: video/mp4\r\n\r\n" + mp4(200_000)
    )
    sent = fields + first_file + second_start
    announced = len(sent) + 500_000  # the rest of the video never comes
    _, writer = await _raw_request(api, _multipart_head(announced), sent)
    # Wait until the server has the second file under a temporary name, then vanish.
    await _until(lambda: bool(api.evidence.temp_files()))
    writer.transport.abort()
    await _until(lambda: not api.evidence.temp_files())
    await asyncio.sleep(0.1)
    assert api.evidence_files() == []
    assert await api.running.app[RECORDS].list_cases(["report"]) == []


async def test_tracking_unknown_token_and_rate_limit(api: Api) -> None:
    status, body = await api.get("/api/track/" + "A" * 32)
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = await api.get("/api/track/not-a-token!")
    assert (status, body["error"]["code"]) == (404, "not_found")
    codes = [(await api.get("/api/track/" + "B" * 32))[0] for _ in range(30)]
    assert codes.count(404) >= 27 and codes[-1] == 429
    status, body = await api.get("/api/track/" + "B" * 32)
    assert (status, body["error"]["code"]) == (429, "rate_limited")


async def test_not_multipart_is_refused(api: Api) -> None:
    status, body = await api.post_json("/api/reports", report_fields())
    assert (status, body["error"]["code"]) == (400, "invalid_payload")


async def test_pages_are_served_with_a_content_security_policy(api: Api) -> None:
    pages = ("/report", "/appeal", "/complaint", "/track/" + "C" * 32, "/security", "/admin/audit")
    for path in pages:
        async with api.http.get(api.running.url + path) as resp:
            assert resp.status == 200, path
            assert resp.content_type == "text/html"
            assert "script-src" in resp.headers["Content-Security-Policy"] or (
                "default-src 'self'" in resp.headers["Content-Security-Policy"]
            )


async def test_submission_flood_is_limited_without_losing_what_was_filed(api: Api) -> None:
    limiter = api.running.app[SUBMIT_LIMITER]
    limiter.burst, limiter.rate_per_s = 10.0, 0.1  # the defaults of config.yaml
    statuses = [(await api.post_form("/api/reports", report_fields()))[0] for _ in range(12)]
    assert statuses[:10] == [201] * 10
    assert statuses[-1] == 429
    status, body = await api.post_form("/api/reports", report_fields())
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    cases = await api.running.app[RECORDS].list_cases(["report"], limit=100)
    assert len(cases) == 10
