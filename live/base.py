"""The interface every live-state backend implements.

Live state is what a running deployment shares between its nodes while calls are in
progress: the calls themselves (the queue is every call in state ``queued``), operator
presence, login sessions and short leases. Durable facts go to ``records``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from domain.model import LiveCall
from domain.queue import OperatorPresence


@runtime_checkable
class LiveState(Protocol):
    async def put_call(self, call: LiveCall) -> None:
        """Store ``call`` unconditionally (creation)."""

    async def replace_call(self, call: LiveCall) -> bool:
        """Store ``call`` only if the stored version is ``call.version - 1``.

        Returns False (and changes nothing) when the call is missing or another writer got
        there first: the compare-and-set that makes "accept a call already taken" safe
        across nodes.
        """

    async def get_call(self, call_id: str) -> LiveCall | None: ...

    async def delete_call(self, call_id: str) -> None: ...

    async def list_calls(self, centre: str | None = None) -> list[LiveCall]:
        """Calls of ``centre`` (every call for None), oldest first (created_at, id)."""

    async def put_operator(self, p: OperatorPresence) -> None: ...

    async def get_operator(self, operator_id: str) -> OperatorPresence | None: ...

    async def delete_operator(self, operator_id: str) -> None: ...

    async def list_operators(self, centre: str | None = None) -> list[OperatorPresence]:
        """Operators of ``centre`` (every operator for None), ordered by operator_id."""

    async def put_session(self, token: str, data: dict[str, Any], ttl_s: float) -> None: ...

    async def get_session(self, token: str) -> dict[str, Any] | None:
        """The session data, or None when unknown or expired."""

    async def delete_session(self, token: str) -> None: ...

    async def try_lock(self, key: str, owner: str, ttl_s: float) -> bool:
        """Take the lease ``key`` for ``ttl_s`` seconds.

        True if it was free (or expired), or already held by ``owner`` (the lease is then
        renewed); False while another owner holds it.
        """

    async def unlock(self, key: str, owner: str) -> None:
        """Release the lease if ``owner`` still holds it; otherwise do nothing."""

    async def node_heartbeat(self, node: str, ttl_s: float) -> None:
        """Say that server node ``node`` is running, for the next ``ttl_s`` seconds."""

    async def node_alive(self, node: str) -> bool:
        """Whether ``node``'s last heartbeat has not expired yet."""

    async def close(self) -> None: ...


def call_order(call: LiveCall) -> tuple[float, str]:
    return (call.created_at, call.id)
