"""The records logic shared by the SQLite and PostgreSQL stores.

A backend subclass supplies five primitives (``_fetch``, ``_fetchrow``, ``_execute``,
``_execute_atomically``, ``close``); each maps its driver's errors where it calls the
driver: unique violations to Conflict, foreign-key violations to NotFound, everything else
to StorageError.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from domain.errors import Conflict, InvalidInput, NotFound, StorageError, UnknownCall
from domain.roles import STAFF_ROLES, Role
from records import schema
from records.cases_store import CaseQueries
from records.models import UPDATABLE_CALL_FIELDS, AuditEntry, CallRecord, TrailPoint, User
from records.passwords import Passwords
from records.primitives import Row, SqlPrimitives, Statement
from records.recordings_store import RecordingQueries

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
CENTRE_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR})
MAX_LIST = 1000


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise InvalidInput(
            "username must be 2-64 characters: letters, digits, '.', '_', '@', '-'"
        )
    return name


class SqlRecordStore(CaseQueries, RecordingQueries, SqlPrimitives):
    def __init__(
        self, passwords: Passwords | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self._passwords = passwords or Passwords()
        self._clock = clock or time.time

    async def _check_schema_version(self) -> None:
        row = await self._fetchrow(schema.GET_SCHEMA_VERSION)
        found = None if row is None else row["version"]
        if found is None:
            await self._execute(schema.SET_SCHEMA_VERSION, schema.SCHEMA_VERSION, self._clock())
        elif found > schema.SCHEMA_VERSION:
            raise StorageError(
                f"the records database has schema v{found}, newer than this code "
                f"(v{schema.SCHEMA_VERSION}); upgrade 102"
            )

    # calls

    async def create_call(self, call: CallRecord) -> None:
        statements: list[Statement] = [
            (
                schema.INSERT_CALL,
                (
                    call.id, call.centre, str(call.media), call.region_code,
                    json.dumps(list(call.flags)), call.created_at, call.offered_at,
                    call.answered_at, call.ended_at, _plain(call.final_state), call.end_reason,
                    call.operator_id,
                ),
            )
        ]
        statements += [(schema.INSERT_TRAIL_POINT, _point_args(call.id, p)) for p in call.trail]
        try:
            await self._execute_atomically(statements)
        except Conflict:
            raise Conflict(f"call {call.id} is already recorded") from None

    async def update_call(self, call_id: str, **fields: Any) -> None:
        unknown = set(fields) - UPDATABLE_CALL_FIELDS
        if unknown:
            raise InvalidInput(f"call fields that cannot be updated: {', '.join(sorted(unknown))}")
        if not fields:
            if await self._fetchrow(schema.CALL_EXISTS, call_id) is None:
                raise UnknownCall(f"no recorded call {call_id}")
            return
        names = sorted(fields)
        values = [json.dumps(list(fields[n])) if n == "flags" else _plain(fields[n]) for n in names]
        if await self._execute(schema.update_call(names), *values, call_id) == 0:
            raise UnknownCall(f"no recorded call {call_id}")

    async def append_location(self, call_id: str, point: TrailPoint) -> None:
        try:
            await self._execute(schema.INSERT_TRAIL_POINT, *_point_args(call_id, point))
        except NotFound:
            raise UnknownCall(f"no recorded call {call_id}") from None

    async def get_call(self, call_id: str) -> CallRecord | None:
        row = await self._fetchrow(schema.SELECT_CALL, call_id)
        if row is None:
            return None
        trail = tuple(_point(r) for r in await self._fetch(schema.SELECT_TRAIL, call_id))
        return _call(row, trail)

    async def list_calls(self, centre: str | None = None, limit: int = 50) -> list[CallRecord]:
        limit = max(1, min(limit, MAX_LIST))
        if centre is None:
            rows = await self._fetch(schema.LIST_CALLS, limit)
        else:
            rows = await self._fetch(schema.LIST_CENTRE_CALLS, centre, limit)
        return [_call(row, ()) for row in rows]

    # users

    async def create_user(
        self,
        username: str,
        password: str,
        role: Role,
        centre: str | None,
        display_name: str = "",
    ) -> User:
        name = normalise_username(username)
        try:
            role = Role(role)
        except ValueError:
            raise InvalidInput(f"unknown role {role!r}") from None
        if role not in STAFF_ROLES:
            raise InvalidInput(f"{role.value} is not a staff role")
        if role in CENTRE_ROLES and not centre:
            raise InvalidInput(f"a {role.value} belongs to a centre")
        password_hash = await self._passwords.hash(password)
        user = User(
            id=uuid.uuid4().hex,
            username=name,
            role=role,
            centre=centre or None,
            display_name=display_name.strip() or name,
            active=True,
            created_at=self._clock(),
        )
        try:
            await self._execute(
                schema.INSERT_USER, user.id, user.username, password_hash, user.role.value,
                user.centre, user.display_name, user.active, user.created_at,
            )
        except Conflict:
            raise Conflict(f"user {name} already exists") from None
        return user

    async def get_user_by_username(self, username: str) -> User | None:
        row = await self._fetchrow(schema.SELECT_USER_BY_NAME, username.strip().lower())
        return None if row is None else _user(row)

    async def get_user(self, user_id: str) -> User | None:
        row = await self._fetchrow(schema.SELECT_USER_BY_ID, user_id)
        return None if row is None else _user(row)

    async def list_users(self) -> list[User]:
        return [_user(row) for row in await self._fetch(schema.LIST_USERS)]

    async def verify_password(self, username: str, password: str) -> User | None:
        row = await self._fetchrow(schema.SELECT_USER_HASH, username.strip().lower())
        stored_hash = None if row is None else str(row["password_hash"])
        matches = await self._passwords.verify(stored_hash, password)
        if row is None or stored_hash is None or not matches:
            return None
        user = _user(row)
        if not user.active:
            return None
        if self._passwords.needs_rehash(stored_hash):
            new_hash = await self._passwords.hash(password)
            await self._execute(schema.SET_USER_HASH, new_hash, user.id)
        return user

    async def set_user_active(self, username: str, active: bool) -> User:
        name = username.strip().lower()
        if await self._execute(schema.SET_USER_ACTIVE, active, name) == 0:
            raise NotFound(f"no user {name}")
        user = await self.get_user_by_username(name)
        if user is None:  # deleted in between; users are never deleted, but say so cleanly
            raise NotFound(f"no user {name}")
        return user

    # audit

    async def audit(
        self, actor: str, action: str, subject: str | None, detail: dict[str, Any] | None = None
    ) -> AuditEntry:
        entry_detail = dict(detail or {})
        at = self._clock()
        row = await self._fetchrow(
            schema.INSERT_AUDIT, at, actor, action, subject, json.dumps(entry_detail)
        )
        if row is None:
            raise StorageError("the audit log did not return the new entry's id")
        return AuditEntry(int(row["id"]), at, actor, action, subject, entry_detail)

    async def list_audit(self, limit: int = 100, subject: str | None = None) -> list[AuditEntry]:
        limit = max(1, min(limit, MAX_LIST))
        if subject is None:
            rows = await self._fetch(schema.LIST_AUDIT, limit)
        else:
            rows = await self._fetch(schema.LIST_SUBJECT_AUDIT, subject, limit)
        return [
            AuditEntry(
                int(r["id"]), float(r["at"]), r["actor"], r["action"], r["subject"],
                json.loads(r["detail"]),
            )
            for r in rows
        ]


def _plain(value: Any) -> Any:
    # str enums (CallState, MediaKind) are stored as their plain value
    return str(value) if isinstance(value, str) else value


def _point_args(call_id: str, p: TrailPoint) -> tuple[Any, ...]:
    return (
        call_id, p.lat, p.lon, p.accuracy_m, p.fixed_at, p.received_at, p.source,
        p.region_code, json.dumps(p.raw),
    )


def _point(row: Row) -> TrailPoint:
    return TrailPoint(
        lat=row["lat"],
        lon=row["lon"],
        accuracy_m=row["accuracy_m"],
        fixed_at=row["fixed_at"],
        received_at=row["received_at"],
        source=row["source"],
        region_code=row["region_code"],
        raw=json.loads(row["raw"]),
    )


def _call(row: Row, trail: tuple[TrailPoint, ...]) -> CallRecord:
    return CallRecord(
        id=row["id"],
        centre=row["centre"],
        media=row["media"],
        created_at=row["created_at"],
        region_code=row["region_code"],
        flags=tuple(json.loads(row["flags"])),
        offered_at=row["offered_at"],
        answered_at=row["answered_at"],
        ended_at=row["ended_at"],
        final_state=row["final_state"],
        end_reason=row["end_reason"],
        operator_id=row["operator_id"],
        trail=trail,
    )


def _user(row: Row) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        centre=row["centre"],
        display_name=row["display_name"],
        active=bool(row["active"]),
        created_at=row["created_at"],
    )
