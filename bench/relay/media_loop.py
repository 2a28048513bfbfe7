"""Synthetic media for the load generator: VP8 and Opus encoded ONCE, then replayed as packets.

The generator must not spend its core encoding: `encode_video_loop` encodes a 2-second loop of
a moving 640x480 picture at ~1 Mbit/s (keyframe first), `encode_audio_loop` one second of Opus,
and `PacketLoop` replays them at the source rate as `av.Packet`s, which aiortc packetizes
without encoding (`RTCRtpSender`: anything that is not an `av.Frame` goes to `encoder.pack`).
A keyframe request restarts the loop at its keyframe.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from collections.abc import Callable

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.stream import Stream

VIDEO_SIZE = (640, 480)
VIDEO_FPS = 30
VIDEO_BITRATE = 1_000_000
VIDEO_LOOP_FRAMES = 60
AUDIO_RATE = 48000
AUDIO_SAMPLES = 960  # 20 ms, as browsers send


def encode_video_loop(frames: int = VIDEO_LOOP_FRAMES) -> list[bytes]:
    width, height = VIDEO_SIZE
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.time_base = fractions.Fraction(1, VIDEO_FPS)
    codec.framerate = fractions.Fraction(VIDEO_FPS, 1)
    codec.bit_rate = VIDEO_BITRATE
    codec.gop_size = frames  # one keyframe per loop: the loop's first frame
    # libvpx's rate control overshoots on synthetic pictures; a fixed quantiser range on this
    # picture gives ~1.0 Mbit/s (keyframe ~7 KB, inter frames ~5 KB: 4-5 RTP packets each).
    codec.options = {
        "deadline": "realtime",
        "cpu-used": "8",
        "lag-in-frames": "0",
        "qmin": "45",
        "qmax": "53",
    }
    rng = np.random.default_rng(102)
    noise = rng.integers(0, 5, size=(height * 3 // 2, width), dtype=np.uint8)
    yy, xx = np.mgrid[0 : height * 3 // 2, 0:width]
    packets: list[bytes] = []
    for index in range(frames):
        # A drifting pattern plus shifting fine noise: real inter frames, each one distinct.
        pattern = 128 + 60 * np.sin((xx + index * 4) / 23.0) * np.cos((yy - index * 2) / 31.0)
        picture = pattern.astype(np.uint8) + np.roll(noise, index * 5, axis=1)
        frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
        frame.pts = index
        packets += [bytes(p) for p in codec.encode(frame)]
    packets += [bytes(p) for p in codec.encode(None)]
    return packets[:frames]


def encode_audio_loop(packets: int = 50) -> list[bytes]:
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate = AUDIO_RATE
    codec.layout = "stereo"
    codec.format = "s16"
    codec.bit_rate = 32000
    out: list[bytes] = []
    for index in range(packets + 5):
        t = (np.arange(AUDIO_SAMPLES) + index * AUDIO_SAMPLES) / AUDIO_RATE
        hz = 300 + 20 * (index % 17)  # distinct packets
        tone = (np.sin(2 * math.pi * hz * t) * 6000).astype(np.int16)
        pcm = np.repeat(tone, 2).reshape(1, -1)  # interleaved stereo
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = index * AUDIO_SAMPLES
        out += [bytes(p) for p in codec.encode(frame)]
    return out[:packets]


class PacketLoop(MediaStreamTrack):
    """Replays pre-encoded packets at ``rate`` per second, calling ``on_send(loop_index)``."""

    def __init__(
        self,
        kind: str,
        packets: list[bytes],
        rate: int,
        clock_rate: int,
        on_send: Callable[[int], None] = lambda _: None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self._packets = packets
        self._interval = 1.0 / rate
        self._step = clock_rate // rate
        self._time_base = fractions.Fraction(1, clock_rate)
        self._on_send = on_send
        self._start: float | None = None
        self._count = 0
        self._index = 0
        self.sent = 0

    def restart(self) -> None:
        """Next packet is the loop's first (the keyframe for video)."""
        self._index = 0

    async def recv(self) -> av.Packet[Stream]:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
        else:
            delay = self._start + self._count * self._interval - now
            if delay > 0:
                await asyncio.sleep(delay)
        index = self._index
        packet = av.Packet(self._packets[index])
        packet.pts = self._count * self._step
        packet.time_base = self._time_base
        self._index = (index + 1) % len(self._packets)
        self._count += 1
        self.sent += 1
        self._on_send(index)
        return packet
