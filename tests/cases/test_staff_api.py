"""Staff routes: triage, one case, status, answer, links, evidence, audit — and who sees what."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import aiohttp

from domain.roles import Role
from records.models import CallRecord
from server.keys import RECORDS
from tests.cases.conftest import ASTANA, Api, jpeg, mp4, report_fields

COMPLAINT = {
    "officer": "badge 0457",
    "text": "Demanded money at a checkpoint",
    "anonymous": "true",
}


async def _file(api: Api, path: str, fields: dict[str, str], files: Any = ()) -> dict[str, Any]:
    status, body = await api.post_form(path, fields, files)
    assert status == 201, body
    return dict(body)


async def _case_id(api: Api, number: str) -> str:
    cases = await api.running.app[RECORDS].list_cases(["report", "appeal", "complaint"])
    return next(c.id for c in cases if c.number == number)


async def test_operator_triages_opens_views_evidence_and_answers(api: Api) -> None:
    photo, video = jpeg(30_000), mp4(200_000)
    filed = await _file(api, "/api/reports", report_fields(), [("a.jpg", photo), ("b.mp4", video)])
    await _file(api, "/api/reports", report_fields(location=json.dumps(ASTANA)))
    await _file(
        api,
        "/api/appeals",
        {
            "subject": "Noise",
            "text": "Every night",
            "contact_name": "A",
            "contact_phone": "+77011112233",
            "location": report_fields()["location"],
        },
    )
    token = filed["tracking"]["token"]
    operator = await api.staff("op1", Role.OPERATOR, "almaty-city")

    status, body = await api.get("/api/cases", operator)
    assert status == 200
    kinds = [(c["kind"], c["centre"]) for c in body["cases"]]
    assert kinds == [("appeal", "almaty-city"), ("report", "almaty-city")]  # newest first
    item = body["cases"][1]
    assert item["number"] == filed["case"]["number"]
    assert item["attachments"] == 2 and item["category"] == "traffic_violation"
    assert item["summary"] == "A car parked on the tram line" and item["location"]["lat"] == 43.2389

    status, body = await api.get("/api/cases?kind=report&status=received&limit=5", operator)
    assert [c["kind"] for c in body["cases"]] == ["report"]

    status, body = await api.get(f"/api/cases/{item['id']}", operator)
    assert status == 200
    case = body["case"]
    assert case["description"] == "A car parked on the tram line"
    assert case["geo"]["region_code"] == "KZ-75"
    assert [a["mime"] for a in case["attachments"]] == ["image/jpeg", "video/mp4"]

    photo_url, video_url = (a["url"] for a in case["attachments"])
    headers = {"Authorization": f"Bearer {operator}"}
    async with api.http.get(api.running.url + photo_url, headers=headers) as resp:
        assert resp.status == 200 and await resp.read() == photo
        assert resp.headers["Content-Type"] == "image/jpeg"
        assert resp.headers["Content-Disposition"] == "inline"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    async with api.http.get(
        api.running.url + video_url, headers={**headers, "Range": "bytes=1000-1999"}
    ) as resp:
        assert resp.status == 206 and await resp.read() == video[1000:2000]
        assert resp.headers["Content-Type"] == "video/mp4"

    status, body = await api.post_json(
        f"/api/cases/{item['id']}/answer", {"text": "A fine was issued"}, operator
    )
    assert status == 200, body
    assert body["case"]["status"] == "answered"
    status, tracked = await api.get(f"/api/track/{token}")
    assert tracked["case"]["status"] == "answered"
    assert tracked["case"]["answer"] == "A fine was issued"
    assert [h["status"] for h in tracked["case"]["history"]] == [
        "received",
        "assigned",
        "in_progress",
        "answered",
    ]

    audit = await api.running.app[RECORDS].list_audit(50)
    actions = [(e.action, e.subject) for e in audit]
    assert ("case.read", f"case:{item['id']}") in actions
    assert ("case.answer", f"case:{item['id']}") in actions
    reads = [e for e in audit if e.action == "attachment.read"]
    assert len(reads) == 2 and {e.detail["case"] for e in reads} == {item["id"]}


async def test_status_transitions_and_links(api: Api) -> None:
    await _file(api, "/api/reports", report_fields())
    operator = await api.staff("op2", Role.OPERATOR, "almaty-city")
    case_id = (await api.get("/api/cases", operator))[1]["cases"][0]["id"]
    path = f"/api/cases/{case_id}"

    status, body = await api.post_json(f"{path}/status", {"status": "answered"}, operator)
    assert (status, body["error"]["code"]) == (409, "illegal_transition")
    status, body = await api.post_json(f"{path}/status", {"status": "bogus"}, operator)
    assert (status, body["error"]["code"]) == (400, "invalid_payload")
    for target in ("assigned", "in_progress"):
        status, body = await api.post_json(
            f"{path}/status", {"status": target, "note": f"now {target}"}, operator
        )
        assert status == 200 and body["case"]["status"] == target

    await api.running.app[RECORDS].create_call(
        CallRecord(id="c" * 32, centre="almaty-city", media="video", created_at=time.time())
    )
    status, body = await api.post_json(f"{path}/link", {"call_id": "c" * 32}, operator)
    assert status == 200 and body["case"]["links"][0]["ref"] == "c" * 32
    status, body = await api.post_json(f"{path}/link", {"incident": "INC-77"}, operator)
    assert [link["kind"] for link in body["case"]["links"]] == ["call", "incident"]
    status, body = await api.post_json(f"{path}/link", {"call_id": "d" * 32}, operator)
    assert (status, body["error"]["code"]) == (404, "unknown_call")
    status, body = await api.post_json(f"{path}/link", {}, operator)
    assert (status, body["error"]["code"]) == (400, "invalid_payload")

    status, body = await api.post_json(f"{path}/status", {"status": "closed"}, operator)
    assert body["case"]["status"] == "closed"
    status, body = await api.post_json(f"{path}/answer", {"text": "late"}, operator)
    assert (status, body["error"]["code"]) == (409, "illegal_transition")
    history = (await api.get(path, operator))[1]["case"]["history"]
    assert [(h["status"], h["note"]) for h in history] == [
        ("received", None),
        ("assigned", "now assigned"),
        ("in_progress", "now in_progress"),
        ("closed", None),
    ]


async def test_reports_of_another_centre_are_invisible(api: Api) -> None:
    await _file(api, "/api/reports", report_fields(location=json.dumps(ASTANA)))
    almaty = await api.staff("op3", Role.OPERATOR, "almaty-city")
    astana_supervisor = await api.staff("sup3", Role.SUPERVISOR, "astana")
    case_id = (await api.get("/api/cases", astana_supervisor))[1]["cases"][0]["id"]
    assert (await api.get("/api/cases", almaty))[1]["cases"] == []
    status, body = await api.get(f"/api/cases/{case_id}", almaty)
    assert (status, body["error"]["code"]) == (404, "not_found")


async def test_nobody_but_internal_security_reaches_a_complaint(api: Api) -> None:
    """The role x route matrix: list, counts, detail, attachment, status, answer, link, audit."""
    photo = jpeg(20_000, seed=9)
    await _file(api, "/api/complaints", COMPLAINT, [("p.jpg", photo)])
    await _file(api, "/api/reports", report_fields())
    security = await api.staff("is1", Role.INTERNAL_SECURITY, None)
    status, body = await api.get("/api/cases", security)
    assert status == 200 and [c["kind"] for c in body["cases"]] == ["complaint"]
    complaint_id = body["cases"][0]["id"]
    detail = (await api.get(f"/api/cases/{complaint_id}", security))[1]["case"]
    attachment_url = detail["attachments"][0]["url"]
    assert detail["contact"] is None and detail["anonymous"] is True

    outsiders = {
        "operator": await api.staff("op4", Role.OPERATOR, "almaty-city"),
        "supervisor": await api.staff("sup4", Role.SUPERVISOR, "almaty-city"),
        "admin": await api.staff("adm4", Role.ADMIN, None),
        "anonymous": None,
    }
    expected_status = {"operator": 404, "supervisor": 404, "admin": 403, "anonymous": 401}
    case_path = f"/api/cases/{complaint_id}"
    for role, token in outsiders.items():
        want = expected_status[role]
        # Lists: never a complaint, and asking for complaints is refused.
        status, body = await api.get("/api/cases", token)
        if status == 200:
            assert all(c["kind"] != "complaint" for c in body["cases"]), role
            assert "Demanded" not in json.dumps(body)
        else:
            assert status in (401, 403), role
        status, body = await api.get("/api/cases?kind=complaint", token)
        assert status == (401 if token is None else 403), role
        # Detail, attachment and every change: as if the complaint did not exist.
        for method, path, payload in (
            ("GET", case_path, None),
            ("GET", attachment_url, None),
            ("POST", f"{case_path}/status", {"status": "assigned"}),
            ("POST", f"{case_path}/answer", {"text": "x"}),
            ("POST", f"{case_path}/link", {"incident": "x"}),
        ):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with api.http.request(
                method, api.running.url + path, json=payload, headers=headers
            ) as resp:
                text = await resp.text()
                assert resp.status == want, (role, method, path, resp.status, text)
                assert "Demanded" not in text and "0457" not in text
                assert json.loads(text)["ok"] is False
        # Audit log is for admins only.
        status, _ = await api.get("/api/audit", token)
        assert status == (200 if role == "admin" else 401 if token is None else 403), role

    # Internal security can work on it; the admin sees that reads happened, not what was read.
    status, body = await api.post_json(f"{case_path}/status", {"status": "assigned"}, security)
    assert status == 200 and body["case"]["status"] == "assigned"
    async with api.http.get(
        api.running.url + attachment_url, headers={"Authorization": f"Bearer {security}"}
    ) as resp:
        assert resp.status == 200 and await resp.read() == photo
    status, body = await api.get("/api/cases?kind=report", security)
    assert (status, body["error"]["code"]) == (403, "forbidden")

    status, body = await api.get(f"/api/audit?subject=case:{complaint_id}", outsiders["admin"])
    assert status == 200
    actions = [e["action"] for e in body["entries"]]
    assert "case.read" in actions and "case.status" in actions
    dumped = json.dumps(body)
    assert "Demanded" not in dumped and "0457" not in dumped and "C-" not in dumped
    status, body = await api.get("/api/audit?limit=200", outsiders["admin"])
    assert "attachment.read" in [e["action"] for e in body["entries"]]
    assert "case.list" in [e["action"] for e in body["entries"]]
    assert hashlib.sha256(photo).hexdigest() not in json.dumps(body)


async def test_audit_log_cannot_be_edited_over_http(api: Api) -> None:
    admin = await api.staff("adm5", Role.ADMIN, None)
    headers = {"Authorization": f"Bearer {admin}"}
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        async with api.http.request(
            method, api.running.url + "/api/audit", headers=headers
        ) as resp:
            assert resp.status == 405, method
    status, body = await api.get("/api/audit?limit=0", admin)
    assert (status, body["error"]["code"]) == (400, "invalid_payload")


async def test_unauthenticated_staff_routes(api: Api) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(api.running.url + "/api/cases") as resp:
            assert resp.status == 401
            assert (await resp.json())["error"]["code"] == "unauthenticated"
