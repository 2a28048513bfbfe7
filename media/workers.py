"""`WorkerPool`: the media path in worker processes, behind the same interface as `PeerRegistry`.

aiortc does all of a process's RTP, SRTP, ICE and DTLS work on its one event-loop thread, so a
process carries one core at most. The pool starts `media.workers` processes
(`media.worker_main`), pins each call to one of them (all of a call's legs must share a process:
media is forwarded between them in memory) and proxies the registry's methods over a socketpair
(`media.rpc`). The signaling process carries no media.

Admission: each worker reports its event-loop lag every half second. A NEW call goes to the
least-loaded worker whose lag is within `media.max_loop_lag_ms`; when none is, `MediaBusy` is
raised (signaling keeps the call queued) instead of degrading every call already up. A worker
that stops reporting counts as lagging by the time it has been silent.

A worker that dies (crash, OOM kill, kill -9): pending requests fail with `MediaError`, every
party of each of its calls is reported through `on_party_lost` (signaling ends or re-offers those
calls), its calls are unpinned so a re-offer lands on a live worker, and a replacement process is
started. Other workers' calls are untouched.

Errors reaching callers: those the registry raised, rebuilt from their code (`InvalidSdp`,
`UnknownCall`, ...), `MediaBusy`, or `MediaError` (worker gone, timed out, shut down).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from domain.errors import MediaBusy, MediaError, UnknownCall
from media import rpc
from media.worker_main import DEFAULT_REGISTRY, HEALTH_INTERVAL_S
from server.settings import ROOT, MediaSettings, RecordingSettings

logger = logging.getLogger("102.media.workers")

LostCallback = Callable[[str, str], Any]
STOP_TIMEOUT_S = 10.0
RESPAWN_DELAY_S = 1.0  # a worker that dies at start-up must not turn into a hot fork loop


class MediaPath(Protocol):
    """What signaling needs from the media path: a `PeerRegistry` or a `WorkerPool`."""

    def on_party_lost(self, callback: LostCallback) -> LostCallback: ...
    async def answer(self, call_id: str, party: str, offer_sdp: str) -> str: ...
    async def close_party(self, call_id: str, party: str) -> None: ...
    async def close_call(self, call_id: str) -> dict[str, Any] | None: ...
    async def set_barge(self, call_id: str, active: bool) -> None: ...
    async def close_all(self) -> None: ...
    def stats(self, call_id: str) -> dict[str, Any]: ...
    def calls(self) -> list[str]: ...


@dataclass(eq=False)
class Worker:
    slot: int
    process: asyncio.subprocess.Process
    writer: asyncio.StreamWriter
    started: float = field(default_factory=time.monotonic)
    last_health: float = field(default_factory=time.monotonic)
    lag_ms: float = 0.0
    alive: bool = True
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    next_id: int = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def effective_lag_ms(self, now: float) -> float:
        silent_ms = (now - self.last_health - HEALTH_INTERVAL_S) * 1000
        return max(self.lag_ms, silent_ms)


@dataclass(eq=False)
class PinnedCall:
    worker: Worker
    parties: set[str] = field(default_factory=set)
    answering: int = 0


@dataclass(frozen=True)
class WorkerHealth:
    slot: int
    pid: int
    alive: bool
    calls: int
    lag_ms: float


class WorkerPool:
    """`media.workers` processes, each running a `PeerRegistry`; calls pinned to one each."""

    def __init__(
        self,
        media: MediaSettings,
        recording: RecordingSettings,
        *,
        registry: str = DEFAULT_REGISTRY,
        launcher: Sequence[str] = (),
        log_level: str = "INFO",
    ) -> None:
        """``registry`` names the class each worker runs (``module:Class``, the benchmark's
        transcoding baseline uses it); ``launcher`` prefixes the worker command line (the
        benchmark pins workers with ``("taskset", "-c", "0")``)."""
        if media.workers < 1:
            raise MediaError("WorkerPool needs media.workers >= 1 (0 means in-process media)")
        self._media = media
        self._config = {
            "media": asdict(media),
            "recording": asdict(recording),
            "registry": registry,
            "log_level": log_level,
        }
        self._launcher = tuple(launcher)
        self._workers: list[Worker | None] = [None] * media.workers
        self._calls: dict[str, PinnedCall] = {}
        self._lost_callbacks: list[LostCallback] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._request_timeout = max(media.offer_timeout_s, 10.0) + 5.0

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every worker; raises `MediaError` if one cannot start."""
        try:
            await asyncio.gather(*(self._start_slot(slot) for slot in range(len(self._workers))))
        except BaseException:
            await self.close_all()
            raise

    async def _start_slot(self, slot: int) -> Worker:
        parent, child = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
        try:
            process = await asyncio.create_subprocess_exec(
                *self._launcher,
                sys.executable,
                "-m",
                "media.worker_main",
                str(child.fileno()),
                pass_fds=(child.fileno(),),
                env=env,
            )
        except OSError as exc:
            parent.close()
            raise MediaError(f"cannot start a media worker: {exc}") from exc
        finally:
            child.close()
        reader, writer = await asyncio.open_unix_connection(sock=parent)
        worker = Worker(slot, process, writer)
        self._workers[slot] = worker
        self._spawn(self._read(worker, reader))
        try:
            await self._request(worker, "init", self._config)
        except MediaError:
            self._kill(worker)
            raise
        worker.last_health = time.monotonic()
        logger.info("media worker %d started (pid %d)", slot, worker.pid)
        return worker

    async def close_all(self) -> None:
        """Close every call and stop the workers (they close their calls on end of stream)."""
        self._closed = True
        workers = [w for w in self._workers if w is not None]
        for worker in workers:
            worker.writer.close()
        for worker in workers:
            try:
                await asyncio.wait_for(worker.process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                logger.warning("media worker %d did not stop, killing it", worker.slot)
                self._kill(worker)
                await worker.process.wait()
        self._calls.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- the registry interface -------------------------------------------------------------

    def on_party_lost(self, callback: LostCallback) -> LostCallback:
        """Register ``callback(call_id, party)``: a leg failed, or its worker died."""
        self._lost_callbacks.append(callback)
        return callback

    async def answer(self, call_id: str, party: str, offer_sdp: str) -> str:
        pinned = self._calls.get(call_id)
        if pinned is None or not pinned.worker.alive:
            pinned = self._calls[call_id] = PinnedCall(self._admit())
        pinned.answering += 1
        try:
            answer: str = await self._request(pinned.worker, "answer", call_id, party, offer_sdp)
            pinned.parties.add(party)
            return answer
        finally:
            pinned.answering -= 1
            if not pinned.parties and not pinned.answering and self._calls.get(call_id) is pinned:
                del self._calls[call_id]  # a failed first offer pins nothing

    async def close_party(self, call_id: str, party: str) -> None:
        pinned = self._calls.get(call_id)
        if pinned is None:
            return
        pinned.parties.discard(party)
        await self._request(pinned.worker, "close_party", call_id, party)

    async def close_call(self, call_id: str) -> dict[str, Any] | None:
        """Close the call in its worker; its final stats (with ``recording``), None if unknown."""
        pinned = self._calls.pop(call_id, None)
        if pinned is None or not pinned.worker.alive:
            return None
        result: dict[str, Any] | None = await self._request(pinned.worker, "close_call", call_id)
        return result

    async def set_barge(self, call_id: str, active: bool) -> None:
        await self._request(self._pinned(call_id).worker, "set_barge", call_id, active)

    def stats(self, call_id: str) -> dict[str, Any]:
        """The worker's last report (at most ``HEALTH_INTERVAL_S * STATS_EVERY`` = 1 s old)."""
        pinned = self._pinned(call_id)
        empty = {"call_id": call_id, "legs": {}, "received": {}, "forwarded": {}}
        return pinned.worker.stats.get(call_id, empty)

    def calls(self) -> list[str]:
        return list(self._calls)

    # -- pool-only ----------------------------------------------------------------------------

    def health(self) -> list[WorkerHealth]:
        now = time.monotonic()
        counts: dict[int, int] = {}
        for pinned in self._calls.values():
            counts[pinned.worker.slot] = counts.get(pinned.worker.slot, 0) + 1
        return [
            WorkerHealth(w.slot, w.pid, w.alive, counts.get(w.slot, 0), w.effective_lag_ms(now))
            for w in self._workers
            if w is not None
        ]

    def worker_pid(self, call_id: str) -> int:
        return self._pinned(call_id).worker.pid

    # -- internals ----------------------------------------------------------------------------

    def _pinned(self, call_id: str) -> PinnedCall:
        pinned = self._calls.get(call_id)
        if pinned is None:
            raise UnknownCall(f"no media for call {call_id}")
        return pinned

    def _admit(self) -> Worker:
        if self._closed:
            raise MediaError("media is shutting down")
        now = time.monotonic()
        live = [w for w in self._workers if w is not None and w.alive]
        if not live:
            raise MediaError("no media worker is running")
        limit = self._media.max_loop_lag_ms
        ready = [w for w in live if w.effective_lag_ms(now) <= limit]
        if not ready:
            worst = min(w.effective_lag_ms(now) for w in live)
            raise MediaBusy(f"every media worker lags (least {worst:.0f} ms > {limit:.0f} ms)")
        load = {w.slot: 0 for w in ready}
        for pinned in self._calls.values():
            if pinned.worker.slot in load:
                load[pinned.worker.slot] += 1
        return min(ready, key=lambda w: (load[w.slot], w.effective_lag_ms(now)))

    async def _request(self, worker: Worker, method: str, *args: Any) -> Any:
        if not worker.alive:
            raise MediaError(f"media worker {worker.slot} is gone")
        worker.next_id += 1
        request_id = worker.next_id
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        worker.pending[request_id] = future
        try:
            worker.writer.write(rpc.encode({"id": request_id, "method": method, "args": args}))
            async with asyncio.timeout(self._request_timeout):
                return await future
        except TimeoutError as exc:
            raise MediaError(f"media worker {worker.slot}: {method} timed out") from exc
        finally:
            worker.pending.pop(request_id, None)

    async def _read(self, worker: Worker, reader: asyncio.StreamReader) -> None:
        try:
            while (message := await rpc.read_message(reader)) is not None:
                self._dispatch(worker, message)
        except Exception:
            logger.exception("media worker %d: unreadable message", worker.slot)
        finally:
            await self._reap(worker)

    def _dispatch(self, worker: Worker, message: dict[str, Any]) -> None:
        event = message.get("event")
        if event == "health":
            worker.last_health = time.monotonic()
            worker.lag_ms = float(message.get("lag_ms", 0.0))
            if "stats" in message:
                worker.stats = message["stats"] or {}
        elif event == "party_lost":
            call_id, party = str(message["call_id"]), str(message["party"])
            pinned = self._calls.get(call_id)
            if pinned is not None and pinned.worker is worker:
                pinned.parties.discard(party)
            self._spawn(self._tell_lost([(call_id, party)]))
        elif "id" in message:
            future = worker.pending.get(int(message["id"]))
            if future is None or future.done():
                return  # its caller timed out
            if "error" in message:
                future.set_exception(rpc.error_from_wire(message["error"]))
            else:
                future.set_result(message.get("result"))
        else:
            logger.warning("media worker %d: unknown message %r", worker.slot, message)

    async def _reap(self, worker: Worker) -> None:
        """The worker's socket closed: make sure the process is gone, then clean up after it."""
        worker.alive = False
        worker.writer.close()
        try:
            await asyncio.wait_for(worker.process.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            self._kill(worker)
            await worker.process.wait()
        for future in worker.pending.values():
            if not future.done():
                future.set_exception(MediaError(f"media worker {worker.slot} exited"))
        if self._closed:
            return
        logger.error(
            "media worker %d (pid %d) exited with %s",
            worker.slot,
            worker.pid,
            worker.process.returncode,
        )
        lost = []
        for call_id, pinned in list(self._calls.items()):
            if pinned.worker is worker:
                del self._calls[call_id]
                lost += [(call_id, party) for party in sorted(pinned.parties)]
        self._spawn(self._respawn(worker.slot))
        await self._tell_lost(lost)

    async def _respawn(self, slot: int) -> None:
        await asyncio.sleep(RESPAWN_DELAY_S)
        if self._closed:
            return
        try:
            await self._start_slot(slot)
        except MediaError:
            logger.exception("media worker %d could not be restarted", slot)

    async def _tell_lost(self, lost: list[tuple[str, str]]) -> None:
        for call_id, party in lost:
            for callback in list(self._lost_callbacks):
                try:
                    result = callback(call_id, party)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    logger.exception("on_party_lost callback failed for %s/%s", call_id, party)

    def _kill(self, worker: Worker) -> None:
        if worker.process.returncode is None:
            worker.process.kill()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
