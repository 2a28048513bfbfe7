"""The baseline the benchmark compares against: a decode/re-encode relay, stock aiortc style.

Each leg's remote tracks are read as aiortc yields them (decoded frames, decoding in aiortc's
receiver thread) and handed to the other leg's outgoing track, which aiortc's sender encodes
again (VP8 in its thread pool, Opus inline): what `aiortc.contrib.media.MediaRelay` does for a
one-to-one call. It offers the `PeerRegistry` methods the worker process serves, so the benchmark
runs it in the same worker process, on the same pinned core, through the same `WorkerPool`.
Benchmark code only; not used by the server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError
from av.frame import Frame

from media import hooks
from server.settings import MediaSettings

OTHER = {"citizen": "operator", "operator": "citizen"}
MAX_QUEUED = 5  # decoded frames waiting for the encoder; older ones are dropped


class QueuedTrack(MediaStreamTrack):
    """An outgoing track fed with decoded frames: aiortc's sender encodes what `recv()` returns."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.queue: asyncio.Queue[Frame | None] = asyncio.Queue()

    def put(self, frame: Frame) -> None:
        while self.queue.qsize() >= MAX_QUEUED:
            self.queue.get_nowait()
        self.queue.put_nowait(frame)

    async def recv(self) -> Frame:
        frame = await self.queue.get()
        if frame is None:
            raise MediaStreamError
        return frame


class TranscodingRelay:
    def __init__(self, settings: MediaSettings) -> None:
        self._settings = settings
        self._pcs: dict[str, dict[str, RTCPeerConnection]] = {}
        self._out: dict[str, dict[str, dict[str, QueuedTrack]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._frames: dict[str, int] = {}

    def on_party_lost(self, callback: Callable[[str, str], Any]) -> None:
        pass  # the benchmark closes its calls itself

    async def answer(self, call_id: str, party: str, offer_sdp: str) -> str:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._pcs.setdefault(call_id, {})[party] = pc
        outgoing = self._out.setdefault(call_id, {}).setdefault(party, {})
        for kind in ("audio", "video"):
            track = outgoing[kind] = QueuedTrack(kind)
            transceiver = pc.addTransceiver(track, direction="sendrecv")
            wanted = {"audio": "audio/opus", "video": "video/vp8"}[kind]
            codecs = RTCRtpSender.getCapabilities(kind).codecs
            transceiver.setCodecPreferences([c for c in codecs if c.mimeType.lower() == wanted])

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            task = asyncio.create_task(self._pump(call_id, OTHER[party], track))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        await hooks.add_host_candidates(pc, self._settings.host_candidates)
        await pc.setLocalDescription(await pc.createAnswer())
        sdp: str = pc.localDescription.sdp
        return sdp

    async def _pump(self, call_id: str, to: str, track: MediaStreamTrack) -> None:
        key = f"{call_id}:{to}:{track.kind}"
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()  # decoded by aiortc
                if not isinstance(frame, Frame):
                    continue
                self._frames[key] = self._frames.get(key, 0) + 1
                target = self._out.get(call_id, {}).get(to, {}).get(track.kind)
                if target is not None:
                    target.put(frame)  # re-encoded by the other leg's sender

    async def close_party(self, call_id: str, party: str) -> None:
        pc = self._pcs.get(call_id, {}).pop(party, None)
        if pc is not None:
            await pc.close()

    async def close_call(self, call_id: str) -> dict[str, Any] | None:
        pcs = self._pcs.pop(call_id, {})
        for tracks in self._out.pop(call_id, {}).values():
            for track in tracks.values():
                track.queue.put_nowait(None)
        await asyncio.gather(*(pc.close() for pc in pcs.values()))
        return {"call_id": call_id, "recording": None}

    async def set_barge(self, call_id: str, active: bool) -> None:
        pass

    def stats(self, call_id: str) -> dict[str, Any]:
        prefix = f"{call_id}:"
        return {k: v for k, v in self._frames.items() if k.startswith(prefix)}

    def calls(self) -> list[str]:
        return list(self._pcs)

    async def close_all(self) -> None:
        await asyncio.gather(*(self.close_call(c) for c in list(self._pcs)))
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
