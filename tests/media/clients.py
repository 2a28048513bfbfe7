"""Browser stand-ins for the media tests: aiortc peers playing synthetic VP8/Opus media."""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

from media import hooks

AUDIO_RATE = 48000
AUDIO_SAMPLES = 960  # 20 ms


class MovingPicture(VideoStreamTrack):
    """A gradient that moves every frame, so the encoder sends real inter frames."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self.width, self.height = width, height
        self._count = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        self._count += 1
        rows = self.height * 3 // 2
        base = np.add.outer(np.arange(rows), np.arange(self.width)) + self._count * 4
        frame = VideoFrame.from_ndarray((base % 256).astype(np.uint8), format="yuv420p")
        frame.pts, frame.time_base = pts, time_base
        return frame


class Tone(MediaStreamTrack):
    kind = "audio"

    def __init__(self, hz: float = 440.0) -> None:
        super().__init__()
        self._hz = hz
        self._start: float | None = None
        self._samples = 0

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._samples += AUDIO_SAMPLES
            await asyncio.sleep(self._start + self._samples / AUDIO_RATE - time.monotonic())
        t = (np.arange(AUDIO_SAMPLES) + self._samples) / AUDIO_RATE
        pcm = (np.sin(2 * math.pi * self._hz * t) * 8000).astype(np.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts, frame.time_base = self._samples, fractions.Fraction(1, AUDIO_RATE)
        return frame


@dataclass
class Received:
    video: list[tuple[float, int, int, int]] = field(default_factory=list)  # (at, w, h, pts)
    audio: int = 0


class Client:
    """One browser: sends a moving picture and a tone, records what it decodes."""

    def __init__(self, video_size: tuple[int, int] = (320, 240), video_codec: str = "VP8") -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video_size = video_size
        self.video_codec = video_codec
        self.received = Received()
        self.keyframe_requests = 0  # PLI/FIR that reached our video sender
        self.connected = asyncio.Event()
        self.ended = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_state)

    async def offer(self) -> str:
        video = self.pc.addTransceiver(MovingPicture(*self.video_size), direction="sendrecv")
        self.pc.addTransceiver(Tone(), direction="sendrecv")
        codecs = RTCRtpSender.getCapabilities("video").codecs
        video.setCodecPreferences([c for c in codecs if c.mimeType == f"video/{self.video_codec}"])
        # Count keyframe requests our encoder gets, then let aiortc's own handling run.
        force_keyframe = video.sender._send_keyframe

        def counted() -> None:
            self.keyframe_requests += 1
            force_keyframe()

        hooks.on_keyframe_request(video.sender, counted)
        await hooks.add_host_candidates(self.pc, ["127.0.0.1"])
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp: str = self.pc.localDescription.sdp
        return sdp

    async def accept(self, answer_sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))

    def _on_state(self) -> None:
        state = self.pc.connectionState
        if state == "connected":
            self.connected.set()
        elif state in ("closed", "failed"):
            self.ended.set()

    def _on_track(self, track: MediaStreamTrack) -> None:
        task = asyncio.create_task(self._consume(track))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _consume(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if isinstance(frame, VideoFrame):
                pts = frame.pts if frame.pts is not None else -1
                self.received.video.append((time.monotonic(), frame.width, frame.height, pts))
            else:
                self.received.audio += 1

    async def close(self) -> None:
        await self.pc.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def wait_for(predicate: Callable[[], object], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.02)
