"""Signaling throughput and latency: `python -m bench.signaling [--callers N] [--updates K]`.

A real 102 server (one process, on loopback) takes N concurrent citizens, each starting a
call, sending K location updates and hanging up, while one operator is signed in. Measured:
acknowledgement latency (p50/p95/p99) per event kind, and events per second. The same run is
made with the in-memory live state and with Redis (if reachable), and the ratio printed:
the cost of sharing state between nodes. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import socketio
from aiohttp.test_utils import TestServer

from geo.service import GeoService
from server.app import create_app
from server.settings import Settings, load_settings

ALMATY = (43.2389, 76.8897)


def quantiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100)
    return {
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
    }


async def citizen(url: str, updates: int, timings: dict[str, list[float]]) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, namespaces=["/citizen"], transports=["websocket"])
    try:

        async def timed(kind: str, event: str, data: dict[str, Any]) -> dict[str, Any]:
            start = time.perf_counter()
            ack = await client.call(event, data, namespace="/citizen", timeout=30)
            timings.setdefault(kind, []).append(time.perf_counter() - start)
            assert ack["ok"], ack
            return dict(ack)

        def fix(step: int) -> dict[str, Any]:
            lat, lon = ALMATY
            return {"lat": lat + step * 1e-4, "lon": lon, "accuracy_m": 12, "fixed_at": time.time()}

        started = await timed("call:start", "call:start", {"media": "audio", "location": fix(0)})
        call_id = started["call"]["id"]
        for step in range(1, updates + 1):
            await timed(
                "location:update", "location:update", {"call_id": call_id, "location": fix(step)}
            )
        await timed("call:hangup", "call:hangup", {"call_id": call_id})
    finally:
        await client.disconnect()
        if client.eio.http is not None:
            await client.eio.http.close()


async def run_once(
    settings: Settings, geo: GeoService, callers: int, updates: int
) -> dict[str, Any]:
    server = TestServer(create_app(settings, geo=geo), host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    timings: dict[str, list[float]] = {}
    try:
        start = time.perf_counter()
        await asyncio.gather(*(citizen(url, updates, timings) for _ in range(callers)))
        elapsed = time.perf_counter() - start
    finally:
        await server.close()
    events = sum(len(v) for v in timings.values())
    return {
        "events_per_s": round(events / elapsed, 1),
        "seconds": round(elapsed, 2),
        **{kind: quantiles(values) for kind, values in timings.items()},
    }


async def redis_reachable(url: str) -> bool:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    try:
        await client.ping()
        return True
    except Exception:
        return False
    finally:
        await client.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.signaling")
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--updates", type=int, default=10)
    args = parser.parse_args()
    base = load_settings(env={})
    geo = GeoService.from_settings(base.geo, base.centres)
    redis_url = os.environ.get("E102_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(
            base,
            database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            # every simulated caller comes from 127.0.0.1: lift the per-address flood guard
            server=replace(base.server, calls_per_min_per_address=100_000),
        )
        result: dict[str, Any] = {
            "bench": "signaling",
            "callers": args.callers,
            "updates_per_call": args.updates,
            "memory": await run_once(settings, geo, args.callers, args.updates),
        }
        if await redis_reachable(redis_url):
            shared = replace(settings, redis_url=redis_url, redis_prefix=f"bench102:{os.getpid()}:")
            result["redis"] = await run_once(shared, geo, args.callers, args.updates)
            result["redis_vs_memory_throughput"] = round(
                result["redis"]["events_per_s"] / result["memory"]["events_per_s"], 2
            )
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
