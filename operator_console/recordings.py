"""HTTP routes for call recordings: play one in the console, export one as evidence.

Both are for supervisors and admins, and audited on every request (``recording.play``,
``recording.export``). A recording's SHA-256 was stored when its call closed; the export
hashes the file again and says in its manifest whether it still matches: the chain of custody.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
import time
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from aiohttp import web

from domain.errors import NotFound, StorageError, UnknownCall
from domain.roles import Role
from records.models import CallRecord
from records.recordings_store import Recording
from server.auth import current_staff
from server.keys import RECORDS
from signaling.operators import StaffUser

RECORDING_ROLES = (Role.SUPERVISOR, Role.ADMIN)
CALL_ID = r"{call_id:[0-9a-f]{32}}"
CHUNK = 256 * 1024
MANIFEST_VERSION = 1


async def _recording(request: web.Request) -> tuple[CallRecord, Recording, Path]:
    call_id = request.match_info["call_id"]
    records = request.app[RECORDS]
    call = await records.get_call(call_id)
    if call is None:
        raise UnknownCall(f"no call {call_id}")
    recording = await records.get_recording(call_id)
    if recording is None:
        raise NotFound(f"call {call_id} has no recording")
    if recording.purged_at is not None:
        raise NotFound(f"the recording of call {call_id} was deleted after its retention period")
    path = Path(recording.path)
    if not await asyncio.to_thread(path.is_file):
        raise StorageError(f"the recording file of call {call_id} is missing")
    return call, recording, path


async def play(request: web.Request) -> web.StreamResponse:
    """The WebM file; Range requests (what a <video> element sends) are answered in part."""
    user = await current_staff(request, RECORDING_ROLES)
    call, recording, path = await _recording(request)
    await request.app[RECORDS].audit(
        user.id, "recording.play", f"call:{call.id}",
        {"range": request.headers.get("Range"), "sha256": recording.sha256},
    )
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "video/webm",
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="call-{call.id}.webm"',
        },
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def manifest(
    call: CallRecord,
    recording: Recording,
    operator: dict[str, Any] | None,
    exporter: StaffUser,
    sha256_now: str,
    exported_at: float,
) -> dict[str, Any]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "call": {
            "id": call.id,
            "centre": call.centre,
            "media": call.media,
            "region_code": call.region_code,
            "created_at": call.created_at,
            "offered_at": call.offered_at,
            "answered_at": call.answered_at,
            "ended_at": call.ended_at,
            "final_state": call.final_state,
            "end_reason": call.end_reason,
        },
        "parties": {"citizen": {"anonymous": True}, "operator": operator},
        "location_trail": [asdict(point) for point in call.trail],
        "recording": {
            "file": "recording.webm",
            "sha256": recording.sha256,  # stored when the call closed
            "size": recording.size,
            "started_at": recording.started_at,
            "ended_at": recording.ended_at,
            "sha256_at_export": sha256_now,
            "intact": sha256_now == recording.sha256,
        },
        "exported_at": exported_at,
        "exported_by": {"id": exporter.id, "username": exporter.username},
    }


def _write_zip(target: IO[bytes], path: Path, manifest_data: dict[str, Any]) -> None:
    # Stored, not deflated: WebM does not compress, and the bytes stay as recorded.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.write(path, "recording.webm")
        archive.writestr("manifest.json", json.dumps(manifest_data, indent=2, sort_keys=True))
    target.seek(0)


async def export(request: web.Request) -> web.StreamResponse:
    """A ZIP of ``recording.webm`` and ``manifest.json`` (see `manifest`)."""
    user = await current_staff(request, RECORDING_ROLES)
    call, recording, path = await _recording(request)
    records = request.app[RECORDS]
    operator = None
    if call.operator_id is not None:
        account = await records.get_user(call.operator_id)
        operator = {
            "id": call.operator_id,
            "username": None if account is None else account.username,
            "display_name": None if account is None else account.display_name,
        }
    sha256_now = await asyncio.to_thread(_sha256, path)
    exported_at = time.time()
    data = manifest(call, recording, operator, user, sha256_now, exported_at)
    await records.audit(
        user.id, "recording.export", f"call:{call.id}",
        {"sha256": recording.sha256, "intact": data["recording"]["intact"]},
    )
    with tempfile.TemporaryFile() as spool:
        await asyncio.to_thread(_write_zip, spool, path, data)
        size = spool.seek(0, 2)
        spool.seek(0)
        response = web.StreamResponse(
            headers={
                "Content-Type": "application/zip",
                "Content-Length": str(size),
                "Cache-Control": "no-store",
                "Content-Disposition": f'attachment; filename="call-{call.id}-evidence.zip"',
            }
        )
        await response.prepare(request)
        while chunk := await asyncio.to_thread(spool.read, CHUNK):
            await response.write(chunk)
        await response.write_eof()
    return response


def setup(app: web.Application) -> None:
    app.router.add_get(f"/api/calls/{CALL_ID}/recording", play)
    app.router.add_get(f"/api/calls/{CALL_ID}/export", export)
