"""Media in worker processes: real aiortc peers through a 2-worker `WorkerPool` over loopback,
on its own and inside the whole server (`media.workers: 2`)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import av
import pytest

from domain.errors import InvalidSdp, MediaBusy, UnknownCall
from domain.roles import Role
from media.workers import WorkerPool
from server.keys import MEDIA
from server.settings import MediaSettings, RecordingSettings, Settings
from tests.fixtures_app import Client as SocketClient
from tests.fixtures_app import Running, location
from tests.functional.test_call_flow import ALMATY, operator_online
from tests.media.clients import Client, wait_for

SETTINGS = MediaSettings(
    host_candidates=("127.0.0.1",), connect_timeout_s=10.0, workers=2, max_loop_lag_ms=250.0
)


@pytest.fixture
async def pool(tmp_path: Any) -> AsyncIterator[WorkerPool]:
    workers = WorkerPool(SETTINGS, RecordingSettings(enabled=False, dir=tmp_path))
    await workers.start()
    yield workers
    for health in workers.health():  # a test may leave a worker stopped
        if health.alive:
            os.kill(health.pid, signal.SIGCONT)
    await workers.close_all()


@pytest.fixture
def peers(clients: Callable[..., Client]) -> Callable[..., Client]:
    """Browser stand-ins (tests/media/conftest.py's ``clients``, which shadows the root one)."""
    return clients


@pytest.fixture
async def sockets() -> AsyncIterator[Callable[[str], SocketClient]]:
    """Socket.IO clients, as tests.fixtures_app's ``clients`` makes them."""
    made: list[SocketClient] = []

    def make(namespace: str) -> SocketClient:
        made.append(SocketClient(namespace))
        return made[-1]

    yield make
    for client in made:
        await client.close()


async def call(
    pool: WorkerPool, call_id: str, make: Callable[..., Client]
) -> tuple[Client, Client]:
    citizen, operator = make(video_size=(320, 240)), make(video_size=(160, 120))
    await citizen.accept(await pool.answer(call_id, "citizen", await citizen.offer()))
    await operator.accept(await pool.answer(call_id, "operator", await operator.offer()))
    return citizen, operator


def flowing(citizen: Client, operator: Client, frames: int) -> Callable[[], bool]:
    return lambda: min(len(citizen.received.video), len(operator.received.video)) >= frames


async def test_call_through_a_worker_forwards_both_ways(
    pool: WorkerPool, peers: Callable[..., Client]
) -> None:
    citizen, operator = await call(pool, "w1", peers)
    await wait_for(flowing(citizen, operator, 15), within=8)
    assert {(w, h) for _, w, h, _ in operator.received.video} == {(320, 240)}
    assert {(w, h) for _, w, h, _ in citizen.received.video} == {(160, 120)}
    assert operator.received.audio >= 20 and citizen.received.audio >= 20

    await wait_for(
        lambda: pool.stats("w1")["legs"] == {"citizen": "connected", "operator": "connected"}
    )
    assert pool.calls() == ["w1"]
    assert pool.worker_pid("w1") != os.getpid()  # the media is not in this process

    final = await pool.close_call("w1")
    assert final is not None and final["forwarded"]["citizen->operator"]["video"]["frames"] >= 15
    await wait_for(lambda: citizen.ended.is_set() and operator.ended.is_set())
    assert pool.calls() == []
    with pytest.raises(UnknownCall):
        pool.stats("w1")


async def test_registry_errors_come_back_as_themselves(pool: WorkerPool) -> None:
    with pytest.raises(InvalidSdp, match="v=0"):
        await pool.answer("w2", "citizen", "this is not sdp")
    assert pool.calls() == []  # a failed first offer pins nothing
    assert await pool.close_call("nobody") is None


async def test_dead_worker_loses_its_calls_only(
    pool: WorkerPool, peers: Callable[..., Client]
) -> None:
    lost: list[tuple[str, str]] = []
    pool.on_party_lost(lambda call_id, party: lost.append((call_id, party)))
    doomed = await call(pool, "w3", peers)
    survivor = await call(pool, "w4", peers)
    assert pool.worker_pid("w3") != pool.worker_pid("w4")  # spread over both workers
    await wait_for(lambda: flowing(*doomed, 5)() and flowing(*survivor, 5)(), within=8)

    dead_pid = pool.worker_pid("w3")
    os.kill(dead_pid, signal.SIGKILL)
    await wait_for(lambda: sorted(lost) == [("w3", "citizen"), ("w3", "operator")], within=5)
    assert pool.calls() == ["w4"]

    citizen, operator = survivor
    seen = len(operator.received.video), len(citizen.received.video)
    await wait_for(
        lambda: (
            len(operator.received.video) >= seen[0] + 20
            and len(citizen.received.video) >= seen[1] + 20
        ),
        within=5,
    )
    # A replacement worker takes the dead one's place; a re-offered call lands on a live worker.
    await wait_for(lambda: all(h.alive for h in pool.health()) and len(pool.health()) == 2)
    assert dead_pid not in {h.pid for h in pool.health()}
    again = await call(pool, "w3", peers)
    await wait_for(flowing(*again, 5), within=8)
    assert len(lost) == 2  # the survivor's parties were never reported


async def test_new_calls_refused_while_every_worker_lags(
    pool: WorkerPool, peers: Callable[..., Client]
) -> None:
    pids = [h.pid for h in pool.health()]
    for pid in pids:  # a stopped process is the worst lag there is
        os.kill(pid, signal.SIGSTOP)
    try:
        await wait_for(lambda: min(h.lag_ms for h in pool.health()) > 250, within=3)
        with pytest.raises(MediaBusy) as refused:
            await pool.answer("w5", "citizen", await peers().offer())
        assert refused.value.code == "media_busy"
        assert pool.calls() == []
    finally:
        os.kill(pids[1], signal.SIGCONT)

    # One worker recovers: new calls go to it, the lagging one gets none.
    started = time.monotonic()
    citizen, operator = peers(), peers()
    offer = await citizen.offer()
    while True:
        try:
            answer = await pool.answer("w5", "citizen", offer)
            break
        except MediaBusy:
            assert time.monotonic() - started < 3, "the recovered worker never took the call"
            await asyncio.sleep(0.1)
    await citizen.accept(answer)
    await operator.accept(await pool.answer("w5", "operator", await operator.offer()))
    assert pool.worker_pid("w5") == pids[1]
    await wait_for(flowing(citizen, operator, 5), within=8)
    os.kill(pids[0], signal.SIGCONT)


@pytest.fixture
def app_settings(app_settings: Settings) -> Settings:
    """The server of `running`, with its media in two worker processes."""
    media = replace(app_settings.media, workers=2, connect_timeout_s=10.0)
    return replace(app_settings, media=media)


async def test_server_ends_a_dead_workers_call_for_both_parties(
    running: Running,
    sockets: Callable[[str], SocketClient],
    peers: Callable[..., Client],
    app_settings: Settings,
) -> None:
    operator, _ = await operator_online(running, sockets, "op_workers")
    citizen = sockets("/citizen")
    await citizen.connect(running.url)
    started = await citizen.call("call:start", {"media": "video", "location": location(*ALMATY)})
    call_id = started["call"]["id"]
    caller, console = peers(video_size=(320, 240)), peers(video_size=(160, 120))
    answer = await citizen.call("media:offer", {"call_id": call_id, "sdp": await caller.offer()})
    await caller.accept(answer["sdp"])
    await operator.next("call:offered")
    assert (await operator.call("call:accept", {"call_id": call_id}))["ok"]
    answer = await operator.call("media:offer", {"call_id": call_id, "sdp": await console.offer()})
    await console.accept(answer["sdp"])
    await wait_for(flowing(caller, console, 10), within=10)
    await running.add_user("sup_workers", Role.SUPERVISOR)
    supervisor = sockets("/supervisor")
    await supervisor.connect(running.url, auth={"session": await running.login("sup_workers")})

    pool = running.app[MEDIA]
    assert isinstance(pool, WorkerPool)
    os.kill(pool.worker_pid(call_id), signal.SIGKILL)

    # The supervisor sees the worker's loss: one event per leg it carried.
    seen = [await supervisor.next("media:lost") for _ in range(2)]
    assert {(e["call_id"], e["party"]) for e in seen} == {
        (call_id, "citizen"),
        (call_id, "operator"),
    }

    told = [await citizen.next("media:lost") for _ in range(2)]
    assert sorted(event["party"] for event in told) == ["citizen", "operator"]
    assert (await operator.next("media:lost"))["call_id"] == call_id
    # The recording the dead worker was writing plays up to the kill.
    (recording,) = app_settings.recording.dir.glob(f"*/{call_id}.webm")
    with av.open(str(recording)) as container:
        kinds = {packet.stream.type for packet in container.demux() if packet.size}
    assert kinds == {"video", "audio"}

    # The call goes on: the caller re-offers and lands on a live worker.
    again = peers(video_size=(320, 240))
    answer = await citizen.call("media:offer", {"call_id": call_id, "sdp": await again.offer()})
    assert answer["ok"], answer
    await again.accept(answer["sdp"])
    await wait_for(again.connected.is_set, within=10)
