"""The anonymous citizen side: file a report, an appeal or a complaint; follow it by link.

Nothing here logs or stores the sender's address or user agent (the tracking rate limiter
keeps addresses in memory for a minute, never for submissions). Complaints are not even
mentioned in the server log: their count alone is for internal security only.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import uuid
from typing import Any

from aiohttp import web

from cases.forms import PARSERS, CaseForm
from cases.upload import read_submission
from cases.views import tracked_case
from domain.cases import CaseKind, CaseStatus
from domain.errors import Error102, NotFound, RateLimited
from evidence.store import StagedFile, StoredFile
from records.models import CaseAttachment, CaseRecord
from server.http_errors import error_response
from server.keys import EVIDENCE, GEO, RECORDS, SETTINGS, SUBMIT_LIMITER, TRACK_LIMITER
from server.log import SERVER

# 32 URL-safe characters: 192 random bits.
TOKEN_BYTES = 24
TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")


def tracking_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _route(request: web.Request, form: CaseForm) -> tuple[str, str | None, dict[str, Any] | None]:
    """Centre, region and geo answer for where it happened (fallback centre if unknown)."""
    if form.location is None:
        return request.app[SETTINGS].centres.fallback, None, None
    where = form.location
    geo = request.app[GEO].locate(where.lat, where.lon, where.accuracy_m).to_dict()
    return str(geo["centre"]), geo["region_code"], geo


async def _submit(request: web.Request, kind: CaseKind) -> web.Response:
    store = request.app[EVIDENCE]
    try:
        if not request.app[SUBMIT_LIMITER].allow(request.remote or "unknown"):
            raise RateLimited("too many submissions from this connection; wait a minute")
        submission = await read_submission(request, store)
    except Error102 as exc:
        # Refused mid-body: answer now and drop the connection rather than drain the rest.
        response = error_response(exc)
        response.force_close()
        return response
    now = time.time()
    pending: list[StagedFile | StoredFile] = list(submission.files)
    try:
        form = PARSERS[kind](submission.fields, now=now)
        centre, region_code, geo = _route(request, form)
        attachments: list[CaseAttachment] = []
        case_id = uuid.uuid4().hex
        for staged in submission.files:
            stored = await store.commit(staged)
            pending[pending.index(staged)] = stored
            attachments.append(
                CaseAttachment(
                    id=uuid.uuid4().hex,
                    case_id=case_id,
                    kind=stored.media.kind.value,
                    mime=stored.media.mime,
                    size=stored.size,
                    sha256=stored.sha256,
                    created_at=now,
                )
            )
        token = secrets.token_urlsafe(TOKEN_BYTES)
        case = await request.app[RECORDS].create_case(
            CaseRecord(
                id=case_id,
                number="",
                kind=kind.value,
                status=CaseStatus.RECEIVED.value,
                centre=centre,
                created_at=now,
                updated_at=now,
                tracking_hash=tracking_hash(token),
                content=form.content,
                anonymous=form.anonymous,
                category=None if form.category is None else form.category.value,
                region_code=region_code,
                lang=form.lang,
                contact=form.contact,
                location=None if form.location is None else form.location.to_dict(),
                geo=geo,
            ),
            attachments,
        )
    except BaseException:
        await store.discard(pending)
        raise
    if kind is not CaseKind.COMPLAINT:
        SERVER.info(
            "%s %s received for %s with %d attachment(s)",
            kind.value, case.number, centre, len(attachments),
        )
    return web.json_response(
        {
            "ok": True,
            "case": {
                "number": case.number,
                "kind": case.kind,
                "status": case.status,
                "created_at": case.created_at,
            },
            "tracking": {"token": token, "url": f"/track/{token}"},
        },
        status=201,
    )


async def submit_report(request: web.Request) -> web.Response:
    return await _submit(request, CaseKind.REPORT)


async def submit_appeal(request: web.Request) -> web.Response:
    return await _submit(request, CaseKind.APPEAL)


async def submit_complaint(request: web.Request) -> web.Response:
    return await _submit(request, CaseKind.COMPLAINT)


async def track(request: web.Request) -> web.Response:
    if not request.app[TRACK_LIMITER].allow(request.remote or "unknown"):
        raise RateLimited("too many status lookups; wait a minute")
    token = request.match_info["token"]
    case = None
    if TOKEN.fullmatch(token):
        case = await request.app[RECORDS].get_case_by_tracking(tracking_hash(token))
    if case is None:
        raise NotFound("no case has this tracking link")
    return web.json_response(
        {"ok": True, "case": tracked_case(case)}, headers={"Cache-Control": "no-store"}
    )
