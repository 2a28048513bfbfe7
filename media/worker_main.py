"""A media worker process: one event loop (uvloop), one registry, answering the pool over a socket.

Started by `media.workers.WorkerPool` as ``python -m media.worker_main FD`` where FD is its end
of a socketpair (see `media.rpc` for the wire). The first message it reads is ``init`` with the
media and recording settings; it answers ``ready``. Then it serves registry methods, reports
``health`` (event-loop lag, call stats) every `HEALTH_INTERVAL_S` and ``party_lost`` events.

Why a process per core: every RTP/SRTP/ICE/DTLS step of aiortc runs on the one event-loop thread
of its process, so one loop is one core at most. The loop-lag probe is what admission control
looks at: lag grows before video fps drop, and audio suffers first.

When the socket closes (the signaling process exited or was killed) the worker closes its calls
and exits, so no orphan keeps ports or recordings open.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import os
import signal
import socket
import sys
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

from domain import errors
from media import rpc
from server.settings import MediaSettings, RecordingSettings

logger = logging.getLogger("102.media.worker")

HEALTH_INTERVAL_S = 0.5
LAG_PROBE_S = 0.05
STATS_EVERY = 2  # health reports
# What the pool may call; anything else is refused (the socket is trusted, but bugs are not).
METHODS = frozenset({"answer", "close_party", "close_call", "set_barge", "stats", "calls"})
DEFAULT_REGISTRY = "media.registry:PeerRegistry"


def media_settings(data: dict[str, Any]) -> MediaSettings:
    known = {f.name for f in fields(MediaSettings)}
    values = {k: v for k, v in data.items() if k in known}
    values["ice_servers"] = tuple(values.get("ice_servers", ()))
    values["host_candidates"] = tuple(values.get("host_candidates", ()))
    return MediaSettings(**values)


def recording_settings(data: dict[str, Any]) -> RecordingSettings:
    known = {f.name for f in fields(RecordingSettings)}
    values = {k: v for k, v in data.items() if k in known}
    if "dir" in values:
        values["dir"] = Path(values["dir"])
    return RecordingSettings(**values)


def build_registry(spec: str, media: MediaSettings, recording: RecordingSettings) -> Any:
    """Instantiate ``module:Class`` with the media settings (and recording settings if taken)."""
    module_name, _, name = spec.partition(":")
    factory = getattr(importlib.import_module(module_name), name)
    params = inspect.signature(factory).parameters
    if len(params) >= 2 or "recording" in params:
        return factory(media, recording)
    return factory(media)


class LagProbe:
    """How late the loop wakes a timer: the worst lateness seen since the last `take()`."""

    def __init__(self) -> None:
        self.worst_ms = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(LAG_PROBE_S)
            late_ms = (loop.time() - start - LAG_PROBE_S) * 1000
            self.worst_ms = max(self.worst_ms, late_ms)

    def take(self) -> float:
        worst, self.worst_ms = self.worst_ms, 0.0
        return worst


class WorkerServer:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._registry: Any = None
        self._probe = LagProbe()
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, message: dict[str, Any]) -> None:
        if not self._writer.is_closing():
            self._writer.write(rpc.encode(message))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def serve(self) -> None:
        init = await rpc.read_message(self._reader)
        if init is None or init.get("method") != "init":
            raise SystemExit("media worker: no init message")
        config = init["args"][0]
        logging.getLogger().setLevel(config.get("log_level", "INFO"))
        media = media_settings(config["media"])
        recording = recording_settings(config["recording"])
        self._registry = build_registry(config.get("registry", DEFAULT_REGISTRY), media, recording)
        self._registry.on_party_lost(self._party_lost)
        probe = asyncio.create_task(self._probe.run())
        health = asyncio.create_task(self._report_health())
        self.send({"id": init.get("id"), "result": {"pid": os.getpid()}})
        try:
            while (message := await rpc.read_message(self._reader)) is not None:
                self._spawn(self._handle(message))
        finally:
            probe.cancel()
            health.cancel()
            await self._registry.close_all()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(probe, health, *self._tasks, return_exceptions=True)

    async def _handle(self, message: dict[str, Any]) -> None:
        request_id = message.get("id")
        method = message.get("method")
        try:
            if method not in METHODS:
                raise errors.InvalidInput(f"media worker has no method {method!r}")
            result = getattr(self._registry, str(method))(*message.get("args", ()))
            if inspect.isawaitable(result):
                result = await result
            self.send({"id": request_id, "result": result})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not isinstance(exc, errors.Error102):
                logger.exception("media worker: %s failed", method)
            self.send({"id": request_id, "error": rpc.error_to_wire(exc)})

    def _party_lost(self, call_id: str, party: str) -> None:
        self.send({"event": "party_lost", "call_id": call_id, "party": party})

    async def _report_health(self) -> None:
        beat = 0
        while True:
            await asyncio.sleep(HEALTH_INTERVAL_S)
            beat += 1
            report: dict[str, Any] = {
                "event": "health",
                "lag_ms": round(self._probe.take(), 2),
                "cpu_s": round(time.process_time(), 3),
            }
            # Stats of every call are the bulk of a report (~2 % of a loaded worker's core
            # at 0.5 s, profiled): send them at half the rate of the lag.
            if beat % STATS_EVERY == 0:
                report["stats"] = self._call_stats()
            self.send(report)

    def _call_stats(self) -> dict[str, Any]:
        stats = {}
        for call_id in self._registry.calls():
            try:
                stats[call_id] = self._registry.stats(call_id)
            except errors.Error102:
                continue  # closed between calls() and stats()
        return stats


async def main(fd: int) -> None:
    sock = socket.socket(fileno=fd)
    reader, writer = await asyncio.open_unix_connection(sock=sock)
    loop = asyncio.get_running_loop()
    server = WorkerServer(reader, writer)
    serving = asyncio.create_task(server.serve())
    # SIGTERM/SIGINT: close calls properly (recordings finalised) before exiting.
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, serving.cancel)
    try:
        await serving
    except asyncio.CancelledError:
        pass
    finally:
        writer.close()


def run(argv: list[str]) -> None:
    from server.log import configure

    configure("INFO")
    if len(argv) != 2 or not argv[1].isdigit():
        raise SystemExit("usage: python -m media.worker_main FD")
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        asyncio.run(main(int(argv[1])))
    else:
        uvloop.run(main(int(argv[1])))


if __name__ == "__main__":
    run(sys.argv)
