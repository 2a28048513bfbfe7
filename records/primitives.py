"""What every SQL store (and each of its query mixins) can call: five driver primitives."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]
Statement = tuple[str, Sequence[Any]]


class SqlPrimitives(abc.ABC):
    """A backend (SQLite, PostgreSQL) supplies these; query mixins build on them.

    Each backend maps its driver's errors where it calls the driver: unique violations to
    Conflict, foreign-key violations to NotFound, everything else to StorageError.
    """

    _clock: Callable[[], float]

    @abc.abstractmethod
    async def _fetch(self, sql: str, *args: Any) -> list[Row]: ...

    @abc.abstractmethod
    async def _fetchrow(self, sql: str, *args: Any) -> Row | None: ...

    @abc.abstractmethod
    async def _execute(self, sql: str, *args: Any) -> int:
        """Run one statement; the number of rows it changed."""

    @abc.abstractmethod
    async def _execute_atomically(self, statements: Sequence[Statement]) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...
