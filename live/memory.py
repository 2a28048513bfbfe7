"""In-process live state: the default for a single node.

Values are kept as JSON text, exactly as the Redis backend keeps them, so both backends
accept and return the same things (and reject the same unserialisable data). Every method
completes without awaiting, so each one is atomic with respect to other coroutines.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from domain.model import LiveCall
from domain.queue import OperatorPresence
from live.base import call_order

SWEEP_EVERY = 256


class MemoryLiveState:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        # clock: seconds, used only for session and lease expiry; tests inject a fake one.
        self._clock = clock
        self._calls: dict[str, tuple[str, int, str]] = {}  # id -> (centre, version, json)
        self._calls_by_centre: dict[str, set[str]] = {}
        self._operators: dict[str, tuple[str, str]] = {}  # id -> (centre, json)
        self._operators_by_centre: dict[str, set[str]] = {}
        self._sessions: dict[str, tuple[float, str]] = {}  # token -> (expires_at, json)
        self._locks: dict[str, tuple[float, str]] = {}  # key -> (expires_at, owner)
        self._nodes: dict[str, float] = {}  # node -> heartbeat expiry
        self._writes_since_sweep = 0

    # calls

    async def put_call(self, call: LiveCall) -> None:
        self._store_call(call)

    async def replace_call(self, call: LiveCall) -> bool:
        stored = self._calls.get(call.id)
        if stored is None or stored[1] != call.version - 1:
            return False
        self._store_call(call)
        return True

    async def get_call(self, call_id: str) -> LiveCall | None:
        stored = self._calls.get(call_id)
        return None if stored is None else LiveCall.from_dict(json.loads(stored[2]))

    async def delete_call(self, call_id: str) -> None:
        stored = self._calls.pop(call_id, None)
        if stored is not None:
            _unindex(self._calls_by_centre, stored[0], call_id)

    async def list_calls(self, centre: str | None = None) -> list[LiveCall]:
        ids = self._calls if centre is None else self._calls_by_centre.get(centre, set())
        calls = [LiveCall.from_dict(json.loads(self._calls[i][2])) for i in ids]
        return sorted(calls, key=call_order)

    def _store_call(self, call: LiveCall) -> None:
        text = json.dumps(call.to_dict())
        previous = self._calls.get(call.id)
        if previous is not None and previous[0] != call.centre:
            _unindex(self._calls_by_centre, previous[0], call.id)
        self._calls[call.id] = (call.centre, call.version, text)
        self._calls_by_centre.setdefault(call.centre, set()).add(call.id)

    # operators

    async def put_operator(self, p: OperatorPresence) -> None:
        text = json.dumps(asdict(p))
        previous = self._operators.get(p.operator_id)
        if previous is not None and previous[0] != p.centre:
            _unindex(self._operators_by_centre, previous[0], p.operator_id)
        self._operators[p.operator_id] = (p.centre, text)
        self._operators_by_centre.setdefault(p.centre, set()).add(p.operator_id)

    async def get_operator(self, operator_id: str) -> OperatorPresence | None:
        stored = self._operators.get(operator_id)
        return None if stored is None else OperatorPresence(**json.loads(stored[1]))

    async def delete_operator(self, operator_id: str) -> None:
        stored = self._operators.pop(operator_id, None)
        if stored is not None:
            _unindex(self._operators_by_centre, stored[0], operator_id)

    async def list_operators(self, centre: str | None = None) -> list[OperatorPresence]:
        ids = self._operators if centre is None else self._operators_by_centre.get(centre, set())
        return [OperatorPresence(**json.loads(self._operators[i][1])) for i in sorted(ids)]

    # sessions

    async def put_session(self, token: str, data: dict[str, Any], ttl_s: float) -> None:
        self._sessions[token] = (self._clock() + ttl_s, json.dumps(data))
        self._sweep_now_and_then()

    async def get_session(self, token: str) -> dict[str, Any] | None:
        stored = self._sessions.get(token)
        if stored is None:
            return None
        if self._clock() >= stored[0]:
            del self._sessions[token]
            return None
        data: dict[str, Any] = json.loads(stored[1])
        return data

    async def delete_session(self, token: str) -> None:
        self._sessions.pop(token, None)

    # leases

    async def try_lock(self, key: str, owner: str, ttl_s: float) -> bool:
        now = self._clock()
        held = self._locks.get(key)
        if held is not None and held[0] > now and held[1] != owner:
            return False
        self._locks[key] = (now + ttl_s, owner)
        self._sweep_now_and_then()
        return True

    async def unlock(self, key: str, owner: str) -> None:
        held = self._locks.get(key)
        if held is not None and held[1] == owner:
            del self._locks[key]

    async def node_heartbeat(self, node: str, ttl_s: float) -> None:
        self._nodes[node] = self._clock() + ttl_s

    async def node_alive(self, node: str) -> bool:
        return self._nodes.get(node, 0.0) > self._clock()

    def _sweep_now_and_then(self) -> None:
        # Expired entries that are never read again would otherwise stay for good.
        self._writes_since_sweep += 1
        if self._writes_since_sweep < SWEEP_EVERY:
            return
        self._writes_since_sweep = 0
        now = self._clock()
        for table in (self._sessions, self._locks):
            for key in [k for k, (expires_at, _) in table.items() if expires_at <= now]:
                del table[key]

    async def close(self) -> None:
        self._calls.clear()
        self._calls_by_centre.clear()
        self._operators.clear()
        self._operators_by_centre.clear()
        self._sessions.clear()
        self._locks.clear()


def _unindex(index: dict[str, set[str]], centre: str, item_id: str) -> None:
    members = index.get(centre)
    if members is not None:
        members.discard(item_id)
        if not members:
            del index[centre]
