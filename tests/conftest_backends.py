"""Fixtures that give every contract test each real backend in turn.

Register with ``pytest_plugins = ["tests.conftest_backends"]`` in the root conftest.

- ``live_state``: MemoryLiveState and RedisLiveState (E102_TEST_REDIS_URL, default
  redis://127.0.0.1:6379/15), each Redis test under its own key prefix, deleted afterwards.
- ``second_node``: another handle on the same live state, as a second server node sees it.
- ``record_store`` / ``record_db_url``: SQLite in tmp_path and PostgreSQL
  (E102_TEST_POSTGRES_DSN, default postgresql://postgres@127.0.0.1:5432/postgres): one fresh
  database per session, one schema per test, dropped afterwards.

A backend that cannot be reached fails the tests with instructions; it is never skipped.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from live import LiveState, MemoryLiveState, RedisLiveState
from records import RecordStore, open_store

T = TypeVar("T")

REDIS_URL = os.environ.get("E102_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_DSN = os.environ.get(
    "E102_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)

REDIS_HELP = (
    "Redis is not reachable at {url} ({error}). The live-state contract tests run against a "
    "real Redis: start one (`redis-server --port 6379 --daemonize yes`, or "
    "`docker run -d -p 6379:6379 redis:8`) or point E102_TEST_REDIS_URL at one."
)
POSTGRES_HELP = (
    "PostgreSQL is not reachable at {dsn} ({error}). The records tests run against a real "
    "PostgreSQL (14+): start one (`pg_ctlcluster 15 main start`, or `docker run -d -p "
    "5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15`) or point "
    "E102_TEST_POSTGRES_DSN at a role that may CREATE DATABASE."
)


def _run_in_thread(factory: Callable[[], Awaitable[T]]) -> T:
    # Session fixtures are synchronous; a private loop in a thread leaves pytest-asyncio's
    # loops alone.
    async def main() -> T:
        return await factory()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _with_database(dsn: str, database: str, **query: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}", query=urlencode(query)))


# live state


@pytest.fixture(params=["memory", "redis"])
async def live_state(request: pytest.FixtureRequest) -> AsyncIterator[LiveState]:
    if request.param == "memory":
        state = MemoryLiveState()
        request.node.stash[_SECOND_NODE] = lambda: state
        yield state
        await state.close()
        return

    prefix = f"test102:{uuid.uuid4().hex}:"
    admin = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    problem = None
    try:
        await admin.ping()
    except (RedisError, OSError) as exc:
        problem = REDIS_HELP.format(url=REDIS_URL, error=exc)
    if problem is not None:
        await admin.aclose()
        pytest.fail(problem, pytrace=False)
    opened: list[RedisLiveState] = []

    def node() -> RedisLiveState:
        opened.append(RedisLiveState(REDIS_URL, prefix=prefix))
        return opened[-1]

    request.node.stash[_SECOND_NODE] = node
    try:
        yield node()
    finally:
        for handle in opened:
            await handle.close()
        keys = [key async for key in admin.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await admin.delete(*keys)
        await admin.aclose()


_SECOND_NODE = pytest.StashKey[Callable[[], LiveState]]()


@pytest.fixture
def second_node(live_state: LiveState, request: pytest.FixtureRequest) -> LiveState:
    """The same live state through another connection (memory: the same object)."""
    open_node: Callable[[], LiveState] = request.node.stash[_SECOND_NODE]
    return open_node()


# records


@pytest.fixture(scope="session")
def postgres_test_database() -> Iterator[str]:
    """A fresh database for this test session (its DSN); dropped at the end."""
    name = f"e102_test_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        conn = await asyncpg.connect(POSTGRES_DSN, timeout=10)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(POSTGRES_DSN, timeout=10)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    problem = None
    try:
        _run_in_thread(create)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        problem = POSTGRES_HELP.format(dsn=POSTGRES_DSN, error=exc)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    yield _with_database(POSTGRES_DSN, name)
    _run_in_thread(drop)


@pytest.fixture(params=["sqlite", "postgres"])
async def record_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty records database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'records.sqlite3'}"
        return
    database = request.getfixturevalue("postgres_test_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(database)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    try:
        # asyncpg passes unknown DSN query parameters on as server settings
        yield _with_database(database, urlsplit(database).path[1:], search_path=schema)
    finally:
        conn = await asyncpg.connect(database)
        try:
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            await conn.close()


@pytest.fixture
async def record_store(record_db_url: str) -> AsyncIterator[RecordStore]:
    store = await open_store(record_db_url)
    try:
        yield store
    finally:
        await store.close()


async def raw_sql(url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run SQL on a records database behind the store's back (``?`` placeholders)."""
    from records.schema import numbered

    if url.startswith("sqlite:///"):
        import aiosqlite

        async with aiosqlite.connect(url[len("sqlite:///") :]) as db:
            db.row_factory = aiosqlite.Row
            async with db.execute(sql, args) as cursor:
                rows = [dict(row) for row in await cursor.fetchall()]
            await db.commit()
            return rows
    conn = await asyncpg.connect(url)
    try:
        return [dict(row) for row in await conn.fetch(numbered(sql), *args)]
    finally:
        await conn.close()
