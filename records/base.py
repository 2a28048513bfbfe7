"""The interface every records backend implements.

Errors: UnknownCall for a call that is not stored, Conflict for a duplicate id or username,
InvalidInput for bad arguments (weak password, unknown field), StorageError when the
database fails.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from domain.roles import Role
from records.models import AuditEntry, CallRecord, TrailPoint, User


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

    async def close(self) -> None: ...
