"""Socket.IO event payloads, parsed into validated dataclasses.

Each ``parse`` takes the raw decoded JSON and either returns a frozen dataclass or raises
``InvalidInput`` naming the field. Locations are validated by geo.location, not here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidInput, InvalidSdp
from domain.model import MediaKind

# Ids are uuid4 hex; anything else is not one of ours and is refused before any lookup.
_CALL_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_SDP_CHARS = 32 * 1024
LANGUAGES = ("kk", "ru", "en")
LOCATION_ERRORS = ("denied", "unavailable", "timeout", "unsupported")


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidInput("payload must be a JSON object")
    return data


def _str(data: Mapping[str, Any], key: str, *, max_len: int = 256) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{key} must be a non-empty string")
    if len(value) > max_len:
        raise InvalidInput(f"{key} is longer than {max_len} characters")
    return value


def _call_id(data: Mapping[str, Any]) -> str:
    value = _str(data, "call_id", max_len=64)
    if not _CALL_ID.match(value):
        raise InvalidInput("call_id is not a call id")
    return value


@dataclass(frozen=True, slots=True)
class StartCall:
    media: MediaKind
    lang: str
    location: Mapping[str, Any] | None
    location_error: str | None

    @classmethod
    def parse(cls, raw: Any) -> StartCall:
        data = _mapping(raw)
        media = data.get("media")
        if media not in (MediaKind.VIDEO.value, MediaKind.AUDIO.value):
            raise InvalidInput("media must be 'video' or 'audio'")
        lang = data.get("lang") or "ru"
        if lang not in LANGUAGES:
            raise InvalidInput(f"lang must be one of {', '.join(LANGUAGES)}")
        location = data.get("location")
        if location is not None and not isinstance(location, Mapping):
            raise InvalidInput("location must be an object or null")
        error = data.get("location_error")
        if error is not None and error not in LOCATION_ERRORS:
            raise InvalidInput(f"location_error must be one of {', '.join(LOCATION_ERRORS)}")
        return cls(MediaKind(media), lang, location, error)


@dataclass(frozen=True, slots=True)
class CallRef:
    call_id: str

    @classmethod
    def parse(cls, raw: Any) -> CallRef:
        return cls(_call_id(_mapping(raw)))


@dataclass(frozen=True, slots=True)
class MediaOffer:
    call_id: str
    sdp: str

    @classmethod
    def parse(cls, raw: Any) -> MediaOffer:
        data = _mapping(raw)
        call_id = _call_id(data)
        if data.get("type", "offer") != "offer":
            raise InvalidSdp("type must be 'offer': the server answers, it does not offer")
        sdp = data.get("sdp")
        if not isinstance(sdp, str) or not sdp.strip():
            raise InvalidSdp("sdp must be a non-empty string")
        if len(sdp) > MAX_SDP_CHARS:
            raise InvalidSdp(f"sdp is longer than {MAX_SDP_CHARS} characters")
        if not sdp.startswith("v=0"):
            raise InvalidSdp("sdp must start with 'v=0'")
        return cls(call_id, sdp)


@dataclass(frozen=True, slots=True)
class LocationUpdate:
    call_id: str
    location: Mapping[str, Any]

    @classmethod
    def parse(cls, raw: Any) -> LocationUpdate:
        data = _mapping(raw)
        location = data.get("location")
        if not isinstance(location, Mapping):
            raise InvalidInput("location must be an object")
        return cls(_call_id(data), location)


@dataclass(frozen=True, slots=True)
class Resume:
    call_id: str
    resume_token: str

    @classmethod
    def parse(cls, raw: Any) -> Resume:
        data = _mapping(raw)
        return cls(_call_id(data), _str(data, "resume_token", max_len=128))


@dataclass(frozen=True, slots=True)
class Availability:
    available: bool

    @classmethod
    def parse(cls, raw: Any) -> Availability:
        value = _mapping(raw).get("available")
        if not isinstance(value, bool):
            raise InvalidInput("available must be true or false")
        return cls(value)
