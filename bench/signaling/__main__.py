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
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parents[2]
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_once(env: dict[str, str], callers: int, updates: int) -> dict[str, Any]:
    """Start `python -m server` in its own process, drive it, stop it."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "--log-level",
        "WARNING",
        cwd=ROOT,
        env={**env, "PORT": str(port), "HOST": "127.0.0.1"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    timings: dict[str, list[float]] = {}
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                if process.returncode is not None:
                    raise RuntimeError(f"the server exited with {process.returncode}")
                try:
                    async with http.get(f"{url}/api/health") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
        cpu_before = cpu_seconds(process.pid)
        start = time.perf_counter()
        await asyncio.gather(*(citizen(url, updates, timings) for _ in range(callers)))
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        process.send_signal(signal.SIGINT)
        await process.wait()
    events = sum(len(v) for v in timings.values())
    return {
        "events_per_s": round(events / elapsed, 1),
        "server_cpu_ms_per_event": round(cpu * 1000 / events, 3),
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
    redis_url = os.environ.get("E102_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("E102__")}
        env.update(
            {
                "E102__RECORDS__DATABASE_URL": f"sqlite:///{Path(tmp) / 'memory.sqlite3'}",
                # every simulated caller comes from 127.0.0.1: lift the per-address flood guard
                "E102__SERVER__CALLS_PER_MIN_PER_ADDRESS": "100000",
            }
        )
        result: dict[str, Any] = {
            "bench": "signaling",
            "callers": args.callers,
            "updates_per_call": args.updates,
            "memory": await run_once(env, args.callers, args.updates),
        }
        if await redis_reachable(redis_url):
            shared = {
                **env,
                "E102__RECORDS__DATABASE_URL": f"sqlite:///{Path(tmp) / 'redis.sqlite3'}",
                "E102__LIVE_STATE__REDIS_URL": redis_url,
                # env values are YAML scalars: quote a string holding colons
                "E102__LIVE_STATE__PREFIX": f'"bench102:{os.getpid()}:"',
            }
            result["redis"] = await run_once(shared, args.callers, args.updates)
            result["redis_vs_memory_throughput"] = round(
                result["redis"]["events_per_s"] / result["memory"]["events_per_s"], 2
            )
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
