"""The one SQL schema of the records store, for SQLite and PostgreSQL.

Queries are written once with ``?`` placeholders; ``numbered()`` turns them into ``$1, $2``
for asyncpg. Times are Unix seconds (DOUBLE PRECISION), like everywhere else in 102.
JSON columns are TEXT in SQLite and JSONB in PostgreSQL; both stores pass and receive
JSON text. The audit log is append-only, enforced by the database with triggers.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from records import schema_cases, schema_recordings

Dialect = Literal["sqlite", "postgres"]

SCHEMA_VERSION = 1

_TYPES: dict[Dialect, dict[str, str]] = {
    "sqlite": {"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "json": "TEXT"},
    "postgres": {"serial": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "json": "JSONB"},
}

_TABLES = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL,
    applied_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS calls (
    id TEXT PRIMARY KEY,
    centre TEXT NOT NULL,
    media TEXT NOT NULL,
    region_code TEXT,
    flags {json} NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    offered_at DOUBLE PRECISION,
    answered_at DOUBLE PRECISION,
    ended_at DOUBLE PRECISION,
    final_state TEXT,
    end_reason TEXT,
    operator_id TEXT
);
CREATE INDEX IF NOT EXISTS calls_created ON calls (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS calls_centre_created ON calls (centre, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS call_locations (
    id {serial},
    call_id TEXT NOT NULL REFERENCES calls (id),
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    accuracy_m DOUBLE PRECISION,
    fixed_at DOUBLE PRECISION,
    received_at DOUBLE PRECISION NOT NULL,
    source TEXT,
    region_code TEXT,
    raw {json} NOT NULL
);
CREATE INDEX IF NOT EXISTS call_locations_call ON call_locations (call_id, received_at, id);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL
        CHECK (role IN ('operator', 'supervisor', 'internal_security', 'admin')),
    centre TEXT,
    display_name TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
    id {serial},
    at DOUBLE PRECISION NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT,
    detail {json} NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_subject ON audit_log (subject, id);
"""

_APPEND_ONLY_SQLITE = (
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)

# One script: the function body holds semicolons. CREATE OR REPLACE TRIGGER needs PG 14+.
_APPEND_ONLY_POSTGRES = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE OR REPLACE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"""


def ddl(dialect: Dialect) -> list[str]:
    """The statements that create the schema (idempotent), in order."""
    text = (_TABLES + schema_cases.TABLES + schema_recordings.TABLES).format(**_TYPES[dialect])
    statements = [s.strip() for s in text.split(";") if s.strip()]
    if dialect == "sqlite":
        return [*statements, *_APPEND_ONLY_SQLITE]
    return [*statements, _APPEND_ONLY_POSTGRES]


CALL_COLUMNS = (
    "id, centre, media, region_code, flags, created_at, offered_at, answered_at, ended_at, "
    "final_state, end_reason, operator_id"
)
TRAIL_COLUMNS = "lat, lon, accuracy_m, fixed_at, received_at, source, region_code, raw"
USER_COLUMNS = "id, username, role, centre, display_name, active, created_at"
AUDIT_COLUMNS = "id, at, actor, action, subject, detail"

GET_SCHEMA_VERSION = "SELECT max(version) AS version FROM schema_version"
SET_SCHEMA_VERSION = "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"

INSERT_CALL = f"INSERT INTO calls ({CALL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
SELECT_CALL = f"SELECT {CALL_COLUMNS} FROM calls WHERE id = ?"
CALL_EXISTS = "SELECT 1 AS found FROM calls WHERE id = ?"
LIST_CALLS = f"SELECT {CALL_COLUMNS} FROM calls ORDER BY created_at DESC, id DESC LIMIT ?"
LIST_CENTRE_CALLS = (
    f"SELECT {CALL_COLUMNS} FROM calls WHERE centre = ? ORDER BY created_at DESC, id DESC LIMIT ?"
)
INSERT_TRAIL_POINT = (
    f"INSERT INTO call_locations (call_id, {TRAIL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT_TRAIL = (
    f"SELECT {TRAIL_COLUMNS} FROM call_locations WHERE call_id = ? ORDER BY received_at, id"
)

INSERT_USER = (
    "INSERT INTO users (id, username, password_hash, role, centre, display_name, active, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT_USER_BY_NAME = f"SELECT {USER_COLUMNS} FROM users WHERE username = ?"
SELECT_USER_BY_ID = f"SELECT {USER_COLUMNS} FROM users WHERE id = ?"
SELECT_USER_HASH = f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?"
LIST_USERS = f"SELECT {USER_COLUMNS} FROM users ORDER BY username"
SET_USER_ACTIVE = "UPDATE users SET active = ? WHERE username = ?"
SET_USER_HASH = "UPDATE users SET password_hash = ? WHERE id = ?"

INSERT_AUDIT = (
    "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?) "
    "RETURNING id"
)
LIST_AUDIT = f"SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?"
LIST_SUBJECT_AUDIT = (
    f"SELECT {AUDIT_COLUMNS} FROM audit_log WHERE subject = ? ORDER BY id DESC LIMIT ?"
)


def update_call(fields: list[str]) -> str:
    """UPDATE for the given (already whitelisted) column names."""
    assignments = ", ".join(f"{name} = ?" for name in fields)
    return f"UPDATE calls SET {assignments} WHERE id = ?"


@functools.lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...`` (no query here has a literal ?)."""
    counter = iter(range(1, 10_000))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)
