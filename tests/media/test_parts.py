"""The pieces of the media path, one at a time (no network)."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError

from domain.errors import ConfigError, InvalidInput, InvalidSdp, MediaError
from media import PeerRegistry, hooks
from media.forward import EncodedFrame, ForwardCounters, ForwardTrack, ReceiveCounters, Source
from media.offer import cap_video_bitrate, parse_offer
from media.registry import ice_servers
from server.settings import MediaSettings

KEY = b"\x10\x02\x00\x9d\x01\x2a"  # P bit (bit 0 of byte 0) clear
DELTA = b"\x11\x02\x00"


def frame(pts: int, keyframe: bool = False, kind: str = "video") -> EncodedFrame:
    rate = 90000 if kind == "video" else 48000
    return EncodedFrame(KEY if keyframe else DELTA, pts, rate, keyframe)


def offer_sdp(*, video_codec: str = "VP8", extra: str = "") -> str:
    media = []
    for kind, mid, pt, codec in (("audio", "0", 111, "opus/48000/2"), ("video", "1", 96, "")):
        codec = codec or f"{video_codec}/90000"
        lines = [
            f"m={kind} 9 UDP/TLS/RTP/SAVPF {pt}" + (" 97" if kind == "video" else ""),
            "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:abcd",
            "a=ice-pwd:abcdefghijklmnopqrstuvwx",
            "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
            "a=setup:actpass",
            f"a=mid:{mid}",
            "a=sendrecv",
            "a=rtcp-mux",
            f"a=rtpmap:{pt} {codec}",
        ]
        if kind == "video":
            lines += [
                "a=rtpmap:97 rtx/90000",
                "a=fmtp:97 apt=96",
                "a=ssrc-group:FID 2222 1111",
                "a=ssrc:1111 cname:x",
                "a=ssrc:2222 cname:x",
            ]
        media.append("\r\n".join(lines))
    head = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    return head + "\r\n".join(media) + "\r\n" + extra


def test_vp8_keyframe_bit() -> None:
    from media.forward import is_vp8_keyframe

    assert is_vp8_keyframe(KEY)
    assert not is_vp8_keyframe(DELTA)
    assert not is_vp8_keyframe(b"")


def test_offer_primary_ssrc_is_the_first_of_the_fid_group() -> None:
    offer = parse_offer(offer_sdp())
    assert offer.lines["video"].primary_ssrc == 2222
    assert offer.lines["audio"].primary_ssrc is None
    assert offer.lines["video"].mid == "1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("hello", "v=0"),
        (offer_sdp(video_codec="H264"), "does not offer VP8"),
        (offer_sdp(extra="m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"), "application"),
        (offer_sdp().replace("a=rtcp-mux\r\n", ""), "rtcp-mux"),
        (offer_sdp().replace("a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n", ""), "ICE"),
        (
            offer_sdp().replace("m=audio", "m=video").replace("opus/48000/2", "VP8/90000"),
            "more than one video",
        ),
    ],
)
def test_offer_rejections(text: str, message: str) -> None:
    with pytest.raises(InvalidSdp, match=message):
        parse_offer(text)


def test_video_bitrate_cap_goes_in_the_video_section_only() -> None:
    answer = (
        "v=0\r\nm=audio 9 X 111\r\nc=IN IP4 0.0.0.0\r\na=x\r\n"
        "m=video 9 X 96\r\nc=IN IP4 0.0.0.0\r\na=y\r\n"
    )
    capped = cap_video_bitrate(answer, 1_500_000).split("\r\n")
    assert capped.count("b=AS:1500") == 1 and capped.count("b=TIAS:1500000") == 1
    at = capped.index("b=AS:1500")
    assert capped[at - 1] == "c=IN IP4 0.0.0.0" and capped[at - 2].startswith("m=video")


async def test_forward_track_waits_for_a_keyframe_then_rebases() -> None:
    requests: list[float] = []
    source = Source("video", ReceiveCounters(), request_upstream=lambda: requests.append(0))
    track = ForwardTrack("video", ForwardCounters())
    track.attach(source)
    source.push(frame(9000, keyframe=True))
    assert track.counters.dropped == 1  # the sender has not started: nothing queued
    assert requests == []

    first = asyncio.ensure_future(track.recv())  # the sender starts reading
    await asyncio.sleep(0)
    assert len(requests) == 1
    source.push(frame(12000))  # delta while waiting: dropped
    source.push(frame(15000, keyframe=True))
    source.push(frame(18000))
    packet = await first
    assert packet.pts == 0 and packet.time_base == Fraction(1, 90000)
    assert bytes(packet) == KEY
    assert (await track.recv()).pts == 3000
    assert track.counters.frames == 2 and track.counters.dropped == 2

    # A new source (another leg) with its own timestamps: pts continue, never go back.
    other = Source("video", ReceiveCounters())
    track.attach(other)
    assert not source.viewers and other.viewers == {track}
    other.push(frame(100, keyframe=True))
    rebased = (await track.recv()).pts
    assert rebased is not None and rebased > 3000
    track.stop()
    with pytest.raises(MediaStreamError):
        await track.recv()
    assert not other.viewers


async def test_forward_track_drops_a_stale_backlog() -> None:
    source = Source("audio", ReceiveCounters())
    track = ForwardTrack("audio", ForwardCounters())
    track.attach(source)
    reader = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)
    for i in range(40):
        source.push(frame(i * 960, keyframe=True, kind="audio"))
    first = (await reader).pts
    assert first is not None and first > 0  # the oldest frames went with the backlog
    assert track.counters.dropped == first // 960
    assert (await track.recv()).pts == first + 960
    track.stop()


def test_keyframe_requests_are_throttled() -> None:
    sent: list[int] = []
    source = Source("video", ReceiveCounters(), request_upstream=lambda: sent.append(1))
    for _ in range(10):
        source.request_keyframe()
    assert sent == [1] and source.counters.keyframe_requests == 1
    Source("audio", ReceiveCounters(), request_upstream=lambda: sent.append(2)).request_keyframe()
    assert sent == [1]


def test_ice_servers_from_settings() -> None:
    servers = ice_servers(({"urls": "turn:t.example:3478", "username": "u", "credential": "p"},))
    assert servers[0].urls == "turn:t.example:3478" and servers[0].username == "u"
    with pytest.raises(ConfigError):
        ice_servers(({"url": "stun:x"},))
    with pytest.raises(ConfigError):
        PeerRegistry(MediaSettings(ice_servers=({"urls": []},)))


async def test_no_ice_servers_means_no_public_stun_fallback() -> None:
    pc = RTCPeerConnection(RTCConfiguration(ice_servers(())))
    transceiver = pc.addTransceiver("audio")
    connection = transceiver.receiver.transport.transport.iceGatherer._connection
    assert connection.stun_server is None and connection.turn_server is None
    await pc.close()


async def test_tap_replaces_the_decoder_queue_once() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver: RTCRtpReceiver = pc.addTransceiver("video").receiver
    hooks.tap_receiver(receiver, "video", lambda f: None)
    assert hooks.is_tapped(receiver)
    with pytest.raises(RuntimeError, match="already tapped"):
        hooks.tap_receiver(receiver, "video", lambda f: None)
    await pc.close()


async def test_extra_host_candidates_are_offered() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("audio")
    await hooks.add_host_candidates(pc, ["127.0.0.1"])
    await pc.setLocalDescription(await pc.createOffer())
    assert " 127.0.0.1 " in pc.localDescription.sdp
    await pc.close()


async def test_registry_input_checks() -> None:
    registry = PeerRegistry(MediaSettings())
    with pytest.raises(InvalidInput, match="party"):
        await registry.answer("c", "bystander", offer_sdp())
    await registry.close_all()
    with pytest.raises(MediaError, match="shutting down"):
        await registry.answer("c", "citizen", offer_sdp())
    assert await registry.close_call("nope") is None


def test_supervisor_layout_is_checked_in_order() -> None:
    text = offer_sdp()
    audio = text[text.index("m=audio") : text.index("m=video")]
    extra = audio.replace("a=mid:0", "a=mid:2")
    supervisor = parse_offer(text + extra, ("audio", "video", "audio"))
    assert [line.kind for line in supervisor.media] == ["audio", "video", "audio"]
    assert [line.mid for line in supervisor.media] == ["0", "1", "2"]
    with pytest.raises(InvalidSdp, match="expected audio, video, audio"):
        parse_offer(text, ("audio", "video", "audio"))
    with pytest.raises(InvalidSdp, match="more than one audio"):
        parse_offer(text + extra)  # a party offers one audio line only
