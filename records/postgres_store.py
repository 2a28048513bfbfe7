"""Records in PostgreSQL (14+), through an asyncpg pool."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import asyncpg

from domain.errors import Conflict, Error102, NotFound, StorageError
from records import schema
from records.passwords import Passwords
from records.primitives import Row, Statement
from records.sql_store import SqlRecordStore

# Serialises schema creation when several nodes start at once.
SCHEMA_LOCK_ID = 102_0001

# What the driver raises besides PostgresError when the server is away or the pool closed.
_DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


def _translate(exc: BaseException) -> Error102:
    if isinstance(exc, asyncpg.UniqueViolationError):
        return Conflict(f"already stored: {exc}")
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return NotFound(f"refers to a missing row: {exc}")
    return StorageError(f"records database error: {exc}")


def _rows_changed(status: str) -> int:
    # asyncpg returns the command tag, e.g. "UPDATE 1" or "INSERT 0 1"
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresRecordStore(SqlRecordStore):
    def __init__(
        self,
        pool: asyncpg.Pool,
        passwords: Passwords | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(passwords, clock)
        self._pool = pool

    @classmethod
    async def open(
        cls,
        dsn: str,
        passwords: Passwords | None = None,
        clock: Callable[[], float] | None = None,
        max_connections: int = 10,
    ) -> PostgresRecordStore:
        try:
            pool = await asyncpg.create_pool(dsn, min_size=1, max_size=max_connections)
        except _DRIVER_ERRORS as exc:
            raise StorageError(f"cannot connect to the records database: {exc}") from exc
        store = cls(pool, passwords, clock)
        try:
            await store._prepare()
        except BaseException:
            await pool.close()
            raise
        return store

    async def _prepare(self) -> None:
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK_ID)
                for statement in schema.ddl("postgres"):
                    await conn.execute(statement)
        except _DRIVER_ERRORS as exc:
            raise StorageError(f"cannot create the records schema: {exc}") from exc
        await self._check_schema_version()

    async def _fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            return list(await self._pool.fetch(schema.numbered(sql), *args))
        except _DRIVER_ERRORS as exc:
            raise _translate(exc) from exc

    async def _fetchrow(self, sql: str, *args: Any) -> Row | None:
        try:
            row: Row | None = await self._pool.fetchrow(schema.numbered(sql), *args)
            return row
        except _DRIVER_ERRORS as exc:
            raise _translate(exc) from exc

    async def _execute(self, sql: str, *args: Any) -> int:
        try:
            return _rows_changed(await self._pool.execute(schema.numbered(sql), *args))
        except _DRIVER_ERRORS as exc:
            raise _translate(exc) from exc

    async def _execute_atomically(self, statements: Sequence[Statement]) -> None:
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                for sql, args in statements:
                    await conn.execute(schema.numbered(sql), *args)
        except _DRIVER_ERRORS as exc:
            raise _translate(exc) from exc

    async def close(self) -> None:
        await self._pool.close()
