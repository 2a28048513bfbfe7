"""Encoded frames, where they come from (`Source`) and where they go (`ForwardTrack`).

A `Source` is one remote track of a leg: the tap in `media.hooks` hands it every encoded frame the
jitter buffer completes, and it fans them out to the `ForwardTrack`s attached to it. With no viewer
attached a frame is simply dropped, so a citizen waiting in the queue never piles up media.

A `ForwardTrack` is the track an outgoing `RTCRtpSender` reads. Its `recv()` returns `av.Packet`s,
which aiortc packetizes without encoding. Per viewer it
- drops video until a keyframe passes (after attaching, after a backlog), asking the source for
  one every `KEYFRAME_REQUEST_INTERVAL_S` meanwhile;
- rebases pts so the outgoing RTP timestamps stay monotonic when its source changes (a viewer
  joining mid-stream, a leg being replaced).

Everything here runs on the event loop thread and never blocks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.stream import Stream

logger = logging.getLogger(__name__)

KEYFRAME_REQUEST_INTERVAL_S = 0.5
# A sender reads as fast as frames come; a backlog means its transport stalled or was not started.
MAX_QUEUED_FRAMES = {"audio": 25, "video": 15}


def is_vp8_keyframe(data: bytes) -> bool:
    """VP8 payload header (RFC 6386 9.1): the P bit, bit 0 of the first byte, is 0 on keyframes."""
    return bool(data) and not data[0] & 0x01


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One whole encoded frame as the receiver's jitter buffer released it."""

    data: bytes
    pts: int  # RTP timestamp, rebased to start at 0 by aiortc, in 1/clock_rate units
    clock_rate: int
    keyframe: bool

    def to_packet(self, pts: int) -> av.Packet[Stream]:
        packet = av.Packet(self.data)
        packet.pts = pts
        packet.time_base = Fraction(1, self.clock_rate)
        return packet


class FrameViewer(Protocol):
    """What a `Source` hands its frames to: a `ForwardTrack`, a recording input, a mixer."""

    def offer(self, frame: EncodedFrame) -> None: ...

    def detach(self) -> None: ...


@dataclass
class ReceiveCounters:
    frames: int = 0
    keyframes: int = 0
    bytes: int = 0
    keyframe_requests: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "frames": self.frames,
            "keyframes": self.keyframes,
            "bytes": self.bytes,
            "keyframe_requests": self.keyframe_requests,
        }


@dataclass
class ForwardCounters:
    frames: int = 0  # handed to the sender (one av.Packet each)
    dropped: int = 0  # waiting for a keyframe, or stale backlog
    source_changes: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "frames": self.frames,
            "dropped": self.dropped,
            "source_changes": self.source_changes,
        }


@dataclass(eq=False)
class Source:
    """A remote track of one leg, as a stream of encoded frames."""

    kind: str
    counters: ReceiveCounters
    # Sends a keyframe request (RTCP PLI) to the browser; set by the registry.
    request_upstream: Callable[[], None] = lambda: None
    viewers: set[FrameViewer] = field(default_factory=set)
    ended: bool = False
    _last_request: float = -1e9

    def push(self, frame: EncodedFrame) -> None:
        self.counters.frames += 1
        self.counters.bytes += len(frame.data)
        if frame.keyframe and self.kind == "video":
            self.counters.keyframes += 1
        for viewer in list(self.viewers):
            viewer.offer(frame)

    def request_keyframe(self) -> None:
        """Throttled: one PLI answers every viewer waiting at that moment."""
        if self.kind != "video" or self.ended:
            return
        now = time.monotonic()
        if now - self._last_request < KEYFRAME_REQUEST_INTERVAL_S:
            return
        self._last_request = now
        self.counters.keyframe_requests += 1
        self.request_upstream()

    def end(self) -> None:
        self.ended = True
        for viewer in list(self.viewers):
            viewer.detach()


class ForwardTrack(MediaStreamTrack):
    """An outgoing track whose `recv()` returns encoded `av.Packet`s from its current source."""

    def __init__(self, kind: str, counters: ForwardCounters) -> None:
        super().__init__()
        self.kind = kind
        self.counters = counters
        self.source: Source | None = None
        self._queue: asyncio.Queue[tuple[EncodedFrame, int] | None] = asyncio.Queue()
        self._max_queued = MAX_QUEUED_FRAMES[kind]
        # Nothing is queued until the sender first asks: it only starts once DTLS is up.
        self._started = False
        self._waiting_keyframe = kind == "video"
        self._offset: int | None = None
        self._last_pts: int | None = None
        self._last_time = 0.0

    def attach(self, source: Source) -> None:
        if source is self.source:
            return
        self.detach()
        if self.readyState != "live":
            return
        self.source = source
        source.viewers.add(self)
        self.counters.source_changes += 1
        self._offset = None  # rebase on the first frame of this source
        if self.kind == "video":
            self._waiting_keyframe = True
            if self._started:
                source.request_keyframe()

    def detach(self) -> None:
        if self.source is not None:
            self.source.viewers.discard(self)
            self.source = None

    def request_keyframe(self) -> None:
        """The viewer's browser lost the picture (its PLI/FIR reached our sender)."""
        if self.source is not None:
            self.source.request_keyframe()

    def offer(self, frame: EncodedFrame) -> None:
        if not self._started or self.readyState != "live":
            self.counters.dropped += 1
            return
        if self._queue.qsize() >= self._max_queued:
            self._drop_backlog()
        if self._waiting_keyframe:
            if not frame.keyframe:
                self.counters.dropped += 1
                if self.source is not None:
                    self.source.request_keyframe()
                return
            self._waiting_keyframe = False
        self._queue.put_nowait((frame, self._rebase(frame)))

    def _drop_backlog(self) -> None:
        while not self._queue.empty():
            if self._queue.get_nowait() is not None:
                self.counters.dropped += 1
        logger.info("%s forward track: stale backlog dropped", self.kind)
        if self.kind == "video":
            self._waiting_keyframe = True
            if self.source is not None:
                self.source.request_keyframe()

    def _rebase(self, frame: EncodedFrame) -> int:
        now = time.monotonic()
        if self._offset is None or (
            self._last_pts is not None and frame.pts + self._offset <= self._last_pts
        ):
            if self._last_pts is None:
                self._offset = -frame.pts
            else:
                # Continue from the last pts we sent, advanced by the wall-clock time since.
                gap = max(1, round((now - self._last_time) * frame.clock_rate))
                self._offset = self._last_pts + gap - frame.pts
        pts = frame.pts + self._offset
        self._last_pts = pts
        self._last_time = now
        return pts

    async def recv(self) -> av.Packet[Stream]:
        if not self._started:
            self._started = True
            if self._waiting_keyframe and self.source is not None:
                self.source.request_keyframe()
        if self.readyState != "live":
            raise MediaStreamError
        item = await self._queue.get()
        if item is None:
            raise MediaStreamError
        frame, pts = item
        self.counters.frames += 1
        return frame.to_packet(pts)

    def stop(self) -> None:
        self.detach()
        if self.readyState == "live":
            super().stop()
            self._queue.put_nowait(None)
