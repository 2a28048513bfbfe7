"""Queries for citizen reports, appeals and internal-security complaints (issue 5).

Numbers come from a counter row per (kind, year), bumped by one UPSERT, so two nodes never
hand out the same number. A status change is a compare-and-set on the current status; its
history rows are inserted in the same transaction and only if that update matched (they
copy the update's random ``change_id``), so history is never written for a lost race.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Sequence
from typing import Any

from domain.cases import CaseKind, case_number, number_year
from domain.errors import Conflict, InvalidInput, NotFound, StorageError
from records.models import CaseAttachment, CaseHistoryEntry, CaseLink, CaseRecord
from records.primitives import Row, SqlPrimitives, Statement

MAX_CASE_LIST = 500

CASE_COLUMNS = (
    "id, number, kind, category, status, centre, region_code, tracking_hash, lang, "
    "created_at, updated_at, content, contact, anonymous, location, geo, answer, answered_at, "
    "answered_by"
)
_COUNT_ATTACHMENTS = (
    "(SELECT count(*) FROM case_attachments a WHERE a.case_id = cases.id) AS attachment_count"
)
NEXT_NUMBER = (
    "INSERT INTO case_numbers (kind, year, last_seq) VALUES (?, ?, 1) "
    "ON CONFLICT (kind, year) DO UPDATE SET last_seq = case_numbers.last_seq + 1 "
    "RETURNING last_seq"
)
INSERT_CASE = (
    f"INSERT INTO cases ({CASE_COLUMNS}, change_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_HISTORY = (
    "INSERT INTO case_history (case_id, status, at, actor, note, change_id) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
# Inserts only if the status update with this change_id happened (see module docstring).
INSERT_HISTORY_OF_CHANGE = (
    "INSERT INTO case_history (case_id, status, at, actor, note, change_id) "
    "SELECT id, ?, ?, ?, ?, change_id FROM cases WHERE id = ? AND change_id = ?"
)
CHANGE_HAPPENED = "SELECT 1 AS found FROM case_history WHERE case_id = ? AND change_id = ?"
INSERT_ATTACHMENT = (
    "INSERT INTO case_attachments (id, case_id, position, kind, mime, size, sha256, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT_CASE = f"SELECT {CASE_COLUMNS}, {_COUNT_ATTACHMENTS} FROM cases WHERE id = ?"
SELECT_CASE_BY_TRACKING = (
    f"SELECT {CASE_COLUMNS}, {_COUNT_ATTACHMENTS} FROM cases WHERE tracking_hash = ?"
)
SELECT_HISTORY = (
    "SELECT status, at, actor, note FROM case_history WHERE case_id = ? ORDER BY at, id"
)
SELECT_ATTACHMENTS = (
    "SELECT id, case_id, kind, mime, size, sha256, created_at FROM case_attachments "
    "WHERE case_id = ? ORDER BY position"
)
SELECT_ATTACHMENT = (
    "SELECT id, case_id, kind, mime, size, sha256, created_at FROM case_attachments WHERE id = ?"
)
SELECT_LINKS = "SELECT kind, ref, at, actor FROM case_links WHERE case_id = ? ORDER BY id"
INSERT_LINK = "INSERT INTO case_links (case_id, kind, ref, at, actor) VALUES (?, ?, ?, ?, ?)"
CASE_EXISTS = "SELECT 1 AS found FROM cases WHERE id = ?"
LINK_KINDS = frozenset({"call", "incident"})


def _list_cases_sql(kinds: int, centre: bool, status: bool) -> str:
    where = [f"kind IN ({', '.join('?' * kinds)})"]
    if centre:
        where.append("centre = ?")
    if status:
        where.append("status = ?")
    return (
        f"SELECT {CASE_COLUMNS}, {_COUNT_ATTACHMENTS} FROM cases WHERE {' AND '.join(where)} "
        "ORDER BY created_at DESC, id DESC LIMIT ?"
    )


class CaseQueries(SqlPrimitives):
    """Mixed into SqlRecordStore; tables in records/schema_cases.py."""

    async def create_case(
        self, case: CaseRecord, attachments: Sequence[CaseAttachment] = ()
    ) -> CaseRecord:
        """Store a new case (status and its first history entry) with its attachments.

        The store allocates ``number``; the stored case is returned with it.
        """
        kind = CaseKind(case.kind)
        row = await self._fetchrow(NEXT_NUMBER, kind.value, number_year(case.created_at))
        if row is None:
            raise StorageError("the case counter returned no number")
        number = case_number(kind, number_year(case.created_at), int(row["last_seq"]))
        change = secrets.token_hex(8)
        statements: list[Statement] = [
            (
                INSERT_CASE,
                (
                    case.id, number, kind.value, case.category, case.status, case.centre,
                    case.region_code, case.tracking_hash, case.lang, case.created_at,
                    case.updated_at, json.dumps(case.content), _json_or_none(case.contact),
                    case.anonymous, _json_or_none(case.location), _json_or_none(case.geo),
                    case.answer, case.answered_at, case.answered_by, change,
                ),
            ),
            (INSERT_HISTORY, (case.id, case.status, case.created_at, "citizen", None, change)),
        ]
        statements += [
            (
                INSERT_ATTACHMENT,
                (a.id, case.id, position, a.kind, a.mime, a.size, a.sha256, a.created_at),
            )
            for position, a in enumerate(attachments)
        ]
        try:
            await self._execute_atomically(statements)
        except Conflict:
            raise Conflict(f"case {case.id} is already stored") from None
        stored = await self.get_case(case.id)
        if stored is None:
            raise StorageError(f"case {case.id} vanished after it was stored")
        return stored

    async def get_case(self, case_id: str) -> CaseRecord | None:
        """The case with attachments, history and links."""
        return await self._load_case(await self._fetchrow(SELECT_CASE, case_id))

    async def get_case_by_tracking(self, tracking_hash: str) -> CaseRecord | None:
        return await self._load_case(await self._fetchrow(SELECT_CASE_BY_TRACKING, tracking_hash))

    async def list_cases(
        self,
        kinds: Collection[str],
        centre: str | None = None,
        status: str | None = None,
        limit: int = 50,
    ) -> list[CaseRecord]:
        """Cases of these kinds (and centre, status), newest first, without their details."""
        kinds = sorted({CaseKind(k).value for k in kinds})
        if not kinds:
            return []
        limit = max(1, min(limit, MAX_CASE_LIST))
        args: list[Any] = list(kinds)
        if centre is not None:
            args.append(centre)
        if status is not None:
            args.append(status)
        sql = _list_cases_sql(len(kinds), centre is not None, status is not None)
        return [_case(row) for row in await self._fetch(sql, *args, limit)]

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
        """Move a case that is ``expected`` through ``steps`` (already checked by the domain).

        Each step gets a history entry; ``answer`` also stores the answer text. Conflict if the
        case is no longer ``expected`` (someone changed it first), NotFound if there is none.
        """
        if not steps:
            raise InvalidInput("a status change needs at least one step")
        change = secrets.token_hex(8)
        assignments = ["status = ?", "updated_at = ?", "change_id = ?"]
        values: list[Any] = [steps[-1], at, change]
        if answer is not None:
            assignments += ["answer = ?", "answered_at = ?", "answered_by = ?"]
            values += [answer, at, actor]
        update = f"UPDATE cases SET {', '.join(assignments)} WHERE id = ? AND status = ?"
        statements: list[Statement] = [(update, (*values, case_id, expected))]
        statements += [
            (INSERT_HISTORY_OF_CHANGE, (step, at, actor, note, case_id, change)) for step in steps
        ]
        await self._execute_atomically(statements)
        if await self._fetchrow(CHANGE_HAPPENED, case_id, change) is None:
            if await self._fetchrow(CASE_EXISTS, case_id) is None:
                raise NotFound(f"no case {case_id}")
            raise Conflict("the case was changed by someone else; reload it")
        stored = await self.get_case(case_id)
        if stored is None:
            raise NotFound(f"no case {case_id}")
        return stored

    async def add_case_link(
        self, case_id: str, kind: str, ref: str, *, actor: str, at: float
    ) -> CaseLink:
        if kind not in LINK_KINDS:
            raise InvalidInput(f"link kind must be one of {', '.join(sorted(LINK_KINDS))}")
        try:
            await self._execute(INSERT_LINK, case_id, kind, ref, at, actor)
        except NotFound:
            raise NotFound(f"no case {case_id}") from None
        return CaseLink(kind, ref, at, actor)

    async def get_attachment(self, attachment_id: str) -> CaseAttachment | None:
        row = await self._fetchrow(SELECT_ATTACHMENT, attachment_id)
        return None if row is None else _attachment(row)

    async def _load_case(self, row: Row | None) -> CaseRecord | None:
        if row is None:
            return None
        case = _case(row)
        history = await self._fetch(SELECT_HISTORY, case.id)
        attachments = await self._fetch(SELECT_ATTACHMENTS, case.id)
        links = await self._fetch(SELECT_LINKS, case.id)
        return _case(
            row,
            attachments=tuple(_attachment(r) for r in attachments),
            history=tuple(
                CaseHistoryEntry(r["status"], float(r["at"]), r["actor"], r["note"])
                for r in history
            ),
            links=tuple(CaseLink(r["kind"], r["ref"], float(r["at"]), r["actor"]) for r in links),
        )


def _json_or_none(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value)


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _attachment(row: Row) -> CaseAttachment:
    return CaseAttachment(
        id=row["id"],
        case_id=row["case_id"],
        kind=row["kind"],
        mime=row["mime"],
        size=int(row["size"]),
        sha256=row["sha256"],
        created_at=float(row["created_at"]),
    )


def _case(
    row: Row,
    *,
    attachments: tuple[CaseAttachment, ...] = (),
    history: tuple[CaseHistoryEntry, ...] = (),
    links: tuple[CaseLink, ...] = (),
) -> CaseRecord:
    return CaseRecord(
        id=row["id"],
        number=row["number"],
        kind=row["kind"],
        status=row["status"],
        centre=row["centre"],
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
        tracking_hash=row["tracking_hash"],
        content=json.loads(row["content"]),
        anonymous=bool(row["anonymous"]),
        category=row["category"],
        region_code=row["region_code"],
        lang=row["lang"],
        contact=_loads(row["contact"]),
        location=_loads(row["location"]),
        geo=_loads(row["geo"]),
        answer=row["answer"],
        answered_at=row["answered_at"],
        answered_by=row["answered_by"],
        attachment_count=int(row["attachment_count"]),
        attachments=attachments,
        history=history,
        links=links,
    )
