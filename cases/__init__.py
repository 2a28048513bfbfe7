"""Citizen reports, appeals and internal-security complaints: HTTP routes and pages.

``setup(app)`` adds the routes, the evidence store (its directory made in a cleanup_ctx)
and the tracking-lookup rate limiter. See docs/protocol.md, "Reports, appeals and
complaints".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web

from cases import citizen, staff
from evidence.store import EvidenceLimits, EvidenceStore
from server.keys import EVIDENCE, SETTINGS, SUBMIT_LIMITER, TRACK_LIMITER
from signaling.ratelimit import RateLimiter

# Page path -> file under static/ (the front-end builds these).
PAGES = {
    "/report": "report.html",
    "/appeal": "appeal.html",
    "/complaint": "complaint.html",
    "/security": "security.html",
    "/admin/audit": "admin-audit.html",
}
CASE_ID = r"{case_id:[0-9a-f]{32}}"


def _page(path: Path) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(path, headers={"Cache-Control": "no-cache"})

    return handler


def setup(app: web.Application) -> None:
    settings = app[SETTINGS]
    evidence = settings.evidence
    store = EvidenceStore(
        evidence.dir,
        EvidenceLimits(
            max_photo_bytes=evidence.max_photo_bytes,
            max_video_bytes=evidence.max_video_bytes,
            max_attachments=evidence.max_attachments,
        ),
    )
    app[EVIDENCE] = store
    per_min = float(evidence.track_lookups_per_min)
    app[TRACK_LIMITER] = RateLimiter(rate_per_s=per_min / 60, burst=per_min)
    # Flood guard on submissions, keyed by address in memory only (never stored or logged,
    # so an anonymous complaint stays anonymous).
    app[SUBMIT_LIMITER] = RateLimiter(
        rate_per_s=evidence.submissions_per_min / 60, burst=float(evidence.submissions_burst)
    )

    async def evidence_ctx(app: web.Application) -> AsyncIterator[None]:
        await store.prepare()
        yield

    app.cleanup_ctx.append(evidence_ctx)

    static = settings.server.static_dir
    for path, filename in PAGES.items():
        app.router.add_get(path, _page(static / filename))
    app.router.add_get("/track/{token}", _page(static / "track.html"))

    app.router.add_post("/api/reports", citizen.submit_report)
    app.router.add_post("/api/appeals", citizen.submit_appeal)
    app.router.add_post("/api/complaints", citizen.submit_complaint)
    app.router.add_get("/api/track/{token}", citizen.track)

    app.router.add_get("/api/cases", staff.list_cases)
    app.router.add_get(f"/api/cases/{CASE_ID}", staff.get_case)
    app.router.add_post(f"/api/cases/{CASE_ID}/status", staff.set_status)
    app.router.add_post(f"/api/cases/{CASE_ID}/answer", staff.answer)
    app.router.add_post(f"/api/cases/{CASE_ID}/link", staff.link)
    app.router.add_get(r"/api/attachments/{attachment_id:[0-9a-f]{32}}", staff.attachment)
    app.router.add_get("/api/audit", staff.audit_log)
