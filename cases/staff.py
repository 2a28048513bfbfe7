"""The staff side: triage lists, one case, status, answer, links, evidence files, audit log.

Every route asks ``domain.cases.may_read`` through ``_readable_case``: a case the user may not
read answers 404 exactly like one that does not exist, so complaint ids cannot be probed.
Every read of a case or an attachment is audited; an audit entry about a complaint carries
no content, not even its number.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from cases.views import case_detail, case_item
from domain.cases import (
    CaseKind,
    CaseStatus,
    may_read,
    next_status,
    path_to,
    readable_kinds,
)
from domain.errors import Forbidden, InvalidInput, NotFound, StorageError, UnknownCall
from domain.roles import Role
from records.models import CaseRecord
from server.auth import current_staff
from server.http_errors import json_body
from server.keys import EVIDENCE, RECORDS
from server.log import SERVER
from signaling.operators import StaffUser

CASE_ROLES = (Role.OPERATOR, Role.SUPERVISOR, Role.INTERNAL_SECURITY)
MAX_JSON_BYTES = 64 * 1024
NOTE_CHARS = 1000
ANSWER_CHARS = 10000
INCIDENT_CHARS = 200
STATUS_CHOICES = f"status must be one of {', '.join(s.value for s in CaseStatus)}"


def _string(data: dict[str, Any], name: str, limit: int, *, required: bool) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character")
    return value


def _audit_detail(case: CaseRecord, **extra: Any) -> dict[str, Any]:
    # Admins read the audit log: of a complaint it shows that something happened, nothing more.
    if case.kind == CaseKind.COMPLAINT:
        return {"kind": case.kind}
    return {"kind": case.kind, "number": case.number, **extra}


async def _readable_case(request: web.Request, user: StaffUser, case_id: str) -> CaseRecord:
    case = await request.app[RECORDS].get_case(case_id)
    if case is None or not may_read(user.role, CaseKind(case.kind), user.centre, case.centre):
        raise NotFound(f"no case {case_id}")
    return case


async def list_cases(request: web.Request) -> web.Response:
    user = await current_staff(request, CASE_ROLES)
    allowed = readable_kinds(user.role)
    kinds = set(allowed)
    raw_kind = request.query.get("kind")
    if raw_kind:
        try:
            kind = CaseKind(raw_kind)
        except ValueError:
            raise InvalidInput("kind must be report, appeal or complaint") from None
        if kind not in allowed:
            raise Forbidden(f"{user.role.value} may not read {kind.value}s")
        kinds = {kind}
    status = request.query.get("status") or None
    if status is not None and status not in CaseStatus._value2member_map_:
        raise InvalidInput(STATUS_CHOICES)
    try:
        limit = int(request.query.get("limit", "50"))
    except ValueError:
        raise InvalidInput("limit must be a number") from None
    if not 1 <= limit <= 500:
        raise InvalidInput("limit must be between 1 and 500")
    if CaseKind.COMPLAINT in kinds:
        centre = None  # internal security works across every centre
    elif user.centre is None:
        return web.json_response({"ok": True, "cases": []})
    else:
        centre = user.centre
    cases = await request.app[RECORDS].list_cases(
        [k.value for k in kinds], centre=centre, status=status, limit=limit
    )
    if CaseKind.COMPLAINT in kinds:
        await request.app[RECORDS].audit(user.id, "case.list", None, {"kind": "complaint"})
    return web.json_response({"ok": True, "cases": [case_item(c) for c in cases]})


async def get_case(request: web.Request) -> web.Response:
    user = await current_staff(request, CASE_ROLES)
    case = await _readable_case(request, user, request.match_info["case_id"])
    await request.app[RECORDS].audit(user.id, "case.read", f"case:{case.id}", _audit_detail(case))
    return web.json_response({"ok": True, "case": case_detail(case)})


async def set_status(request: web.Request) -> web.Response:
    user = await current_staff(request, CASE_ROLES)
    case = await _readable_case(request, user, request.match_info["case_id"])
    data = await json_body(request, MAX_JSON_BYTES)
    raw = _string(data, "status", 32, required=True) or ""
    try:
        target = CaseStatus(raw)
    except ValueError:
        raise InvalidInput(STATUS_CHOICES) from None
    note = _string(data, "note", NOTE_CHARS, required=False)
    next_status(CaseStatus(case.status), target)
    updated = await request.app[RECORDS].advance_case(
        case.id, case.status, [target.value], actor=user.id, at=time.time(), note=note
    )
    await request.app[RECORDS].audit(
        user.id, "case.status", f"case:{case.id}",
        _audit_detail(case, **{"from": case.status, "to": target.value}),
    )
    return web.json_response({"ok": True, "case": case_detail(updated)})


async def answer(request: web.Request) -> web.Response:
    user = await current_staff(request, CASE_ROLES)
    case = await _readable_case(request, user, request.match_info["case_id"])
    data = await json_body(request, MAX_JSON_BYTES)
    text = _string(data, "text", ANSWER_CHARS, required=True) or ""
    steps = path_to(CaseStatus(case.status), CaseStatus.ANSWERED)
    updated = await request.app[RECORDS].advance_case(
        case.id, case.status, [s.value for s in steps], actor=user.id, at=time.time(),
        answer=text,
    )
    await request.app[RECORDS].audit(
        user.id, "case.answer", f"case:{case.id}", _audit_detail(case, **{"from": case.status})
    )
    return web.json_response({"ok": True, "case": case_detail(updated)})


async def link(request: web.Request) -> web.Response:
    user = await current_staff(request, CASE_ROLES)
    case = await _readable_case(request, user, request.match_info["case_id"])
    data = await json_body(request, MAX_JSON_BYTES)
    call_id = _string(data, "call_id", 64, required=False)
    incident = _string(data, "incident", INCIDENT_CHARS, required=False)
    if (call_id is None) == (incident is None):
        raise InvalidInput("send either call_id or incident")
    records = request.app[RECORDS]
    if call_id is not None:
        if await records.get_call(call_id) is None:
            raise UnknownCall(f"no recorded call {call_id}")
        kind, ref = "call", call_id
    else:
        assert incident is not None  # exactly one of the two is set
        kind, ref = "incident", incident
    await records.add_case_link(case.id, kind, ref, actor=user.id, at=time.time())
    await records.audit(
        user.id, "case.link", f"case:{case.id}", _audit_detail(case, link=kind, ref=ref)
    )
    updated = await _readable_case(request, user, case.id)
    return web.json_response({"ok": True, "case": case_detail(updated)})


async def attachment(request: web.Request) -> web.StreamResponse:
    user = await current_staff(request, CASE_ROLES)
    attachment_id = request.match_info["attachment_id"]
    found = await request.app[RECORDS].get_attachment(attachment_id)
    if found is None:
        raise NotFound(f"no attachment {attachment_id}")
    try:
        case = await _readable_case(request, user, found.case_id)
    except NotFound:
        raise NotFound(f"no attachment {attachment_id}") from None
    path = request.app[EVIDENCE].path_of(found.sha256)
    if not path.is_file():
        SERVER.error("evidence file %s of attachment %s is missing", found.sha256, found.id)
        raise StorageError("the evidence file is missing from the store")
    await request.app[RECORDS].audit(
        user.id, "attachment.read", f"attachment:{found.id}",
        {"case": case.id, **_audit_detail(case), "range": request.headers.get("Range")},
    )
    return web.FileResponse(
        path,
        headers={
            "Content-Type": found.mime,
            "Content-Disposition": "inline",
            "X-Content-Type-Options": "nosniff",
            # Opened on its own, the file may not run anything, whatever it turns out to be.
            "Content-Security-Policy": "default-src 'none'; media-src 'self'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


async def audit_log(request: web.Request) -> web.Response:
    await current_staff(request, (Role.ADMIN,))
    try:
        limit = int(request.query.get("limit", "100"))
    except ValueError:
        raise InvalidInput("limit must be a number") from None
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000")
    subject = request.query.get("subject") or None
    if subject is not None and len(subject) > 200:
        raise InvalidInput("subject is longer than 200 characters")
    entries = await request.app[RECORDS].list_audit(limit, subject)
    return web.json_response(
        {
            "ok": True,
            "entries": [
                {
                    "id": e.id,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "subject": e.subject,
                    "detail": e.detail,
                }
                for e in entries
            ],
        }
    )
