"""Relay benchmark: ``python -m bench.relay --calls N --seconds S`` prints one JSON object.

The server's media path is ONE worker process (`media.workers.WorkerPool`, `media.worker_main`,
the same code the server runs with ``media.workers: 1``) started under ``taskset -c 0``.
Load-generator processes (`bench.relay.generator`) run under ``taskset -c 1``, as does this
driver, which plays signaling: it passes offers and answers between generators and the pool.

Each of the N calls has a citizen and an operator peer, each sending pre-encoded VP8 640x480 at
30 fps (~1 Mbit/s) and Opus at 50 packets/s, and counting what arrives without decoding. After
all calls connect and a warm-up, a window of S seconds is measured:

- ``fps_ratio`` / ``audio_ratio``: video frames / audio packets received over those sent;
- ``loss_pct``: RTP packets lost (receiver statistics at the generators) over those expected;
- ``latency_p95_ms``: end-to-end delay of video frames, generator -> server -> generator (an
  upper bound of what the server adds; it includes both ends' jitter buffers);
- ``server_cpu_pct_per_call``: the worker's utime+stime (/proc/PID/stat) over the window, as %
  of one core, divided by N; memory (VmRSS) and the worker's event-loop lag as it reports it;
- ``held``: fps and audio >= 95 %, loss < 1 %, p95 latency < 200 ms.

Then, on the same core, the decode/re-encode baseline (`bench.relay.transcode`) runs
``--baseline-calls`` calls (it cannot carry many) for ``--baseline-seconds``, and
``ratio`` = baseline CPU per call / forwarding CPU per call. ``--sweep 10,20,30`` runs several
N and prints one JSON line per N, then the largest N held.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import pickle
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import av

from bench.relay.media_loop import encode_audio_loop, encode_video_loop
from media.workers import WorkerPool
from server.settings import MediaSettings, RecordingSettings

SERVER_CORE, LOAD_CORE = 0, 1
CALLS_PER_GENERATOR = 6
GOALS = {"fps_ratio": 0.95, "audio_ratio": 0.95, "loss_pct": 1.0, "latency_p95_ms": 200.0}
TRANSCODE = "bench.relay.transcode:TranscodingRelay"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def core_busy_seconds(core: int) -> float:
    """Time core ``core`` spent on anything (all processes, irq, steal) since boot."""
    with open("/proc/stat") as handle:
        for line in handle:
            if line.startswith(f"cpu{core} "):
                user, nice, system, _idle, _iowait, irq, softirq, steal = map(
                    int, line.split()[1:9]
                )
                return (user + nice + system + irq + softirq + steal) / TICKS
    return 0.0


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None  # the baseline re-encodes: its frames cannot be matched to those sent
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def recorded_packets(finals: list[dict[str, Any] | None]) -> dict[str, int] | None:
    """Packets per stream in the first call's recording, read back with PyAV (demux only)."""
    first = next((f["recording"] for f in finals if f and f.get("recording")), None)
    if first is None:
        return None
    counts: dict[str, int] = {}
    with av.open(str(first["path"])) as container:
        for packet in container.demux():
            if packet.size:
                kind = packet.stream.type
                counts[kind] = counts.get(kind, 0) + 1
    return counts


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class GeneratorProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.connected = asyncio.Event()
        self.ok = False
        self.reports: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(message) + "\n").encode())


async def drive(generator: GeneratorProcess, pool: WorkerPool, errors: list[str]) -> None:
    assert generator.process.stdout is not None
    while line := await generator.process.stdout.readline():
        message = json.loads(line)
        if message["type"] == "offer":
            try:
                sdp = await pool.answer(message["call"], message["party"], message["sdp"])
            except Exception as exc:
                errors.append(f"{message['call']}/{message['party']}: {exc!r}")
                continue
            generator.send(
                {"type": "answer", "call": message["call"], "party": message["party"], "sdp": sdp}
            )
        elif message["type"] == "connected":
            generator.ok = bool(message["ok"])
            generator.connected.set()
        elif message["type"] == "report":
            await generator.reports.put(message)


async def run_point(
    calls: int,
    seconds: float,
    warmup: float,
    loops_file: Path,
    registry: str,
    recording: RecordingSettings,
) -> dict[str, Any]:
    media = MediaSettings(
        host_candidates=("127.0.0.1",),
        workers=1,
        max_loop_lag_ms=1e9,
        connect_timeout_s=60.0,
        offer_timeout_s=60.0,
    )
    pool = WorkerPool(
        media,
        recording,
        registry=registry,
        launcher=("taskset", "-c", str(SERVER_CORE)),
        log_level="WARNING",
    )
    await pool.start()
    pid = pool.health()[0].pid
    print(f"bench.relay: {registry} worker pid {pid}, {calls} calls", file=sys.stderr, flush=True)
    idle_rss = rss_mb(pid)
    generators: list[GeneratorProcess] = []
    tasks: list[asyncio.Task[None]] = []
    errors: list[str] = []
    call_ids = [f"bench-{i}" for i in range(calls)]
    try:
        for start in range(0, calls, CALLS_PER_GENERATOR):
            process = await asyncio.create_subprocess_exec(
                "taskset",
                "-c",
                str(LOAD_CORE),
                sys.executable,
                "-m",
                "bench.relay.generator",
                str(loops_file),
                *call_ids[start : start + CALLS_PER_GENERATOR],
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=64 * 1024 * 1024,  # a report carries every latency sample
            )
            generators.append(GeneratorProcess(process))
            tasks.append(asyncio.create_task(drive(generators[-1], pool, errors)))
        started = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(g.connected.wait() for g in generators)), 90)
        connect_s = time.monotonic() - started
        if errors or not all(g.ok for g in generators):
            raise RuntimeError(f"calls did not connect: {errors[:3]}")
        await asyncio.sleep(warmup)

        gen_cpu0 = [cpu_seconds(g.process.pid) for g in generators]
        busy0 = [core_busy_seconds(SERVER_CORE), core_busy_seconds(LOAD_CORE)]
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        for g in generators:
            g.send({"type": "mark"})
        lags, rss = [], []
        while time.monotonic() - t0 < seconds:
            await asyncio.sleep(0.5)
            lags.append(pool.health()[0].lag_ms)
            rss.append(rss_mb(pid))
        for g in generators:
            g.send({"type": "report"})
        cpu1, t1 = cpu_seconds(pid), time.monotonic()
        busy1 = [core_busy_seconds(SERVER_CORE), core_busy_seconds(LOAD_CORE)]
        gen_cpu1 = [cpu_seconds(g.process.pid) for g in generators]
        reports = []
        for g, task in zip(generators, tasks, strict=True):
            waiting = asyncio.ensure_future(g.reports.get())
            await asyncio.wait({waiting, task}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
            if not waiting.done():
                waiting.cancel()
                failure = task.exception() if task.done() else None
                raise RuntimeError(f"a load generator sent no report ({failure!r})")
            reports.append(waiting.result())
        finals = await asyncio.gather(*(pool.close_call(c) for c in call_ids))
        playable = recorded_packets(finals)
    finally:
        for g in generators:
            if g.process.returncode is None:
                g.send({"type": "stop"})
        for g in generators:
            try:
                await asyncio.wait_for(g.process.wait(), 10)
            except TimeoutError:
                g.process.kill()
                await g.process.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await pool.close_all()

    def total(key: str) -> int:
        return sum(int(r[key]) for r in reports)

    latencies = [v for r in reports for v in r["latencies_ms"]]
    expected = total("rtp_received") + total("rtp_lost")
    cpu_pct = (cpu1 - cpu0) / (t1 - t0) * 100
    recordings = [f.get("recording") for f in finals if f]
    result = {
        "calls": calls,
        "seconds": round(t1 - t0, 1),
        "connect_s": round(connect_s, 2),
        "fps_sent": round(total("video_sent") / (t1 - t0) / (2 * calls), 1),
        "fps_ratio": round(total("video_received") / max(1, total("video_sent")), 4),
        "worst_leg_fps_ratio": round(min(r["worst_leg_fps_ratio"] for r in reports), 4),
        "audio_ratio": round(total("audio_received") / max(1, total("audio_sent")), 4),
        "loss_pct": round(100 * total("rtp_lost") / max(1, expected), 3),
        "latency_p50_ms": rounded(percentile(latencies, 0.5)),
        "latency_p95_ms": rounded(percentile(latencies, 0.95)),
        "server_cpu_pct": round(cpu_pct, 1),
        "server_cpu_pct_per_call": round(cpu_pct / calls, 2),
        # Every packet the generators received left the server once and (as the same media)
        # entered it once: the server handled about twice that many packets.
        "server_us_per_packet": round((cpu1 - cpu0) / max(1, 2 * total("rtp_received")) * 1e6, 1),
        "server_rss_mb": round(max(rss), 1),
        "server_rss_idle_mb": round(idle_rss, 1),
        "server_rss_mb_per_call": round((max(rss) - idle_rss) / calls, 2),
        "loop_lag_p95_ms": rounded(percentile(lags, 0.95)),
        "loop_lag_max_ms": round(max(lags), 1),
        "generator_cpu_pct": round(
            sum(b - a for a, b in zip(gen_cpu0, gen_cpu1, strict=True)) / (t1 - t0) * 100, 1
        ),
        # Other engineers' jobs share this machine: what else ran on each core in the window.
        "server_core_other_pct": round(
            max(0.0, (busy1[0] - busy0[0]) / (t1 - t0) * 100 - cpu_pct), 1
        ),
        "load_core_busy_pct": round((busy1[1] - busy0[1]) / (t1 - t0) * 100, 1),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "recorded_calls": sum(1 for r in recordings if r),
        "recording_bytes": sum(int(r["size"]) for r in recordings if r),
        "recording_packets_first_call": playable,
    }
    result["held"] = bool(
        result["fps_ratio"] >= GOALS["fps_ratio"]
        and result["audio_ratio"] >= GOALS["audio_ratio"]
        and result["loss_pct"] < GOALS["loss_pct"]
        and (result["latency_p95_ms"] or math.inf) < GOALS["latency_p95_ms"]
    )
    return result


async def bench(args: argparse.Namespace) -> None:
    os.sched_setaffinity(0, {LOAD_CORE})  # the driver is load, not server
    with tempfile.TemporaryDirectory(prefix="bench-relay-") as tmp:
        loops_file = Path(tmp) / "loops.pickle"
        loops = {"video": encode_video_loop(), "audio": encode_audio_loop()}
        loops_file.write_bytes(pickle.dumps(loops))
        recording = RecordingSettings(enabled=not args.no_recording, dir=Path(tmp) / "rec")
        baseline = None
        if args.baseline_calls > 0:
            baseline = await run_point(
                args.baseline_calls,
                args.baseline_seconds,
                args.warmup,
                loops_file,
                TRANSCODE,
                replace(recording, enabled=False),
            )
            print(f"bench.relay: baseline {json.dumps(baseline)}", file=sys.stderr, flush=True)
        results = []
        for calls in args.calls:
            point = await run_point(
                calls,
                args.seconds,
                args.warmup,
                loops_file,
                "media.registry:PeerRegistry",
                recording,
            )
            point["baseline_cpu_pct_per_call"] = (
                baseline["server_cpu_pct_per_call"] if baseline else None
            )
            point["ratio"] = (
                round(baseline["server_cpu_pct_per_call"] / point["server_cpu_pct_per_call"], 1)
                if baseline and point["server_cpu_pct_per_call"]
                else None
            )
            point["baseline"] = baseline and {
                k: baseline[k]
                for k in (
                    "calls",
                    "fps_ratio",
                    "audio_ratio",
                    "loss_pct",
                    "latency_p95_ms",
                    "server_cpu_pct",
                    "held",
                )
            }
            point["recording"] = point["recorded_calls"] > 0
            point["machine"] = f"{os.cpu_count()} cpu, {platform.processor() or platform.machine()}"
            results.append(point)
            print(json.dumps(point), flush=True)
        if len(results) > 1:
            held = [r["calls"] for r in results if r["held"]]
            print(
                json.dumps(
                    {
                        "largest_held": max(held) if held else 0,
                        "points": [r["calls"] for r in results],
                    }
                ),
                flush=True,
            )


def main() -> None:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.relay", description=summary)
    parser.add_argument("--calls", type=int, help="one point: N concurrent calls")
    parser.add_argument("--sweep", help="several points, e.g. 10,20,30")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window per point")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--baseline-calls", type=int, default=2)
    parser.add_argument("--baseline-seconds", type=float, default=15.0)
    parser.add_argument("--no-recording", action="store_true")
    args = parser.parse_args()
    if (args.calls is None) == (args.sweep is None):
        parser.error("give --calls N or --sweep N,M,...")
    args.calls = [args.calls] if args.calls else [int(n) for n in args.sweep.split(",")]
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
