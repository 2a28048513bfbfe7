"""Browser stand-ins for supervisor tests: parties that keep what they hear, and the supervisor's
three-m-line leg (docs/protocol.md, /supervisor).

Each speaker plays its own tone, so a listener can tell who it hears: the energy at a speaker's
frequency in the last half second of decoded audio.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

import numpy as np
from aiortc import MediaStreamTrack, RTCRtpSender
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

from media import hooks
from tests.media.clients import AUDIO_RATE, Client, MovingPicture, Tone

LISTEN_WINDOW_S = 0.5
CALLER_HZ, OPERATOR_HZ, SUPERVISOR_HZ = 440.0, 660.0, 1000.0


class Ears:
    """The newest decoded audio of one track, mono 48 kHz."""

    def __init__(self) -> None:
        self.frames = 0
        self._chunks: deque[np.ndarray] = deque(maxlen=int(2 * AUDIO_RATE / 960))

    def hear(self, frame: AudioFrame) -> None:
        self.frames += 1
        pcm = frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0]
        self._chunks.append(pcm.astype(np.float64))

    def loudness_at(self, hz: float) -> float:
        """Share of the last half second's energy within 20 Hz of ``hz`` (0..1)."""
        wanted = int(LISTEN_WINDOW_S * AUDIO_RATE)
        if not self._chunks:
            return 0.0
        pcm = np.concatenate(list(self._chunks))[-wanted:]
        spectrum = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm)))) ** 2
        freqs = np.fft.rfftfreq(len(pcm), 1 / AUDIO_RATE)
        total = float(spectrum.sum())
        near = float(spectrum[np.abs(freqs - hz) <= 20].sum())
        return near / total if total > 0 else 0.0


class Party(Client):
    """A citizen or operator browser that plays a tone of its own and keeps what it hears."""

    def __init__(self, tone_hz: float, video_size: tuple[int, int] = (320, 240)) -> None:
        super().__init__(video_size=video_size)
        self.tone_hz = tone_hz
        self.ears = Ears()

    async def offer(self) -> str:
        video = self.pc.addTransceiver(MovingPicture(*self.video_size), direction="sendrecv")
        self.pc.addTransceiver(Tone(self.tone_hz), direction="sendrecv")
        codecs = RTCRtpSender.getCapabilities("video").codecs
        video.setCodecPreferences([c for c in codecs if c.mimeType == "video/VP8"])
        await hooks.add_host_candidates(self.pc, ["127.0.0.1"])
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp: str = self.pc.localDescription.sdp
        return sdp

    async def _consume(self, track: MediaStreamTrack) -> None:
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
                self.ears.hear(frame)


class SupervisorPeer(Client):
    """The supervisor page's leg: m-line 0 audio sendrecv (caller's audio in, our tone out),
    m-line 1 video recvonly (caller's video), m-line 2 audio recvonly (operator's audio)."""

    def __init__(self) -> None:
        super().__init__()
        self.caller_audio = Ears()
        self.operator_audio = Ears()
        self.caller_video: list[tuple[float, int, int]] = []

    async def offer(self) -> str:
        talk = self.pc.addTransceiver(Tone(SUPERVISOR_HZ), direction="sendrecv")
        video = self.pc.addTransceiver("video", direction="recvonly")
        listen = self.pc.addTransceiver("audio", direction="recvonly")
        codecs = RTCRtpSender.getCapabilities("video").codecs
        video.setCodecPreferences([c for c in codecs if c.mimeType in ("video/VP8", "video/rtx")])
        self._ears = {
            id(talk.receiver): self.caller_audio,
            id(listen.receiver): self.operator_audio,
        }
        await hooks.add_host_candidates(self.pc, ["127.0.0.1"])
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp: str = self.pc.localDescription.sdp
        return sdp

    def _on_track(self, track: MediaStreamTrack) -> None:
        ears = None
        for transceiver in self.pc.getTransceivers():
            if transceiver.receiver.track is track:
                ears = self._ears.get(id(transceiver.receiver))
        task = asyncio.create_task(self._listen(track, ears))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _listen(self, track: MediaStreamTrack, ears: Ears | None) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if isinstance(frame, VideoFrame):
                self.caller_video.append((time.monotonic(), frame.width, frame.height))
            elif ears is not None and isinstance(frame, AudioFrame):
                ears.hear(frame)
