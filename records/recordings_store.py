"""Queries for call recordings: file, hash, size, retention (issue 4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import Conflict, InvalidInput, NotFound, UnknownCall
from records.primitives import Row, SqlPrimitives

SECONDS_PER_DAY = 86400
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
COLUMNS = "call_id, path, sha256, size, started_at, ended_at, stored_at, purged_at"
INSERT = (
    "INSERT INTO call_recordings (call_id, path, sha256, size, started_at, ended_at, stored_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
SELECT = f"SELECT {COLUMNS} FROM call_recordings WHERE call_id = ?"
DUE_FOR_PURGE = (
    f"SELECT {COLUMNS} FROM call_recordings WHERE purged_at IS NULL AND ended_at < ? "
    "ORDER BY ended_at, call_id"
)
MARK_PURGED = (
    "UPDATE call_recordings SET purged_at = ? WHERE call_id = ? AND purged_at IS NULL "
    "AND ended_at < ?"
)


@dataclass(frozen=True, slots=True)
class Recording:
    call_id: str
    path: str
    sha256: str  # of the file as it was when the call closed
    size: int
    started_at: float
    ended_at: float
    stored_at: float
    purged_at: float | None = None  # the file was deleted after retention


class RecordingQueries(SqlPrimitives):
    """Mixed into SqlRecordStore; tables in records/schema_recordings.py."""

    async def save_recording(
        self,
        call_id: str,
        path: str,
        sha256: str,
        size: int,
        started_at: float,
        ended_at: float,
    ) -> Recording:
        """Store a call's finished recording: UnknownCall if the call is not stored, Conflict
        if it already has one (a recording's hash is never replaced)."""
        if not SHA256_HEX.fullmatch(sha256):
            raise InvalidInput("sha256 must be 64 lowercase hex digits")
        if size < 0 or ended_at < started_at:
            raise InvalidInput("a recording needs size >= 0 and ended_at >= started_at")
        recording = Recording(
            call_id, str(path), sha256, int(size), float(started_at), float(ended_at),
            self._clock(),
        )
        try:
            await self._execute(
                INSERT, recording.call_id, recording.path, recording.sha256, recording.size,
                recording.started_at, recording.ended_at, recording.stored_at,
            )
        except NotFound:
            raise UnknownCall(f"no recorded call {call_id}") from None
        except Conflict:
            raise Conflict(f"call {call_id} already has a recording") from None
        return recording

    async def get_recording(self, call_id: str) -> Recording | None:
        row = await self._fetchrow(SELECT, call_id)
        return None if row is None else _recording(row)

    async def recordings_due_for_purge(self, now: float, retention_days: int) -> list[Recording]:
        """Recordings whose call ended more than ``retention_days`` before ``now``, not purged
        yet, oldest first. Nothing younger is ever returned."""
        if retention_days < 1:
            raise InvalidInput("retention_days must be at least 1")
        cutoff = now - retention_days * SECONDS_PER_DAY
        return [_recording(row) for row in await self._fetch(DUE_FOR_PURGE, cutoff)]

    async def mark_recording_purged(
        self, call_id: str, at: float, retention_days: int
    ) -> bool:
        """Note that the file is gone; refused (False) for a recording still in retention."""
        cutoff = at - retention_days * SECONDS_PER_DAY
        return await self._execute(MARK_PURGED, at, call_id, cutoff) == 1


def _recording(row: Row) -> Recording:
    return Recording(
        call_id=row["call_id"],
        path=row["path"],
        sha256=row["sha256"],
        size=int(row["size"]),
        started_at=float(row["started_at"]),
        ended_at=float(row["ended_at"]),
        stored_at=float(row["stored_at"]),
        purged_at=None if row["purged_at"] is None else float(row["purged_at"]),
    )
