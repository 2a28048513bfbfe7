"""Barge-in: a party's audio with the supervisor's voice mixed in.

The only place the server decodes anything, and only audio, only while a supervisor barges:
each party's outgoing audio is then the other party's Opus and the supervisor's Opus, decoded,
summed and encoded again (libopus, 20 ms frames, ~0.4 ms of CPU a frame). Video is never touched.
The primary party's frames drive the output: each one leaves with whatever supervisor audio
arrived since, so the output keeps the primary's timing and the supervisor waits at most one
frame. When barging stops, the registry points the party's track back at the plain source.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from av.audio.codeccontext import AudioCodecContext

from media.forward import EncodedFrame, ReceiveCounters, Source

logger = logging.getLogger(__name__)

RATE = 48000
MAX_PENDING = RATE // 5  # 200 ms of supervisor audio waiting; older samples are dropped
BITRATE = 32000
Samples = npt.NDArray[np.float32]


class _Tap:
    """Attached to a `Source` like a viewer; hands each frame to a callback."""

    def __init__(self, source: Source, on_frame: Callable[[EncodedFrame], None]) -> None:
        self.source: Source | None = source
        self._on_frame = on_frame
        source.viewers.add(self)

    def offer(self, frame: EncodedFrame) -> None:
        self._on_frame(frame)

    def detach(self) -> None:
        if self.source is not None:
            self.source.viewers.discard(self)
            self.source = None


def _decoder() -> AudioCodecContext:
    decoder = av.CodecContext.create("opus", "r")
    assert isinstance(decoder, AudioCodecContext)
    return decoder


class AudioMix:
    """``primary`` (a party's audio) plus ``extra`` (the supervisor's), as a new `Source`."""

    def __init__(self, primary: Source, extra: Source) -> None:
        self.primary, self.extra = primary, extra
        self.output = Source("audio", ReceiveCounters())
        self.mixed = 0  # frames sent out
        self._primary_decoder, self._extra_decoder = _decoder(), _decoder()
        encoder = av.CodecContext.create("libopus", "w")
        assert isinstance(encoder, AudioCodecContext)
        encoder.sample_rate, encoder.layout, encoder.format = RATE, "mono", "flt"
        encoder.time_base = Fraction(1, RATE)
        encoder.bit_rate = BITRATE
        self._encoder = encoder
        self._pending: Samples = np.zeros(0, dtype=np.float32)
        self._taps = [_Tap(primary, self._on_primary), _Tap(extra, self._on_extra)]

    def _decode(self, decoder: AudioCodecContext, frame: EncodedFrame) -> Samples | None:
        try:
            frames = decoder.decode(av.Packet(frame.data))
        except av.FFmpegError as exc:
            logger.debug("barge: undecodable Opus frame dropped: %s", exc)
            return None
        if not frames:
            return None
        planes = [f.to_ndarray().astype(np.float32, copy=False) for f in frames]
        # fltp: one row per channel; down-mix to mono
        return np.concatenate([p.reshape(p.shape[0], -1).mean(axis=0) for p in planes])

    def _on_extra(self, frame: EncodedFrame) -> None:
        samples = self._decode(self._extra_decoder, frame)
        if samples is not None:
            self._pending = np.concatenate([self._pending, samples])[-MAX_PENDING:]

    def _on_primary(self, frame: EncodedFrame) -> None:
        samples = self._decode(self._primary_decoder, frame)
        if samples is None:
            return
        count = len(samples)
        extra, self._pending = self._pending[:count], self._pending[count:]
        if len(extra) < count:
            extra = np.pad(extra, (0, count - len(extra)))
        mixed = np.clip(samples + extra, -1.0, 1.0).reshape(1, -1)
        pcm = av.AudioFrame.from_ndarray(mixed, format="flt", layout="mono")
        pcm.sample_rate, pcm.pts = RATE, frame.pts
        try:
            packets = self._encoder.encode(pcm)
        except av.FFmpegError as exc:
            logger.warning("barge: Opus encoding failed: %s", exc)
            return
        for packet in packets:
            pts = frame.pts if packet.pts is None else packet.pts
            self.mixed += 1
            self.output.push(EncodedFrame(bytes(packet), pts, RATE, True))

    def close(self) -> None:
        for tap in self._taps:
            tap.detach()
        self.output.end()
