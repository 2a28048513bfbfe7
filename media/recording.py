"""A call's recording: the encoded frames its legs send, remuxed into one WebM file, never decoded.

Streams, fixed so every file of 102 has the same layout (see `TRACKS`): the citizen's video and
audio, the operator's audio and video, and the supervisor's audio (only while barging).

Evidence that survives a crash. libavformat's Matroska muxer keeps the Segment size "unknown"
until the trailer, and writes each Cluster whole when it closes it. With clusters cut at
`CLUSTER_MS` and `flush_packets` on, everything up to the last closed cluster is on disk (in the
page cache, which survives the process) at any moment, so a file cut by ``kill -9`` plays up to
about two seconds before the cut (tests/recordings/test_crash.py proves it).

Packets must not wait in libavformat's interleaving queue either. It holds everything until each
stream has a packet queued, except that a silent stream stops counting after
`max_interleave_delta`: but never a VP8 stream (mux.c ``ff_interleave_packet_per_dts``), so a
video nobody sends (an operator without a camera) would hold the whole file in memory until the
trailer. Such a stream gets an empty packet every `HEARTBEAT_MS`: it releases the queue, and
the Matroska muxer writes nothing for it.

Matroska needs every stream, and a video's pixel size, before its header. So the header waits
until the citizen's first video keyframe gives the size (`vp8_size`), at most `HEADER_WAIT_S`
after the first frame; frames that come meanwhile are kept and written right after it.

Timestamps: each input is anchored to the recording's wall clock at its first frame, then
follows its RTP timestamps; when its source changes (a leg replaced) it re-anchors, so every
stream's timestamps only go forward. Muxing runs on the event loop: ~20 µs a packet.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import struct
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.container import OutputContainer
from av.stream import Stream

from domain.errors import MediaError
from media.forward import EncodedFrame, Source

logger = logging.getLogger(__name__)

# (name, kind) of each stream, in file order.
TRACKS: tuple[tuple[str, str], ...] = (
    ("citizen.video", "video"),
    ("citizen.audio", "audio"),
    ("operator.audio", "audio"),
    ("operator.video", "video"),
    ("supervisor.audio", "audio"),
)
HEADER_WAIT_S = 3.0
MAX_EARLY_FRAMES = 2000  # frames kept before the header: ~3 s of a call, about 1 MB
CLUSTER_MS = 1000
DEFAULT_SIZE = (640, 480)  # a video whose size is not known yet when the header is written
MUXER_OPTIONS = {
    "cluster_time_limit": str(CLUSTER_MS),
    "cluster_size_limit": str(512 * 1024),
    "flush_packets": "1",  # hand every closed cluster to the OS at once
    "max_interleave_delta": "300000",  # µs: never hold packets back for a silent stream
}
HASH_CHUNK = 1024 * 1024
MS = Fraction(1, 1000)  # Matroska's default timestamp scale
HEARTBEAT_MS = 250  # an idle video stream gets an empty packet this often
IDLE_MS = 500  # ... once it has sent nothing for this long


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 keyframe header (RFC 6386 9.1), else None."""
    if len(data) < 10 or data[0] & 0x01 or data[3:6] != b"\x9d\x01\x2a":
        return None
    width, height = struct.unpack_from("<HH", data, 6)
    return width & 0x3FFF, height & 0x3FFF


@dataclass(frozen=True)
class RecordingResult:
    """What the call record keeps about a finished recording (JSON-friendly)."""

    path: str
    sha256: str
    size: int
    started_at: float  # Unix seconds of the first recorded frame
    ended_at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class RecordingInput:
    """One stream of the file, fed by whichever `Source` currently plays that part.

    Attached to a source like a viewer: the source hands it every frame it receives.
    """

    def __init__(self, recording: CallRecording, index: int, kind: str) -> None:
        self.recording = recording
        self.index = index
        self.kind = kind
        self.source: Source | None = None
        self.frames = 0
        self._waiting_keyframe = kind == "video"
        self._offset: int | None = None
        self._last_pts: int | None = None

    def attach(self, source: Source | None) -> None:
        if source is self.source:
            return
        self.detach()
        if source is None or self.recording.closed:
            return
        self.source = source
        source.viewers.add(self)
        self._offset = None  # re-anchor on the first frame of this source
        if self.kind == "video":
            self._waiting_keyframe = True
            source.request_keyframe()

    def detach(self) -> None:
        if self.source is not None:
            self.source.viewers.discard(self)
            self.source = None

    def offer(self, frame: EncodedFrame) -> None:
        if self._waiting_keyframe:
            if not frame.keyframe:
                if self.source is not None:
                    self.source.request_keyframe()  # throttled by the source
                return
            self._waiting_keyframe = False
        now = self.recording.elapsed(frame.clock_rate)
        if self._offset is None or (
            self._last_pts is not None and frame.pts + self._offset <= self._last_pts
        ):
            floor = 0 if self._last_pts is None else self._last_pts + 1
            self._offset = max(floor, now) - frame.pts
        pts = frame.pts + self._offset
        self._last_pts = pts
        self.frames += 1
        self.recording.write(self.index, frame, pts)


class CallRecording:
    """The WebM file of one call. Created on the call's first frame; `close()` finishes it."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        header_wait_s: float = HEADER_WAIT_S,
    ) -> None:
        self.path = path
        self.closed = False
        self._clock = clock
        self._wall_clock = wall_clock
        self._header_wait_s = header_wait_s
        self._started: float | None = None  # monotonic
        self._started_at: float | None = None  # Unix seconds
        self._container: OutputContainer | None = None
        self._streams: list[Stream] = []
        self._sizes: dict[int, tuple[int, int]] = {}
        self._early: list[tuple[int, EncodedFrame, int]] = []
        self._last_ms = [-1] * len(TRACKS)  # newest timestamp muxed per stream (dts only rises)
        self._last_real_ms = [-1] * len(TRACKS)
        self._failed = False
        self.packets = 0
        self.inputs = {
            name: RecordingInput(self, index, kind) for index, (name, kind) in enumerate(TRACKS)
        }

    def __repr__(self) -> str:
        return f"<CallRecording {self.path.name} {self.packets} packets>"

    def elapsed(self, clock_rate: int) -> int:
        """Time since the first frame, in 1/clock_rate units (starts the clock when first asked)."""
        now = self._clock()
        if self._started is None:
            self._started = now
            self._started_at = self._wall_clock()
        return round((now - self._started) * clock_rate)

    def write(self, index: int, frame: EncodedFrame, pts: int) -> None:
        if self.closed or self._failed:
            return
        if self._container is None:
            if TRACKS[index][1] == "video" and index not in self._sizes:
                size = vp8_size(frame.data)
                if size is not None:
                    self._sizes[index] = size
            self._early.append((index, frame, pts))
            waited = self._started is not None and self._clock() - self._started
            if 0 in self._sizes or waited >= self._header_wait_s or (
                len(self._early) >= MAX_EARLY_FRAMES
            ):
                self._open()
            return
        self._mux(index, frame, pts)

    def _open(self) -> None:
        early, self._early = self._early, []
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            container = av.open(
                str(self.path), "w", format="webm", container_options=MUXER_OPTIONS
            )
            for index, (name, kind) in enumerate(TRACKS):
                if kind == "video":
                    width, height = self._sizes.get(index) or self._sizes.get(0) or DEFAULT_SIZE
                    stream = container.add_mux_stream("vp8", width=width, height=height)
                else:
                    # A libopus context only so that the header carries an OpusHead
                    # (browsers need it); it never encodes anything.
                    stream = container.add_stream("libopus", rate=48000)
                    stream.codec_context.layout = "stereo"
                stream.metadata["title"] = name
                self._streams.append(stream)
            container.start_encoding()
        except (av.FFmpegError, OSError, ValueError) as exc:
            self._fail(f"cannot start {self.path}: {exc}")
            return
        self._container = container
        logger.info("recording %s started", self.path)
        for index, frame, pts in sorted(early, key=lambda e: e[2] / e[1].clock_rate):
            self._mux(index, frame, pts)

    def _mux(self, index: int, frame: EncodedFrame, pts: int) -> None:
        ms = max(pts * 1000 // frame.clock_rate, self._last_ms[index] + 1)
        if not self._write(index, frame.data, ms, frame.keyframe):
            return
        self._last_real_ms[index] = ms
        self.packets += 1
        for other, (_, kind) in enumerate(TRACKS):
            idle = ms - max(self._last_real_ms[other], 0)
            beat_due = ms - HEARTBEAT_MS > self._last_ms[other]
            if kind == "video" and other != index and idle > IDLE_MS and beat_due:
                self._write(other, b"", ms - HEARTBEAT_MS // 2, False)

    def _write(self, index: int, data: bytes, ms: int, keyframe: bool) -> bool:
        assert self._container is not None
        packet = av.Packet(data)  # a copy: muxing rewrites the packet's timing in place
        packet.pts = packet.dts = ms
        packet.time_base = MS
        packet.stream = self._streams[index]
        packet.is_keyframe = keyframe
        try:
            self._container.mux_one(packet)
        except (av.FFmpegError, OSError, ValueError) as exc:
            self._fail(f"writing {self.path} failed: {exc}")
            return False
        self._last_ms[index] = ms
        return True

    def _fail(self, reason: str) -> None:
        # The call goes on; what was written so far stays on disk and still plays.
        logger.error("recording stopped: %s", reason)
        self._failed = True
        for recording_input in self.inputs.values():
            recording_input.detach()

    async def close(self) -> RecordingResult | None:
        """Finish the file (trailer, cues) and hash it; None if nothing was ever written."""
        if self.closed:
            return None
        self.closed = True
        for recording_input in self.inputs.values():
            recording_input.detach()
        if self._container is None and self._early and not self._failed:
            self._open()  # a short call: no header yet
        ended_at = self._wall_clock()
        container, self._container = self._container, None
        if container is None or self._started_at is None:
            return None
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, container.close)
        except (av.FFmpegError, OSError) as exc:
            logger.error("finishing %s failed: %s (the file plays up to the cut)", self.path, exc)
        try:
            sha256, size = await loop.run_in_executor(None, sha256_of, self.path)
        except OSError as exc:
            raise MediaError(f"cannot read back the recording {self.path}: {exc}") from exc
        logger.info("recording %s: %d packets, %d bytes", self.path, self.packets, size)
        return RecordingResult(str(self.path), sha256, size, self._started_at, ended_at)
