"""Recording rows in both records backends (SQLite file and a real PostgreSQL)."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, InvalidInput, UnknownCall
from records import CallRecord, RecordStore

DAY = 86400.0
HASH = "ab" * 32


async def stored_call(store: RecordStore, call_id: str) -> None:
    await store.create_call(
        CallRecord(id=call_id, centre="almaty-city", media="video", created_at=1000.0)
    )


async def test_save_and_get(record_store: RecordStore) -> None:
    await stored_call(record_store, "r1")
    saved = await record_store.save_recording("r1", "/rec/r1.webm", HASH, 12345, 1000.0, 1060.5)
    got = await record_store.get_recording("r1")
    assert got == saved
    assert (got.path, got.sha256, got.size, got.ended_at) == ("/rec/r1.webm", HASH, 12345, 1060.5)
    assert got.purged_at is None
    assert await record_store.get_recording("nope") is None


async def test_a_recording_hash_is_never_replaced(record_store: RecordStore) -> None:
    await stored_call(record_store, "r2")
    await record_store.save_recording("r2", "/rec/r2.webm", HASH, 1, 1000.0, 1001.0)
    with pytest.raises(Conflict):
        await record_store.save_recording("r2", "/rec/other.webm", "cd" * 32, 2, 1000.0, 1001.0)
    with pytest.raises(UnknownCall):
        await record_store.save_recording("ghost", "/rec/g.webm", HASH, 1, 1000.0, 1001.0)
    with pytest.raises(InvalidInput):
        await record_store.save_recording("r2", "/rec/r2.webm", "not-a-hash", 1, 1000.0, 1001.0)


async def test_only_recordings_past_retention_are_due(record_store: RecordStore) -> None:
    now = 1000.0 + 40 * DAY
    for call_id, ended in (("old", 1000.0), ("edge", now - 30 * DAY + 1), ("new", now - DAY)):
        await stored_call(record_store, call_id)
        await record_store.save_recording(call_id, f"/rec/{call_id}.webm", HASH, 1, ended, ended)
    due = await record_store.recordings_due_for_purge(now, retention_days=30)
    assert [r.call_id for r in due] == ["old"]
    assert not await record_store.mark_recording_purged("new", now, retention_days=30)
    assert await record_store.mark_recording_purged("old", now, retention_days=30)
    assert not await record_store.mark_recording_purged("old", now, retention_days=30)
    assert await record_store.recordings_due_for_purge(now, retention_days=30) == []
    purged = await record_store.get_recording("old")
    assert purged is not None and purged.purged_at == now
