"""What the API shows of a case: to staff (list item, detail) and to the citizen (tracking)."""

from __future__ import annotations

from typing import Any

from domain.cases import CaseKind, summary
from records.models import CaseAttachment, CaseRecord


def case_text(case: CaseRecord) -> str:
    """The text a list shows a few words of."""
    content = case.content
    if case.kind == CaseKind.APPEAL:
        return f"{content.get('subject', '')}: {content.get('text', '')}"
    if case.kind == CaseKind.REPORT:
        return str(content.get("description", ""))
    return str(content.get("text", ""))


def attachment_json(attachment: CaseAttachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "kind": attachment.kind,
        "mime": attachment.mime,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "url": f"/api/attachments/{attachment.id}",
    }


def case_item(case: CaseRecord) -> dict[str, Any]:
    return {
        "id": case.id,
        "number": case.number,
        "kind": case.kind,
        "category": case.category,
        "status": case.status,
        "centre": case.centre,
        "region_code": case.region_code,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "summary": summary(case_text(case)),
        "attachments": case.attachment_count,
        "location": case.location,
    }


def case_detail(case: CaseRecord) -> dict[str, Any]:
    return {
        **case_item(case),
        **case.content,
        "lang": case.lang,
        "anonymous": case.anonymous,
        "contact": None if case.anonymous else case.contact,
        "geo": case.geo,
        "attachments": [attachment_json(a) for a in case.attachments],
        "attachment_count": case.attachment_count,
        "history": [
            {"status": h.status, "at": h.at, "actor": h.actor, "note": h.note}
            for h in case.history
        ],
        "answer": case.answer,
        "answered_at": case.answered_at,
        "answered_by": case.answered_by,
        "links": [
            {"kind": link.kind, "ref": link.ref, "at": link.at, "actor": link.actor}
            for link in case.links
        ],
    }


def tracked_case(case: CaseRecord) -> dict[str, Any]:
    """For the citizen holding the tracking link: status and answer, nothing personal."""
    shown: dict[str, Any] = {"number": case.number, "kind": case.kind}
    if case.kind == CaseKind.REPORT:
        shown["category"] = case.category
    shown.update(
        status=case.status,
        created_at=case.created_at,
        updated_at=case.updated_at,
        answer=case.answer,
        history=[{"status": h.status, "at": h.at} for h in case.history],
    )
    return shown
