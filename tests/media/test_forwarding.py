"""End to end: real aiortc peers (citizen, operator) through a PeerRegistry over loopback."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import pytest
from aiortc import sdp

from domain.errors import InvalidSdp, UnknownCall
from media import PeerRegistry, hooks
from media.fastpath import is_tuned
from media.offer import primary_ssrc
from server.settings import MediaSettings
from tests.media.clients import Client, wait_for

SETTINGS = MediaSettings(host_candidates=("127.0.0.1",), connect_timeout_s=10.0)


@pytest.fixture
async def registry() -> AsyncIterator[PeerRegistry]:
    peers = PeerRegistry(SETTINGS)
    yield peers
    await peers.close_all()


async def join(registry: PeerRegistry, call_id: str, party: str, client: Client) -> str:
    answer = await registry.answer(call_id, party, await client.offer())
    await client.accept(answer)
    return answer


def video_sizes(client: Client) -> set[tuple[int, int]]:
    return {(w, h) for _, w, h, _ in client.received.video}


async def test_forwards_both_ways_without_decoding(
    registry: PeerRegistry, clients: Callable[..., Client], decoders: list[str]
) -> None:
    citizen = clients(video_size=(320, 240))
    operator = clients(video_size=(160, 120))
    await join(registry, "c1", "citizen", citizen)
    await join(registry, "c1", "operator", operator)

    await wait_for(
        lambda: len(operator.received.video) >= 15 and len(citizen.received.video) >= 15
        and operator.received.audio >= 25 and citizen.received.audio >= 25,
        within=8,
    )
    assert video_sizes(operator) == {(320, 240)}
    assert video_sizes(citizen) == {(160, 120)}

    stats = registry.stats("c1")
    assert stats["legs"] == {"citizen": "connected", "operator": "connected"}
    for direction in ("citizen->operator", "operator->citizen"):
        assert stats["forwarded"][direction]["video"]["frames"] >= 15
        assert stats["forwarded"][direction]["audio"]["frames"] >= 25
    assert stats["received"]["citizen"]["video"]["keyframes"] >= 1

    # Only the two clients decode (one audio and one video decoder each); the server none.
    assert sorted(decoders) == ["VP8", "VP8", "opus", "opus"]
    # Every server-side video receiver runs the lean NACK/bitrate helpers (media.fastpath).
    video_receivers = [
        receiver
        for leg in registry._calls["c1"].legs.values()
        for receiver in leg.pc.getReceivers()
        if receiver.track is not None and receiver.track.kind == "video"
    ]
    assert len(video_receivers) == 2 and all(map(is_tuned, video_receivers))

    final = await registry.close_call("c1")
    assert final is not None and final["forwarded"]["citizen->operator"]["video"]["frames"] >= 15
    await wait_for(lambda: citizen.ended.is_set() and operator.ended.is_set(), within=5)
    assert citizen.pc.connectionState in ("closed", "failed")
    assert operator.pc.connectionState in ("closed", "failed")
    assert registry.calls() == []
    with pytest.raises(UnknownCall):
        registry.stats("c1")


async def test_late_operator_gets_a_keyframe_quickly(
    registry: PeerRegistry, clients: Callable[..., Client], caplog: pytest.LogCaptureFixture
) -> None:
    citizen = clients(video_size=(320, 240))
    await join(registry, "c2", "citizen", citizen)
    await wait_for(citizen.connected.is_set)
    await wait_for(lambda: registry.stats("c2")["received"]["citizen"]["video"]["frames"] > 45)
    requests_before = citizen.keyframe_requests

    operator = clients(video_size=(160, 120))
    started = time.monotonic()
    await join(registry, "c2", "operator", operator)
    await wait_for(lambda: len(operator.received.video) >= 1, within=3)
    first_frame_s = operator.received.video[0][0] - started
    await wait_for(lambda: time.monotonic() - started > 2.0, within=3)

    assert first_frame_s < 1.0, f"first picture after {first_frame_s:.2f} s"
    assert len(operator.received.video) >= 30  # of ~60 sent in 2 s at 30 fps
    assert citizen.keyframe_requests > requests_before  # the PLI reached the citizen's browser
    assert not [r for r in caplog.records if "failed to decode" in r.getMessage()]
    stats = registry.stats("c2")
    assert stats["received"]["citizen"]["video"]["keyframe_requests"] >= 1
    # While no operator was there, nothing piled up: it was dropped at the tap.
    assert stats["forwarded"]["citizen->operator"]["video"]["frames"] <= len(
        operator.received.video
    ) + 5


async def test_viewer_keyframe_request_reaches_the_source(
    registry: PeerRegistry, clients: Callable[..., Client]
) -> None:
    citizen, operator = clients(), clients(video_size=(160, 120))
    await join(registry, "c3", "citizen", citizen)
    answer = await join(registry, "c3", "operator", operator)
    await wait_for(lambda: len(operator.received.video) >= 5)

    video = next(m for m in sdp.SessionDescription.parse(answer).media if m.kind == "video")
    server_ssrc = primary_ssrc(video)
    assert server_ssrc is not None
    receiver = next(t.receiver for t in operator.pc.getTransceivers() if t.kind == "video")
    before = citizen.keyframe_requests
    deadline = time.monotonic() + 3
    # Repeat like a browser does: the registry sends at most one request per 0.5 s upstream.
    while citizen.keyframe_requests == before and time.monotonic() < deadline:
        await hooks.send_pli(receiver, server_ssrc)
        await asyncio.sleep(0.2)
    assert citizen.keyframe_requests > before


async def test_replaced_leg_keeps_outgoing_timestamps_monotonic(
    registry: PeerRegistry, clients: Callable[..., Client]
) -> None:
    lost: list[tuple[str, str]] = []
    registry.on_party_lost(lambda call_id, party: lost.append((call_id, party)))
    first, operator = clients(), clients(video_size=(160, 120))
    await join(registry, "c4", "citizen", first)
    await join(registry, "c4", "operator", operator)
    await wait_for(lambda: len(operator.received.video) >= 10)

    second = clients(video_size=(320, 240))
    await join(registry, "c4", "citizen", second)  # the citizen reconnects
    await wait_for(first.ended.is_set)
    count = len(operator.received.video)
    await wait_for(lambda: len(operator.received.video) >= count + 15, within=5)
    await wait_for(lambda: len(second.received.video) >= 5)

    pts = [p for _, _, _, p in operator.received.video]
    steps = [b - a for a, b in itertools.pairwise(pts)]
    assert min(steps) > 0 and max(steps) < 90_000, steps
    assert registry.stats("c4")["forwarded"]["citizen->operator"]["video"]["source_changes"] == 2
    assert lost == []  # replacing a leg is not losing it


async def test_closed_browser_reports_party_lost(
    registry: PeerRegistry, clients: Callable[..., Client]
) -> None:
    lost: list[tuple[str, str]] = []

    async def on_lost(call_id: str, party: str) -> None:
        lost.append((call_id, party))

    registry.on_party_lost(on_lost)
    citizen, operator = clients(), clients()
    await asyncio.gather(  # both parties' offers in flight at once
        join(registry, "c5", "citizen", citizen), join(registry, "c5", "operator", operator)
    )
    await wait_for(lambda: citizen.connected.is_set() and operator.connected.is_set())

    await citizen.close()
    await wait_for(lambda: lost == [("c5", "citizen")], within=5)
    assert registry.stats("c5")["legs"] == {"operator": "connected"}

    await registry.close_party("c5", "operator")  # closed by us: not reported
    await wait_for(operator.ended.is_set)
    assert lost == [("c5", "citizen")]


async def test_offers_we_cannot_forward_are_invalid_sdp(
    registry: PeerRegistry, clients: Callable[..., Client]
) -> None:
    with pytest.raises(InvalidSdp, match="v=0"):
        await registry.answer("c6", "citizen", "this is not sdp")
    with pytest.raises(InvalidSdp, match="no audio or video"):
        await registry.answer("c6", "citizen", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n")
    with pytest.raises(InvalidSdp, match="limit"):
        await registry.answer("c6", "citizen", "v=0\r\n" + "a=x\r\n" * 10_000)
    h264_only = await clients(video_codec="H264").offer()
    with pytest.raises(InvalidSdp, match="VP8"):
        await registry.answer("c6", "citizen", h264_only)
    assert registry.calls() == []


async def test_leg_that_never_connects_is_lost(clients: Callable[..., Client]) -> None:
    registry = PeerRegistry(replace(SETTINGS, connect_timeout_s=0.5))
    lost: list[tuple[str, str]] = []
    registry.on_party_lost(lambda call_id, party: lost.append((call_id, party)))
    try:
        await registry.answer("c7", "citizen", await clients().offer())  # answer never applied
        await wait_for(lambda: lost == [("c7", "citizen")], within=3)
        assert registry.stats("c7")["legs"] == {}
    finally:
        await registry.close_all()
