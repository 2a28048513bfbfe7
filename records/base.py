"""The interface every records backend implements.

Errors: UnknownCall for a call that is not stored, Conflict for a duplicate id or username,
InvalidInput for bad arguments (weak password, unknown field), StorageError when the
database fails.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol, runtime_checkable

from domain.roles import Role
from records.models import (
    AuditEntry,
    CallRecord,
    CaseAttachment,
    CaseLink,
    CaseRecord,
    TrailPoint,
    User,
)
from records.recordings_store import Recording


@runtime_checkable
class RecordStore(Protocol):
    async def create_call(self, call: CallRecord) -> None:
        """Store a new call (and any trail points it already carries)."""

    async def update_call(self, call_id: str, **fields: Any) -> None:
        """Change fields of models.UPDATABLE_CALL_FIELDS; UnknownCall if not stored."""

    async def append_location(self, call_id: str, point: TrailPoint) -> None: ...

    async def get_call(self, call_id: str) -> CallRecord | None:
        """The call with its whole trail, ordered by received_at."""

    async def list_calls(self, centre: str | None = None, limit: int = 50) -> list[CallRecord]:
        """Newest first, without trails (get_call loads one)."""

    async def create_user(
        self,
        username: str,
        password: str,
        role: Role,
        centre: str | None,
        display_name: str = "",
    ) -> User: ...

    async def get_user_by_username(self, username: str) -> User | None: ...

    async def get_user(self, user_id: str) -> User | None: ...

    async def list_users(self) -> list[User]: ...

    async def verify_password(self, username: str, password: str) -> User | None:
        """The active user whose password this is, else None (same cost either way)."""

    async def set_user_active(self, username: str, active: bool) -> User:
        """NotFound if there is no such user."""

    async def audit(
        self, actor: str, action: str, subject: str | None, detail: dict[str, Any] | None = None
    ) -> AuditEntry:
        """Append to the audit log; the database refuses updates and deletes of it."""

    async def list_audit(self, limit: int = 100, subject: str | None = None) -> list[AuditEntry]:
        """Newest first."""

    # cases (issue 5): reports, appeals, internal-security complaints

    async def create_case(
        self, case: CaseRecord, attachments: Sequence[CaseAttachment] = ()
    ) -> CaseRecord:
        """Store a new case with its attachments; the store allocates its number."""

    async def get_case(self, case_id: str) -> CaseRecord | None:
        """With attachments, history and links."""

    async def get_case_by_tracking(self, tracking_hash: str) -> CaseRecord | None: ...

    async def list_cases(
        self,
        kinds: Collection[str],
        centre: str | None = None,
        status: str | None = None,
        limit: int = 50,
    ) -> list[CaseRecord]:
        """Newest first, without attachments/history/links (attachment_count is set)."""

    async def advance_case(
        self,
        case_id: str,
        expected: str,
        steps: Sequence[str],
        *,
        actor: str,
        at: float,
        note: str | None = None,
        answer: str | None = None,
    ) -> CaseRecord:
        """Compare-and-set the status through steps; Conflict if no longer expected."""

    async def add_case_link(
        self, case_id: str, kind: str, ref: str, *, actor: str, at: float
    ) -> CaseLink: ...

    async def get_attachment(self, attachment_id: str) -> CaseAttachment | None: ...

    # recordings (issue 4): records/recordings_store.py

    async def save_recording(
        self,
        call_id: str,
        path: str,
        sha256: str,
        size: int,
        started_at: float,
        ended_at: float,
    ) -> Recording:
        """UnknownCall if the call is not stored, Conflict if it already has a recording."""

    async def get_recording(self, call_id: str) -> Recording | None: ...

    async def recordings_due_for_purge(self, now: float, retention_days: int) -> list[Recording]:
        """Not purged, call ended more than retention_days before now; oldest first."""

    async def mark_recording_purged(self, call_id: str, at: float, retention_days: int) -> bool:
        """False (nothing changed) for a recording still in retention or already purged."""

    async def close(self) -> None: ...
