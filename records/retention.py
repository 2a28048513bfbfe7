"""Retention: recordings are deleted only after ``recording.retention_days``, never before."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from records.base import RecordStore

if TYPE_CHECKING:
    from server.settings import RecordingSettings


async def purge_recordings(
    store: RecordStore,
    recording: RecordingSettings,
    dry_run: bool,
    out: TextIO,
    actor: str = "system:retention",
) -> int:
    """Delete the files of recordings whose call ended more than retention_days ago.

    The store returns only those, and refuses to mark a younger one purged; a file outside
    recording.dir is left alone (its path came from the database, not from us).
    """
    now = time.time()
    root = await asyncio.to_thread(recording.dir.resolve)
    purged = 0
    for due in await store.recordings_due_for_purge(now, recording.retention_days):
        path = await asyncio.to_thread(Path(due.path).resolve)
        if not path.is_relative_to(root):
            print(f"skipped {due.call_id}: {path} is outside {root}", file=out)
            continue
        if dry_run:
            print(f"would delete {path} (call {due.call_id})", file=out)
            continue
        # Mark first: if deleting then fails, the file outlives its record, never the reverse.
        if not await store.mark_recording_purged(due.call_id, now, recording.retention_days):
            continue
        await asyncio.to_thread(path.unlink, missing_ok=True)
        await store.audit(
            actor,
            "recording.purge",
            f"call:{due.call_id}",
            {"path": str(path), "sha256": due.sha256, "ended_at": due.ended_at},
        )
        purged += 1
        print(f"deleted {path} (call {due.call_id})", file=out)
    print(f"{purged} recording(s) purged", file=out)
    return purged
