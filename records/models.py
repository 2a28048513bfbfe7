"""What the records store holds: calls with their location trail, staff users, the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.roles import Role


@dataclass(frozen=True, slots=True)
class TrailPoint:
    lat: float
    lon: float
    accuracy_m: float | None
    fixed_at: float | None  # when the device took the fix (device clock)
    received_at: float  # when the server received it (server clock)
    source: str | None = None
    region_code: str | None = None
    # The fix as received, for evidence (geo.location.Location.to_dict()).
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_fix(
        cls, fix: Mapping[str, Any], *, received_at: float, region_code: str | None = None
    ) -> TrailPoint:
        """A point from a validated fix dict (lat, lon, accuracy_m, fixed_at, source, ...)."""
        accuracy = fix.get("accuracy_m")
        fixed_at = fix.get("fixed_at")
        source = fix.get("source")
        return cls(
            lat=float(fix["lat"]),
            lon=float(fix["lon"]),
            accuracy_m=None if accuracy is None else float(accuracy),
            fixed_at=None if fixed_at is None else float(fixed_at),
            received_at=received_at,
            source=None if source is None else str(source),
            region_code=region_code,
            raw=dict(fix),
        )


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: str
    centre: str
    media: str
    created_at: float
    region_code: str | None = None
    flags: tuple[str, ...] = ()
    offered_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    final_state: str | None = None
    end_reason: str | None = None
    operator_id: str | None = None
    # Ordered by received_at; empty in list_calls() results (get_call() loads it).
    trail: tuple[TrailPoint, ...] = ()


# Fields of a stored call that update_call() may change.
UPDATABLE_CALL_FIELDS = frozenset(
    {
        "centre",
        "region_code",
        "flags",
        "offered_at",
        "answered_at",
        "ended_at",
        "final_state",
        "end_reason",
        "operator_id",
    }
)


@dataclass(frozen=True, slots=True)
class User:
    """A staff account. The password hash never leaves the store."""

    id: str
    username: str
    role: Role
    centre: str | None
    display_name: str
    active: bool
    created_at: float


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    subject: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CaseAttachment:
    """One evidence file of a case; the bytes are in the evidence store under ``sha256``."""

    id: str
    case_id: str
    kind: str  # photo | video (evidence.MediaKind)
    mime: str  # from the file's magic bytes, never from the sender
    size: int
    sha256: str
    created_at: float


@dataclass(frozen=True, slots=True)
class CaseHistoryEntry:
    status: str
    at: float
    actor: str  # a staff user id, or "citizen"
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CaseLink:
    kind: str  # call | incident
    ref: str  # the call id, or the incident reference as staff typed it
    at: float
    actor: str


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A citizen's report, appeal or internal-security complaint."""

    id: str
    number: str  # e.g. R-2026-000123; "" until the store allocates it
    kind: str  # domain.cases.CaseKind value
    status: str  # domain.cases.CaseStatus value
    centre: str
    created_at: float
    updated_at: float
    tracking_hash: str  # SHA-256 hex of the citizen's tracking token
    # What the citizen wrote, by kind: description/occurred_at; subject/text;
    # officer/unit/place/occurred_at/text.
    content: dict[str, Any]
    anonymous: bool = False
    category: str | None = None
    region_code: str | None = None
    lang: str | None = None
    contact: dict[str, Any] | None = None  # None for anonymous complaints
    location: dict[str, Any] | None = None  # geo.location.Location.to_dict()
    geo: dict[str, Any] | None = None  # geo.service.GeoAnswer.to_dict()
    answer: str | None = None
    answered_at: float | None = None
    answered_by: str | None = None
    attachment_count: int = 0
    # Loaded by get_case / get_case_by_tracking; empty in list_cases results.
    attachments: tuple[CaseAttachment, ...] = ()
    history: tuple[CaseHistoryEntry, ...] = ()
    links: tuple[CaseLink, ...] = ()
