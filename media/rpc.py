"""The wire between the signaling process and a media worker process: framed JSON messages.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. Messages:

- request, pool -> worker: ``{"id": n, "method": name, "args": [...]}``
- reply, worker -> pool: ``{"id": n, "result": value}`` or ``{"id": n, "error": {code, message}}``
- event, worker -> pool: ``{"event": name, ...}`` (``ready``, ``health``, ``party_lost``)

Datetimes survive the trip (tagged); domain errors are rebuilt from their ``code`` on the pool
side, so a caller of the pool sees the same exception class the registry raised. Pure functions
plus two small stream helpers; no state.
"""

from __future__ import annotations

import asyncio
import json
import struct
from datetime import datetime
from pathlib import PurePath
from typing import Any

from domain import errors

HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 16 * 1024 * 1024  # far above any SDP or stats snapshot; guards a broken peer
_DATETIME_TAG = "__datetime__"


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return {_DATETIME_TAG: value.isoformat()}
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot send {type(value).__name__} to/from a media worker")


def _object_hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DATETIME_TAG in obj:
        return datetime.fromisoformat(obj[_DATETIME_TAG])
    return obj


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, default=_default, separators=(",", ":")).encode("utf-8")
    return HEADER.pack(len(body)) + body


def decode(body: bytes) -> dict[str, Any]:
    message = json.loads(body, object_hook=_object_hook)
    if not isinstance(message, dict):
        raise errors.MediaError("media worker sent a frame that is not an object")
    return message


async def read_message(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next message, or None at end of stream (the other process went away)."""
    try:
        header = await reader.readexactly(HEADER.size)
        (size,) = HEADER.unpack(header)
        if size > MAX_FRAME_BYTES:
            raise errors.MediaError(f"media worker frame of {size} bytes")
        return decode(await reader.readexactly(size))
    except (asyncio.IncompleteReadError, ConnectionError):
        return None


def _error_classes() -> dict[str, type[errors.Error102]]:
    found: dict[str, type[errors.Error102]] = {}
    pending: list[type[errors.Error102]] = [errors.Error102]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


ERROR_CLASSES = _error_classes()


def error_to_wire(exc: BaseException) -> dict[str, str]:
    if isinstance(exc, errors.Error102):
        return exc.to_dict()
    # Not ours: the registry maps third-party errors itself, so this is a bug in the worker.
    return {"code": errors.MediaError.code, "message": f"media worker: {type(exc).__name__}: {exc}"}


def error_from_wire(error: object) -> errors.Error102:
    if not isinstance(error, dict):
        return errors.MediaError("media worker sent a malformed error")
    cls = ERROR_CLASSES.get(str(error.get("code")), errors.MediaError)
    return cls(str(error.get("message", "")))
