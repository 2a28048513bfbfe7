"""Requests from one server node to another over Redis pub/sub (media of a call lives on one
node; the others ask it).

Each node listens on ``{prefix}node:{node_id}``. A request is
``{"kind": "req", "id", "from", "method", "args"}``; the reply goes to the asker's channel as
``{"kind": "rep", "id", "result"}`` or ``{"kind": "rep", "id", "error": {"code", "message"}}``.
Pub/sub is not durable: a node that is gone never answers, so every request has a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from domain.errors import Error102, MediaError, MediaNodeGone, StorageError

log = logging.getLogger("102.node_bus")
Handler = Callable[..., Awaitable[Any]]
# An answer needs ICE gathering on the other node (a few seconds at worst).
REQUEST_TIMEOUT_S = 15.0


class RemoteError(Exception):
    """The other node answered with an error (its ``code`` and ``message``)."""

    def __init__(self, error: Mapping[str, Any]) -> None:
        super().__init__(str(error.get("message", "")))
        self.error = dict(error)


class RedisNodeBus:
    def __init__(self, url: str, prefix: str, node: str, handlers: Mapping[str, Handler]) -> None:
        self.node = node
        self._prefix = prefix
        self._handlers = dict(handlers)
        self._redis = aioredis.Redis.from_url(url, decode_responses=True)
        self._pubsub = self._redis.pubsub()
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._ids = itertools.count()
        self._listener: asyncio.Task[None] | None = None
        self._serving: set[asyncio.Task[None]] = set()

    def _channel(self, node: str) -> str:
        return f"{self._prefix}node:{node}"

    async def start(self) -> None:
        try:
            await self._pubsub.subscribe(self._channel(self.node))
        except (RedisError, OSError) as exc:
            raise StorageError(f"node bus unavailable: {exc}") from exc
        self._listener = asyncio.create_task(self._listen(), name="node-bus")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        for task in list(self._serving):
            task.cancel()
        await asyncio.gather(*self._serving, return_exceptions=True)
        for future in self._pending.values():
            future.cancel()
        with contextlib.suppress(RedisError, OSError):
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._redis.aclose()

    async def request(self, node: str, method: str, *args: Any) -> Any:
        """Call ``method`` on ``node``; RemoteError if it failed there, MediaError if silent."""
        request_id = f"{self.node}:{next(self._ids)}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message = {
            "kind": "req",
            "id": request_id,
            "from": self.node,
            "method": method,
            "args": args,
        }
        try:
            listeners = await self._redis.publish(self._channel(node), json.dumps(message))
            if not listeners:
                raise MediaNodeGone(f"media node {node} is not running")
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                return await future
        except TimeoutError:
            raise MediaError(f"media node {node} did not answer {method}") from None
        except (RedisError, OSError) as exc:
            raise StorageError(f"node bus unavailable: {exc}") from exc
        finally:
            self._pending.pop(request_id, None)

    async def _listen(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0
                )
            except asyncio.CancelledError:
                raise
            except Exception:  # a broken connection must not end the listener
                log.exception("node bus receive failed; retrying")
                await asyncio.sleep(1.0)
                continue
            if message is None:
                continue
            try:
                data = json.loads(message["data"])
            except (TypeError, ValueError):
                log.warning("node bus: unreadable message dropped")
                continue
            if data.get("kind") == "rep":
                future = self._pending.get(str(data.get("id")))
                if future is not None and not future.done():
                    if "error" in data:
                        future.set_exception(RemoteError(data["error"]))
                    else:
                        future.set_result(data.get("result"))
            elif data.get("kind") == "req":
                task = asyncio.create_task(self._serve(data))
                self._serving.add(task)
                task.add_done_callback(self._serving.discard)

    async def _serve(self, data: dict[str, Any]) -> None:
        reply: dict[str, Any] = {"kind": "rep", "id": data.get("id")}
        handler = self._handlers.get(str(data.get("method")))
        try:
            if handler is None:
                raise MediaError(f"unknown node-bus method {data.get('method')!r}")
            reply["result"] = await handler(*data.get("args", ()))
        except Error102 as exc:
            reply["error"] = exc.to_dict()
        except Exception as exc:
            log.exception("node bus: %s failed", data.get("method"))
            reply["error"] = {"code": MediaError.code, "message": f"{type(exc).__name__}: {exc}"}
        with contextlib.suppress(RedisError, OSError):
            await self._redis.publish(
                self._channel(str(data.get("from"))), json.dumps(reply, default=str)
            )
