"""Records: every call with its location trail, staff users, and the audit log.

``open_store("sqlite:////abs/path.sqlite3")`` (the default) or
``open_store("postgresql://user@host/db")``; both implement ``RecordStore`` and pass the same
suite (tests/records/test_store.py). ``python -m records create-user`` adds staff accounts.
"""

from __future__ import annotations

from records.base import RecordStore
from records.models import AuditEntry, CallRecord, TrailPoint, User
from records.passwords import Passwords

__all__ = [
    "AuditEntry",
    "CallRecord",
    "Passwords",
    "RecordStore",
    "TrailPoint",
    "User",
    "open_store",
]

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


async def open_store(database_url: str, passwords: Passwords | None = None) -> RecordStore:
    """Open (and create or check the schema of) the store a URL names.

    ``sqlite:///`` is followed by the file's path, so an absolute path has four slashes
    (``sqlite:////var/lib/102/records.sqlite3``), as server.settings writes it.
    """
    from domain.errors import ConfigError

    if database_url.startswith(SQLITE_PREFIX):
        from records.sqlite_store import SqliteRecordStore

        path = database_url[len(SQLITE_PREFIX) :]
        if not path:
            raise ConfigError("sqlite:/// URL without a file path")
        return await SqliteRecordStore.open(path, passwords)
    if database_url.startswith(POSTGRES_PREFIXES):
        from records.postgres_store import PostgresRecordStore

        return await PostgresRecordStore.open(database_url, passwords)
    raise ConfigError("records database URL must be sqlite:///PATH or postgresql://...")
