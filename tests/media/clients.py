"""Browser stand-ins for the media tests: aiortc peers playing synthetic VP8/Opus media."""

from __future__ import annotations

import asyncio
import collections
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


class Pause:
    """While set, a client's tracks hand its senders nothing: no RTP leaves, ICE stays up."""

    def __init__(self) -> None:
        self._resumed = asyncio.Event()
        self._resumed.set()

    @property
    def on(self) -> bool:
        return not self._resumed.is_set()

    def set(self, on: bool) -> None:
        if on:
            self._resumed.clear()
        else:
            self._resumed.set()

    async def wait(self) -> None:
        await self._resumed.wait()


class MovingPicture(VideoStreamTrack):
    """A gradient that moves every frame, so the encoder sends real inter frames."""

    def __init__(self, width: int, height: int, pause: Pause | None = None) -> None:
        super().__init__()
        self.width, self.height = width, height
        self._count = 0
        self._pause = pause or Pause()

    async def recv(self) -> VideoFrame:
        await self._pause.wait()
        pts, time_base = await self.next_timestamp()
        self._count += 1
        rows = self.height * 3 // 2
        base = np.add.outer(np.arange(rows), np.arange(self.width)) + self._count * 4
        frame = VideoFrame.from_ndarray((base % 256).astype(np.uint8), format="yuv420p")
        frame.pts, frame.time_base = pts, time_base
        return frame


class Tone(MediaStreamTrack):
    kind = "audio"

    def __init__(self, hz: float = 440.0, pause: Pause | None = None) -> None:
        super().__init__()
        self._hz = hz
        self._start: float | None = None
        self._samples = 0
        self._pause = pause or Pause()

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._pause.on:
            await self._pause.wait()
            self._start = None  # carry on from now, not with a burst
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
    # Decoded audio per m-line (mid), newest last: what the user hears on that line.
    pcm: dict[str, collections.deque[np.ndarray]] = field(default_factory=dict)

    def tone_level(self, mid: str, hz: float, frames: int = 15) -> float:
        """How loud ``hz`` is in the last ``frames`` audio frames of line ``mid`` (0..~1)."""
        recent = list(self.pcm.get(mid, ()))[-frames:]
        if not recent:
            return 0.0
        samples = np.concatenate(recent).astype(np.float64)
        t = np.arange(len(samples)) / AUDIO_RATE
        # correlation with a complex tone: the amplitude at hz, whatever the phase
        level = abs(np.dot(samples, np.exp(-2j * np.pi * hz * t))) * 2 / len(samples)
        return float(level / 32768)


class Client:
    """One browser: sends a moving picture and a tone, records what it decodes.

    ``supervisor=True`` offers the supervisor page's m-lines instead: audio sendrecv (the tone),
    video recvonly, audio recvonly.
    """

    def __init__(
        self,
        video_size: tuple[int, int] = (320, 240),
        video_codec: str = "VP8",
        hz: float = 440.0,
        supervisor: bool = False,
    ) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video_size = video_size
        self.video_codec = video_codec
        self.hz = hz
        self.supervisor = supervisor
        self.pause = Pause()
        self.received = Received()
        self.keyframe_requests = 0  # PLI/FIR that reached our video sender
        self.connected = asyncio.Event()
        self.ended = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_state)

    async def offer(self) -> str:
        if self.supervisor:
            self.pc.addTransceiver(Tone(self.hz, self.pause), direction="sendrecv")
            self.pc.addTransceiver("video", direction="recvonly")
            self.pc.addTransceiver("audio", direction="recvonly")
            return await self._local_offer()
        video = self.pc.addTransceiver(
            MovingPicture(*self.video_size, self.pause), direction="sendrecv"
        )
        self.pc.addTransceiver(Tone(self.hz, self.pause), direction="sendrecv")
        codecs = RTCRtpSender.getCapabilities("video").codecs
        video.setCodecPreferences([c for c in codecs if c.mimeType == f"video/{self.video_codec}"])
        # Count keyframe requests our encoder gets, then let aiortc's own handling run.
        force_keyframe = video.sender._send_keyframe

        def counted() -> None:
            self.keyframe_requests += 1
            force_keyframe()

        hooks.on_keyframe_request(video.sender, counted)
        return await self._local_offer()

    async def _local_offer(self) -> str:
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
        mid = next(
            (t.mid for t in self.pc.getTransceivers() if t.receiver.track is track), None
        )
        pcm = self.received.pcm.setdefault(str(mid), collections.deque(maxlen=100))
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if isinstance(frame, VideoFrame):
                pts = frame.pts if frame.pts is not None else -1
                self.received.video.append((time.monotonic(), frame.width, frame.height, pts))
            elif isinstance(frame, AudioFrame):
                self.received.audio += 1
                samples = frame.to_ndarray()  # s16, interleaved channels
                pcm.append(samples.reshape(-1, len(frame.layout.channels)).mean(axis=1))

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
