"""Live state in Redis, shared by every node of a deployment.

Keys (``P`` is the prefix, "102:" by default):

    P call:{id}                 hash  data (LiveCall JSON), centre, version
    P calls                     set   every call id
    P centre:{centre}:calls     set   call ids of one centre
    P op:{id}                   hash  data (OperatorPresence JSON), centre
    P ops                       set   every operator id
    P centre:{centre}:ops       set   operator ids of one centre
    P session:{sha256(token)}   string, with an expiry
    P lock:{key}                string owner, with an expiry

Writes that touch an item and its indexes run as one Lua script, so the indexes never
disagree with the items and ``replace_call`` is a true compare-and-set across nodes.
The scripts build the old centre's index key from the prefix, so they assume one Redis
server (not Redis Cluster).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from domain.errors import StorageError
from domain.model import LiveCall
from domain.queue import OperatorPresence
from live.base import call_order

# KEYS: item hash, index of the new centre, set of all ids.
# ARGV: id, json, centre, version, expected stored version ('' = unconditional),
#       prefix and suffix of a centre index key (to find the old centre's index).
_SAVE = """
if ARGV[5] ~= '' and redis.call('HGET', KEYS[1], 'version') ~= ARGV[5] then
  return 0
end
local old = redis.call('HGET', KEYS[1], 'centre')
if old and old ~= ARGV[3] then
  redis.call('SREM', ARGV[6] .. old .. ARGV[7], ARGV[1])
end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'centre', ARGV[3], 'version', ARGV[4])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
"""

# KEYS: item hash, set of all ids. ARGV: id, prefix and suffix of a centre index key.
_DELETE = """
local old = redis.call('HGET', KEYS[1], 'centre')
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
if old then
  redis.call('SREM', ARGV[2] .. old .. ARGV[3], ARGV[1])
end
return 1
"""

# KEYS: lock key. ARGV: owner, ttl in milliseconds.
_LOCK = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

# KEYS: lock key. ARGV: owner.
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@contextmanager
def _unavailable() -> Iterator[None]:
    try:
        yield
    except RedisError as exc:
        raise StorageError(f"live state unavailable: {exc}") from exc


def _milliseconds(ttl_s: float) -> int:
    return max(1, round(ttl_s * 1000))


class RedisLiveState:
    def __init__(self, url: str, prefix: str = "102:") -> None:
        self.prefix = prefix
        self._redis = aioredis.Redis.from_url(url, decode_responses=True)
        self._save = self._redis.register_script(_SAVE)
        self._delete = self._redis.register_script(_DELETE)
        self._lock = self._redis.register_script(_LOCK)
        self._unlock = self._redis.register_script(_UNLOCK)

    async def ping(self) -> None:
        """Raise StorageError unless the server answers (for startup checks)."""
        with _unavailable():
            await self._redis.ping()

    # calls

    async def put_call(self, call: LiveCall) -> None:
        await self._save_call(call, expected="")

    async def replace_call(self, call: LiveCall) -> bool:
        return await self._save_call(call, expected=str(call.version - 1))

    async def get_call(self, call_id: str) -> LiveCall | None:
        with _unavailable():
            text = await self._redis.hget(self._key("call", call_id), "data")
        return None if text is None else LiveCall.from_dict(json.loads(text))

    async def delete_call(self, call_id: str) -> None:
        await self._remove("call", "calls", call_id)

    async def list_calls(self, centre: str | None = None) -> list[LiveCall]:
        texts = await self._load_indexed("call", self._index("calls", centre))
        return sorted((LiveCall.from_dict(json.loads(t)) for t in texts), key=call_order)

    async def _save_call(self, call: LiveCall, expected: str) -> bool:
        text = json.dumps(call.to_dict())
        return await self._save_item(
            ("call", "calls"), call.id, call.centre, text, str(call.version), expected
        )

    # operators

    async def put_operator(self, p: OperatorPresence) -> None:
        text = json.dumps(asdict(p))
        await self._save_item(("op", "ops"), p.operator_id, p.centre, text, "0", "")

    async def get_operator(self, operator_id: str) -> OperatorPresence | None:
        with _unavailable():
            text = await self._redis.hget(self._key("op", operator_id), "data")
        return None if text is None else OperatorPresence(**json.loads(text))

    async def delete_operator(self, operator_id: str) -> None:
        await self._remove("op", "ops", operator_id)

    async def list_operators(self, centre: str | None = None) -> list[OperatorPresence]:
        texts = await self._load_indexed("op", self._index("ops", centre))
        operators = [OperatorPresence(**json.loads(t)) for t in texts]
        return sorted(operators, key=lambda p: p.operator_id)

    # sessions

    async def put_session(self, token: str, data: dict[str, Any], ttl_s: float) -> None:
        with _unavailable():
            await self._redis.set(
                self._session_key(token), json.dumps(data), px=_milliseconds(ttl_s)
            )

    async def get_session(self, token: str) -> dict[str, Any] | None:
        with _unavailable():
            text = await self._redis.get(self._session_key(token))
        if text is None:
            return None
        data: dict[str, Any] = json.loads(text)
        return data

    async def delete_session(self, token: str) -> None:
        with _unavailable():
            await self._redis.delete(self._session_key(token))

    # leases

    async def try_lock(self, key: str, owner: str, ttl_s: float) -> bool:
        with _unavailable():
            taken = await self._lock(
                keys=[self._key("lock", key)], args=[owner, _milliseconds(ttl_s)]
            )
        return bool(taken)

    async def unlock(self, key: str, owner: str) -> None:
        with _unavailable():
            await self._unlock(keys=[self._key("lock", key)], args=[owner])

    async def node_heartbeat(self, node: str, ttl_s: float) -> None:
        with _unavailable():
            await self._redis.set(self._key("node", node), "1", px=_milliseconds(ttl_s))

    async def node_alive(self, node: str) -> bool:
        with _unavailable():
            return bool(await self._redis.exists(self._key("node", node)))

    async def close(self) -> None:
        await self._redis.aclose()

    # keys and scripts

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def _centre_index(self, centre: str, kind: str) -> str:
        return self._key("centre", centre, kind)

    def _index_parts(self, kind: str) -> list[str]:
        return [self._key("centre", ""), f":{kind}"]

    def _index(self, kind: str, centre: str | None) -> str:
        return self._key(kind) if centre is None else self._centre_index(centre, kind)

    def _session_key(self, token: str) -> str:
        # Redis holds a digest, not the bearer token itself.
        return self._key("session", hashlib.sha256(token.encode()).hexdigest())

    async def _save_item(
        self, kinds: tuple[str, str], item_id: str, centre: str, text: str, version: str,
        expected: str,
    ) -> bool:
        kind, all_kind = kinds
        keys = [
            self._key(kind, item_id), self._centre_index(centre, all_kind), self._key(all_kind)
        ]
        args = [item_id, text, centre, version, expected, *self._index_parts(all_kind)]
        with _unavailable():
            saved = await self._save(keys=keys, args=args)
        return bool(saved)

    async def _remove(self, kind: str, all_kind: str, item_id: str) -> None:
        keys = [self._key(kind, item_id), self._key(all_kind)]
        with _unavailable():
            await self._delete(keys=keys, args=[item_id, *self._index_parts(all_kind)])

    async def _load_indexed(self, kind: str, index: str) -> list[str]:
        with _unavailable():
            # decode_responses=True: members are str, whatever the stubs say.
            ids = sorted(str(member) for member in await self._redis.smembers(index))
            if not ids:
                return []
            async with self._redis.pipeline(transaction=False) as pipe:
                for item_id in ids:
                    pipe.hget(self._key(kind, item_id), "data")
                texts: list[str | None] = await pipe.execute()
        return [t for t in texts if t is not None]
