"""A supervisor looks into a live call (silent monitor), barges in, and the call is recorded.

Real aiortc peers through a PeerRegistry over loopback; each speaker plays its own tone, so a
listener's decoded audio tells whom it hears.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import av
import pytest

from domain.errors import InvalidSdp, UnknownCall
from media import PeerRegistry
from server.settings import MediaSettings, RecordingSettings
from tests.media.clients import Client, wait_for

SETTINGS = MediaSettings(host_candidates=("127.0.0.1",), connect_timeout_s=10.0)
CITIZEN_HZ, OPERATOR_HZ, SUPERVISOR_HZ = 440.0, 660.0, 1000.0
HEARD, SILENT = 0.04, 0.015  # tone amplitude (full scale 1; each tone plays at ~0.24)
# Audio m-line ids of the stand-ins: a party's audio is its second line, the supervisor's
# first line is the citizen and its third the operator.
PARTY_AUDIO, SUPERVISOR_CITIZEN, SUPERVISOR_VIDEO, SUPERVISOR_OPERATOR = "1", "0", "1", "2"


@pytest.fixture
async def registry(tmp_path: Path) -> AsyncIterator[PeerRegistry]:
    peers = PeerRegistry(SETTINGS, RecordingSettings(enabled=True, dir=tmp_path))
    yield peers
    await peers.close_all()


async def join(registry: PeerRegistry, call_id: str, party: str, client: Client) -> None:
    await client.accept(await registry.answer(call_id, party, await client.offer()))


def hears(client: Client, mid: str, hz: float) -> bool:
    return client.received.tone_level(mid, hz) > HEARD


def deaf_to(client: Client, mid: str, hz: float) -> bool:
    return client.received.tone_level(mid, hz) < SILENT


async def test_monitor_barge_and_recording(
    registry: PeerRegistry,
    clients: Callable[..., Client],
    decoders: list[str],
) -> None:
    citizen = clients(video_size=(320, 240), hz=CITIZEN_HZ)
    operator = clients(video_size=(160, 120), hz=OPERATOR_HZ)
    await join(registry, "s1", "citizen", citizen)
    await join(registry, "s1", "operator", operator)
    await wait_for(lambda: len(operator.received.video) >= 10 and hears(citizen, "1", OPERATOR_HZ))

    # A supervisor joins mid-call: the picture comes up at once (keyframe request upstream).
    supervisor = clients(hz=SUPERVISOR_HZ, supervisor=True)
    started = time.monotonic()
    await join(registry, "s1", "supervisor", supervisor)
    await wait_for(lambda: len(supervisor.received.video) >= 1, within=3)
    assert supervisor.received.video[0][0] - started < 1.0
    await wait_for(
        lambda: hears(supervisor, SUPERVISOR_CITIZEN, CITIZEN_HZ)
        and hears(supervisor, SUPERVISOR_OPERATOR, OPERATOR_HZ)
        and len(supervisor.received.video) >= 20,
        within=5,
    )
    assert {(w, h) for _, w, h, _ in supervisor.received.video} == {(320, 240)}
    assert deaf_to(supervisor, SUPERVISOR_CITIZEN, OPERATOR_HZ)  # one party per line
    assert deaf_to(supervisor, SUPERVISOR_OPERATOR, CITIZEN_HZ)

    # Silent monitor: neither party hears the supervisor.
    assert deaf_to(citizen, PARTY_AUDIO, SUPERVISOR_HZ)
    assert deaf_to(operator, PARTY_AUDIO, SUPERVISOR_HZ)

    # Barge: both parties hear the supervisor and still hear each other.
    await registry.set_barge("s1", True)
    await wait_for(
        lambda: hears(citizen, PARTY_AUDIO, SUPERVISOR_HZ)
        and hears(operator, PARTY_AUDIO, SUPERVISOR_HZ),
        within=5,
    )
    assert hears(citizen, PARTY_AUDIO, OPERATOR_HZ)
    assert hears(operator, PARTY_AUDIO, CITIZEN_HZ)
    assert registry.stats("s1")["barging"] is True

    await registry.set_barge("s1", False)
    await wait_for(
        lambda: deaf_to(citizen, PARTY_AUDIO, SUPERVISOR_HZ)
        and deaf_to(operator, PARTY_AUDIO, SUPERVISOR_HZ),
        within=5,
    )
    assert hears(citizen, PARTY_AUDIO, OPERATOR_HZ)

    # A second supervisor leg replaces the first.
    second = clients(hz=SUPERVISOR_HZ, supervisor=True)
    await join(registry, "s1", "supervisor", second)
    await wait_for(supervisor.ended.is_set)
    await wait_for(lambda: len(second.received.video) >= 1, within=3)

    final = await registry.close_call("s1")
    assert final is not None
    recording = final["recording"]
    path = Path(recording["path"])
    data = await asyncio.to_thread(path.read_bytes)
    assert recording["size"] == len(data)
    assert recording["sha256"] == hashlib.sha256(data).hexdigest()
    assert recording["started_at"] < recording["ended_at"]

    with av.open(str(path)) as container:
        streams = {s.metadata.get("title"): s for s in container.streams}
        counts = {title: 0 for title in streams}
        for packet in container.demux():
            if packet.size:
                counts[packet.stream.metadata.get("title")] += 1
    assert counts["citizen.video"] >= 30 and counts["operator.video"] >= 15
    assert counts["citizen.audio"] >= 50 and counts["operator.audio"] >= 50
    assert counts["supervisor.audio"] >= 10  # only while barging
    with av.open(str(path)) as container:
        first = next(container.decode(video=0))
        assert (first.width, first.height) == (320, 240)  # starts on a keyframe

    # The server decoded no video: every VP8 decoder belongs to a client's receiver.
    assert decoders.count("VP8") == 4  # citizen, operator, two supervisors


async def test_supervisor_offer_must_have_the_three_lines(
    registry: PeerRegistry, clients: Callable[..., Client]
) -> None:
    with pytest.raises(InvalidSdp, match="expected audio, video, audio"):
        await registry.answer("s2", "supervisor", await clients().offer())
    with pytest.raises(UnknownCall):
        await registry.set_barge("s2", True)


async def test_leg_that_stops_sending_rtp_is_lost(
    clients: Callable[..., Client], tmp_path: Path
) -> None:
    settings = MediaSettings(host_candidates=("127.0.0.1",), rtp_timeout_s=0.6)
    registry = PeerRegistry(settings, RecordingSettings(dir=tmp_path))
    lost: list[tuple[str, str]] = []
    registry.on_party_lost(lambda call_id, party: lost.append((call_id, party)))
    try:
        citizen, operator = clients(), clients()
        await join(registry, "s3", "citizen", citizen)
        await join(registry, "s3", "operator", operator)
        await wait_for(lambda: len(operator.received.video) >= 5)
        citizen.pause.set(True)  # the browser hangs: connected, but no media
        await wait_for(lambda: lost == [("s3", "citizen")], within=3)
        assert citizen.pc.connectionState != "failed"  # ICE alone would not have noticed yet
        assert registry.stats("s3")["legs"] == {"operator": "connected"}
        final = await registry.close_call("s3")
        assert final is not None and final["recording"]["size"] > 0  # closed properly
    finally:
        await registry.close_all()
