"""One suite for every RecordStore backend (SQLite file and a real PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.calls import CallState
from domain.errors import Conflict, InvalidInput, NotFound, StorageError, UnknownCall
from domain.roles import Role
from records import CallRecord, RecordStore, TrailPoint, open_store
from tests.conftest_backends import raw_sql

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


def point(received_at: float, lat: float = 43.25, **raw: object) -> TrailPoint:
    fix = {"lat": lat, "lon": 76.9, "accuracy_m": 8.5, "fixed_at": received_at - 1, **raw}
    return TrailPoint.from_fix(
        {**fix, "source": "gps"}, received_at=received_at, region_code="KZ-75"
    )


def call(call_id: str = "c1", centre: str = "almaty-city", at: float = 1000.0) -> CallRecord:
    return CallRecord(
        id=call_id, centre=centre, media="video", created_at=at, region_code="KZ-75",
        flags=("near_border",),
    )


async def test_call_lifecycle_with_ordered_trail(record_store: RecordStore) -> None:
    await record_store.create_call(call())
    await record_store.append_location("c1", point(1002.0, lat=43.2))
    await record_store.append_location("c1", point(1001.0, lat=43.1))  # arrived late
    await record_store.append_location("c1", point(1003.0, lat=43.3, heading_deg=90.0))
    await record_store.update_call("c1", offered_at=1004.0)
    await record_store.update_call(
        "c1", answered_at=1005.5, operator_id="u-op1", flags=("near_border", "moved")
    )
    await record_store.update_call(
        "c1", ended_at=1100.0, final_state=CallState.ENDED, end_reason="operator_hangup"
    )
    stored = await record_store.get_call("c1")
    assert stored is not None
    assert (stored.offered_at, stored.answered_at, stored.ended_at) == (1004.0, 1005.5, 1100.0)
    assert stored.final_state == "ended" and stored.end_reason == "operator_hangup"
    assert stored.operator_id == "u-op1" and stored.flags == ("near_border", "moved")
    assert [p.lat for p in stored.trail] == [43.1, 43.2, 43.3]
    last = stored.trail[-1]
    assert last == point(1003.0, lat=43.3, heading_deg=90.0)
    assert last.raw["heading_deg"] == 90.0 and last.source == "gps"


async def test_create_call_with_trail_and_duplicate(record_store: RecordStore) -> None:
    record = CallRecord(
        id="c2", centre="astana", media="audio", created_at=5.0, trail=(point(6.0), point(7.0))
    )
    await record_store.create_call(record)
    assert await record_store.get_call("c2") == record
    with pytest.raises(Conflict):
        await record_store.create_call(record)


async def test_unknown_call(record_store: RecordStore) -> None:
    assert await record_store.get_call("nope") is None
    with pytest.raises(UnknownCall):
        await record_store.update_call("nope", ended_at=1.0)
    with pytest.raises(UnknownCall):
        await record_store.update_call("nope")
    with pytest.raises(UnknownCall):
        await record_store.append_location("nope", point(1.0))


async def test_update_refuses_other_fields(record_store: RecordStore) -> None:
    await record_store.create_call(call())
    with pytest.raises(InvalidInput, match="created_at"):
        await record_store.update_call("c1", created_at=0.0)
    with pytest.raises(InvalidInput):
        await record_store.update_call("c1", **{"id = 'x'; --": 1})


async def test_list_calls_newest_first(record_store: RecordStore) -> None:
    for i in range(5):
        await record_store.create_call(call(f"c{i}", "astana" if i % 2 else "almaty-city", i))
    assert [c.id for c in await record_store.list_calls()] == ["c4", "c3", "c2", "c1", "c0"]
    assert [c.id for c in await record_store.list_calls(limit=2)] == ["c4", "c3"]
    assert [c.id for c in await record_store.list_calls("astana")] == ["c3", "c1"]
    assert await record_store.list_calls("shymkent") == []


async def test_users_and_passwords(record_store: RecordStore, record_db_url: str) -> None:
    user = await record_store.create_user(
        "Aigerim", PASSWORD, Role.OPERATOR, "almaty-city", "Aigerim S."
    )
    assert (user.username, user.role, user.centre, user.active) == (
        "aigerim", Role.OPERATOR, "almaty-city", True
    )
    assert not hasattr(user, "password_hash")
    assert await record_store.get_user(user.id) == user
    assert await record_store.get_user_by_username("AIGERIM") == user
    assert await record_store.get_user("missing") is None

    rows = await raw_sql(record_db_url, "SELECT password_hash FROM users WHERE id = ?", user.id)
    assert rows[0]["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in rows[0]["password_hash"]

    assert await record_store.verify_password("aigerim", PASSWORD) == user
    assert await record_store.verify_password("aigerim", PASSWORD + "x") is None
    assert await record_store.verify_password("nobody", PASSWORD) is None

    deactivated = await record_store.set_user_active("aigerim", False)
    assert not deactivated.active
    assert await record_store.verify_password("aigerim", PASSWORD) is None
    await record_store.set_user_active("aigerim", True)
    assert await record_store.verify_password("aigerim", PASSWORD) is not None
    with pytest.raises(NotFound):
        await record_store.set_user_active("nobody", True)


async def test_user_rules(record_store: RecordStore) -> None:
    await record_store.create_user("boss", PASSWORD, Role.ADMIN, None)
    with pytest.raises(Conflict):
        await record_store.create_user("BOSS", PASSWORD, Role.ADMIN, None)
    with pytest.raises(InvalidInput, match="10"):
        await record_store.create_user("weak", "short", Role.ADMIN, None)
    with pytest.raises(InvalidInput):
        await record_store.create_user("op", PASSWORD, Role.OPERATOR, None)  # needs a centre
    with pytest.raises(InvalidInput):
        await record_store.create_user("cit", PASSWORD, Role.CITIZEN, None)
    with pytest.raises(InvalidInput):
        await record_store.create_user("bad name!", PASSWORD, Role.ADMIN, None)
    assert [u.username for u in await record_store.list_users()] == ["boss"]


async def test_rehash_on_login_with_weaker_parameters(record_db_url: str) -> None:
    from argon2 import PasswordHasher

    from records import Passwords

    weak = await open_store(record_db_url, Passwords(PasswordHasher(time_cost=1, memory_cost=8192)))
    try:
        await weak.create_user("old", PASSWORD, Role.ADMIN, None)
    finally:
        await weak.close()
    before = await raw_sql(record_db_url, "SELECT password_hash FROM users")
    store = await open_store(record_db_url)
    try:
        assert await store.verify_password("old", PASSWORD) is not None
    finally:
        await store.close()
    after = await raw_sql(record_db_url, "SELECT password_hash FROM users")
    assert before != after and after[0]["password_hash"].startswith("$argon2id$")


async def test_audit_is_append_only(record_store: RecordStore, record_db_url: str) -> None:
    first = await record_store.audit("u-sec", "call.read", "call:c1", {"fields": ["trail"]})
    await record_store.audit("u-sec", "call.read", "call:c2", {})
    third = await record_store.audit("u-adm", "user.create", None)
    entries = await record_store.list_audit()
    assert [e.id for e in entries] == [third.id, third.id - 1, first.id]
    assert entries[-1] == first and first.detail == {"fields": ["trail"]}
    assert [e.subject for e in await record_store.list_audit(subject="call:c1")] == ["call:c1"]
    assert len(await record_store.list_audit(limit=1)) == 1

    for sql in ("UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            await raw_sql(record_db_url, sql)
    assert await record_store.list_audit() == entries


async def test_reopen_keeps_everything(record_db_url: str) -> None:
    store = await open_store(record_db_url)
    try:
        await store.create_call(call())
        await store.append_location("c1", point(1001.0))
        user = await store.create_user("sup", PASSWORD, Role.SUPERVISOR, "astana")
        await store.audit("cli", "user.create", f"user:{user.id}")
    finally:
        await store.close()
    reopened = await open_store(record_db_url)
    try:
        stored = await reopened.get_call("c1")
        assert stored is not None and len(stored.trail) == 1
        assert await reopened.verify_password("sup", PASSWORD) == user
        assert len(await reopened.list_audit()) == 1
    finally:
        await reopened.close()


async def test_concurrent_writes(record_store: RecordStore) -> None:
    await record_store.create_call(call())
    await asyncio.gather(
        *(record_store.append_location("c1", point(1000.0 + i)) for i in range(20)),
        *(record_store.audit("node", "tick", "call:c1", {"i": i}) for i in range(20)),
    )
    stored = await record_store.get_call("c1")
    assert stored is not None and len(stored.trail) == 20
    assert len(await record_store.list_audit(subject="call:c1")) == 20


async def test_unreachable_database_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        await open_store("postgresql://postgres@127.0.0.1:1/none")
    (tmp_path / "file").write_text("")
    with pytest.raises(StorageError):
        await open_store(f"sqlite:///{tmp_path / 'file' / 'records.sqlite3'}")


# CLI


def run_cli(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "E102__RECORDS__DATABASE_URL": f"sqlite:///{db}"}
    env.pop("E102_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "records", *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=30,
        check=False,
    )


async def test_cli_creates_and_lists_users(tmp_path: Path) -> None:
    db = tmp_path / "var" / "cli.sqlite3"
    done = run_cli(
        db, "create-user", "dana", "--role", "operator", "--centre", "almaty-city",
        "--display-name", "Dana K.", "--password-stdin", stdin=PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert "created operator dana in almaty-city" in done.stdout

    listed = run_cli(db, "list-users")
    assert listed.returncode == 0, listed.stderr
    assert "dana" in listed.stdout and "Dana K." in listed.stdout

    store = await open_store(f"sqlite:///{db}")
    try:
        user = await store.verify_password("dana", PASSWORD)
        assert user is not None and user.display_name == "Dana K."
        assert [e.action for e in await store.list_audit()] == ["user.create"]
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--role", "operator", "--centre", "atlantis"), PASSWORD, "unknown centre 'atlantis'"),
        (("--role", "operator"), PASSWORD, "needs --centre"),
        (("--role", "admin"), "short", "at least 10 characters"),
    ],
)
def test_cli_refuses_bad_input(
    tmp_path: Path, args: tuple[str, ...], stdin: str, message: str
) -> None:
    done = run_cli(
        tmp_path / "cli.sqlite3", "create-user", "x1", *args, "--password-stdin", stdin=stdin
    )
    assert done.returncode != 0
    assert message in done.stderr


def test_cli_duplicate_user(tmp_path: Path) -> None:
    args = ("create-user", "boss", "--role", "admin", "--password-stdin")
    assert run_cli(tmp_path / "c.sqlite3", *args, stdin=PASSWORD).returncode == 0
    again = run_cli(tmp_path / "c.sqlite3", *args, stdin=PASSWORD)
    assert again.returncode == 1 and "already exists" in again.stderr
