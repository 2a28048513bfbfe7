"""Records in one SQLite file (the default): WAL, foreign keys on, one connection.

aiosqlite runs the connection in its own thread; a lock keeps each operation (and each
transaction) whole when several coroutines use the store at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from domain.errors import Conflict, Error102, NotFound, StorageError
from records import schema
from records.passwords import Passwords
from records.primitives import Row, Statement
from records.sql_store import SqlRecordStore

BUSY_TIMEOUT_MS = 5000


def _translate(exc: sqlite3.Error) -> Error102:
    name = getattr(exc, "sqlite_errorname", "")
    if name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        return Conflict(f"already stored: {exc}")
    if name == "SQLITE_CONSTRAINT_FOREIGNKEY":
        return NotFound(f"refers to a missing row: {exc}")
    return StorageError(f"records database error: {exc}")


def _mapping(row: sqlite3.Row) -> Row:
    return {key: row[key] for key in row.keys()}


class SqliteRecordStore(SqlRecordStore):
    def __init__(
        self,
        db: aiosqlite.Connection,
        passwords: Passwords | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(passwords, clock)
        self._db = db
        self._lock = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        path: str | Path,
        passwords: Passwords | None = None,
        clock: Callable[[], float] | None = None,
    ) -> SqliteRecordStore:
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open records database {path}: {exc}") from exc
        db.row_factory = sqlite3.Row
        store = cls(db, passwords, clock)
        try:
            await store._prepare()
        except BaseException:
            await db.close()
            raise
        return store

    async def _prepare(self) -> None:
        try:
            async with self._lock:
                await self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                await self._db.execute("PRAGMA journal_mode = WAL")
                await self._db.execute("PRAGMA foreign_keys = ON")
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in schema.ddl("sqlite"):
                        await self._db.execute(statement)
                    await self._db.execute("COMMIT")
                except BaseException:
                    await self._db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise StorageError(f"cannot create the records schema: {exc}") from exc
        await self._check_schema_version()

    async def _fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            async with self._lock, self._db.execute(sql, args) as cursor:
                return [_mapping(row) for row in await cursor.fetchall()]
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    async def _fetchrow(self, sql: str, *args: Any) -> Row | None:
        try:
            async with self._lock, self._db.execute(sql, args) as cursor:
                row = await cursor.fetchone()
                return None if row is None else _mapping(row)
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    async def _execute(self, sql: str, *args: Any) -> int:
        try:
            async with self._lock, self._db.execute(sql, args) as cursor:
                return cursor.rowcount
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    async def _execute_atomically(self, statements: Sequence[Statement]) -> None:
        try:
            async with self._lock:
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    for sql, args in statements:
                        await self._db.execute(sql, args)
                    await self._db.execute("COMMIT")
                except BaseException:
                    await self._db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    async def close(self) -> None:
        await self._db.close()
