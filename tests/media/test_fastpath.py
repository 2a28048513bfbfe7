"""The lean receiver helpers answer exactly like aiortc's originals, packet by packet."""

from __future__ import annotations

import random
from dataclasses import dataclass

from aiortc import RTCPeerConnection
from aiortc.rate import RateCounter
from aiortc.rtcrtpreceiver import NackGenerator

from media.fastpath import LeanNackGenerator, LeanRateCounter, is_tuned, tune_receiver


@dataclass
class Packet:
    sequence_number: int


def arrivals(rng: random.Random, count: int) -> list[int]:
    """Sequence numbers as a lossy, reordering network delivers them, wrapping at 65535."""
    seq, out = rng.randrange(65536), []
    for _ in range(count):
        seq = (seq + (1 if rng.random() > 0.05 else rng.randrange(2, 40))) & 0xFFFF
        out.append(seq)
        if rng.random() < 0.05:  # a retransmission or a late packet
            out.append((seq - rng.randrange(1, 200)) & 0xFFFF)
        if rng.random() < 0.002:  # a sender restart
            seq = rng.randrange(65536)
    return out


def test_nack_generator_matches_aiortc() -> None:
    rng = random.Random(102)
    for _ in range(10):
        ours, theirs = LeanNackGenerator(), NackGenerator()
        for seq in arrivals(rng, 1500):
            assert ours.add(Packet(seq)) == theirs.add(Packet(seq))  # type: ignore[arg-type]
            assert ours.missing == theirs.missing
            assert ours.max_seq == theirs.max_seq


def test_rate_counter_matches_aiortc() -> None:
    rng = random.Random(7)
    for _ in range(5):
        ours, theirs = LeanRateCounter(1000, 8000), RateCounter(1000, 8000)
        now = rng.randrange(10**9)
        for _ in range(1500):
            now += rng.choice((0, 0, 1, 3, 7, 33, 250, 1200, 4000))  # bursts, gaps, stalls
            if rng.random() < 0.01:
                ours.reset()
                theirs.reset()
            assert ours.rate(now) == theirs.rate(now)
            size = rng.randrange(20, 1300)
            ours.add(size, now)
            theirs.add(size, now)
            assert ours.rate(now) == theirs.rate(now)


async def test_tune_receiver_installs_on_video_only() -> None:
    pc = RTCPeerConnection()
    try:
        video = pc.addTransceiver("video").receiver
        audio = pc.addTransceiver("audio").receiver
        tune_receiver(video)
        tune_receiver(audio)  # nothing to replace on audio: a no-op
        assert is_tuned(video) and not is_tuned(audio)
        estimator = getattr(video, "_RTCRtpReceiver__remote_bitrate_estimator")  # noqa: B009
        assert isinstance(estimator.incoming_bitrate, LeanRateCounter)
    finally:
        await pc.close()
