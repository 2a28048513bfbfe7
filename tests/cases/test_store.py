"""Case storage against SQLite and a real PostgreSQL (the record_store fixture)."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from domain.errors import Conflict, NotFound
from records import RecordStore
from records.models import CaseAttachment, CaseRecord


def case(kind: str = "report", centre: str = "almaty-city", at: float | None = None) -> CaseRecord:
    now = time.time() if at is None else at
    return CaseRecord(
        id=uuid.uuid4().hex,
        number="",
        kind=kind,
        status="received",
        centre=centre,
        created_at=now,
        updated_at=now,
        tracking_hash=uuid.uuid4().hex * 2,
        content={"description": "Ура, <script>alert(1)</script>", "occurred_at": None},
        category="fight" if kind == "report" else None,
        region_code="KZ-75",
        lang="ru",
        contact={"name": "Ә", "phone": "+77010000000"},
        location={"lat": 43.2, "lon": 76.9, "accuracy_m": 10.0},
        geo={"centre": centre, "flags": []},
    )


def attachment(case_id: str, sha: str = "ab" * 32) -> CaseAttachment:
    return CaseAttachment(uuid.uuid4().hex, case_id, "photo", "image/jpeg", 1234, sha, 1.0)


async def test_create_and_read_back(record_store: RecordStore) -> None:
    new = case()
    stored = await record_store.create_case(
        new, [attachment(new.id), attachment(new.id, "cd" * 32)]
    )
    year = time.gmtime(new.created_at + 5 * 3600).tm_year
    assert stored.number == f"R-{year}-000001"
    assert stored.content == new.content and stored.contact == new.contact
    assert stored.location == new.location and stored.geo == new.geo
    assert [a.sha256 for a in stored.attachments] == ["ab" * 32, "cd" * 32]
    assert stored.attachment_count == 2
    assert [(h.status, h.actor) for h in stored.history] == [("received", "citizen")]
    assert await record_store.get_case_by_tracking(new.tracking_hash) == stored
    assert await record_store.get_attachment(stored.attachments[0].id) == stored.attachments[0]
    assert await record_store.get_case(uuid.uuid4().hex) is None


async def test_numbers_are_per_kind_and_never_repeat(record_store: RecordStore) -> None:
    made = await asyncio.gather(*(record_store.create_case(case()) for _ in range(8)))
    appeal = await record_store.create_case(case("appeal"))
    numbers = sorted(c.number[-6:] for c in made)
    assert numbers == [f"{i:06d}" for i in range(1, 9)]
    assert appeal.number.startswith("A-") and appeal.number.endswith("-000001")


async def test_list_filters_newest_first(record_store: RecordStore) -> None:
    old = await record_store.create_case(case(at=1000.0))
    new = await record_store.create_case(case(at=2000.0))
    await record_store.create_case(case(centre="astana", at=3000.0))
    await record_store.create_case(case("complaint", at=4000.0))
    listed = await record_store.list_cases(["report"], centre="almaty-city")
    assert [c.id for c in listed] == [new.id, old.id]
    assert [c.kind for c in await record_store.list_cases(["complaint"])] == ["complaint"]
    assert len(await record_store.list_cases(["report", "appeal"])) == 3
    assert await record_store.list_cases([]) == []
    await record_store.advance_case(old.id, "received", ["closed"], actor="u1", at=5000.0)
    closed = await record_store.list_cases(["report"], status="closed")
    assert [c.id for c in closed] == [old.id]


async def test_advance_is_compare_and_set_with_history(record_store: RecordStore) -> None:
    stored = await record_store.create_case(case())
    answered = await record_store.advance_case(
        stored.id,
        "received",
        ["assigned", "in_progress", "answered"],
        actor="u1",
        at=stored.created_at + 5,
        answer="Done",
    )
    assert answered.status == "answered" and answered.answer == "Done"
    assert answered.answered_by == "u1" and answered.updated_at == stored.created_at + 5
    assert [h.status for h in answered.history] == [
        "received",
        "assigned",
        "in_progress",
        "answered",
    ]
    with pytest.raises(Conflict):
        await record_store.advance_case(stored.id, "received", ["closed"], actor="u2", at=1.0)
    again = await record_store.get_case(stored.id)
    assert again is not None and len(again.history) == 4  # the lost race wrote nothing
    with pytest.raises(NotFound):
        await record_store.advance_case(uuid.uuid4().hex, "received", ["closed"], actor="u", at=1)


async def test_only_one_of_two_concurrent_changes_wins(record_store: RecordStore) -> None:
    stored = await record_store.create_case(case())
    results = await asyncio.gather(
        *(
            record_store.advance_case(stored.id, "received", [target], actor=target, at=9.0)
            for target in ("assigned", "closed")
        ),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["CaseRecord", "Conflict"]
    final = await record_store.get_case(stored.id)
    assert final is not None and len(final.history) == 2


async def test_links(record_store: RecordStore) -> None:
    stored = await record_store.create_case(case())
    await record_store.add_case_link(stored.id, "incident", "INC-1", actor="u1", at=3.0)
    await record_store.add_case_link(stored.id, "call", "f" * 32, actor="u1", at=4.0)
    loaded = await record_store.get_case(stored.id)
    assert loaded is not None and [(x.kind, x.ref) for x in loaded.links] == [
        ("incident", "INC-1"),
        ("call", "f" * 32),
    ]
    with pytest.raises(NotFound):
        await record_store.add_case_link(uuid.uuid4().hex, "incident", "x", actor="u", at=1.0)


async def test_anonymous_case_has_no_contact(record_store: RecordStore) -> None:
    from dataclasses import replace

    new = replace(case("complaint"), contact=None, anonymous=True)
    stored = await record_store.create_case(new)
    assert stored.contact is None and stored.anonymous
