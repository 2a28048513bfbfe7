"""What each party's leg carries (`ROLES`), one leg (`Leg`) and one call's media (`CallMedia`).

A leg is one RTCPeerConnection between a party's browser and the server. Its m-lines are the
party's `Slot`s, in order: what the party receives on each and whether what it sends there is
taken (a `Source`). Citizen and operator send and receive audio and video. The supervisor's
page offers exactly (1) audio sendrecv: the citizen's audio, and the supervisor's microphone,
heard only while barging; (2) video recvonly: the citizen's video; (3) audio recvonly: the
operator's audio. So a silent monitor sends nothing anyone hears.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCPeerConnection, RTCRtpReceiver

from media import hooks
from media.barge import AudioMix
from media.forward import ForwardCounters, ForwardTrack, ReceiveCounters, Source
from media.recording import CallRecording

logger = logging.getLogger(__name__)

PARTIES = ("citizen", "operator")  # the call's own parties; a supervisor only looks in


@dataclass(frozen=True)
class Slot:
    kind: str
    receives_from: str | None  # whose media of this kind the party gets on this m-line
    sends: bool  # what the party sends on this m-line is taken as its Source of this kind

    @property
    def direction(self) -> str:
        """The server's transceiver direction."""
        if self.sends and self.receives_from:
            return "sendrecv"
        return "recvonly" if self.sends else "sendonly"


@dataclass(frozen=True)
class Role:
    slots: tuple[Slot, ...]
    # The offer's m-lines must come in exactly this order (else: one audio, one video, any order).
    ordered: bool = False
    # A leg that sends no RTP for media.rtp_timeout_s is lost.
    rtp_timeout: bool = True

    @property
    def layout(self) -> tuple[str, ...]:
        return tuple(slot.kind for slot in self.slots)


ROLES: dict[str, Role] = {
    "citizen": Role((Slot("audio", "operator", True), Slot("video", "operator", True))),
    "operator": Role((Slot("audio", "citizen", True), Slot("video", "citizen", True))),
    # A supervisor without a microphone still monitors: only its connection state counts.
    "supervisor": Role(
        (
            Slot("audio", "citizen", True),
            Slot("video", "citizen", False),
            Slot("audio", "operator", False),
        ),
        ordered=True,
        rtp_timeout=False,
    ),
}


class Leg:
    """One party's peer connection: its sources (what it sends) and tracks (what it receives)."""

    def __init__(self, call_id: str, party: str, role: Role, pc: RTCPeerConnection) -> None:
        self.call_id = call_id
        self.party = party
        self.role = role
        self.pc = pc
        self.sources: dict[str, Source] = {}  # by kind
        self.tracks: dict[int, ForwardTrack] = {}  # by slot index
        self.connected = asyncio.Event()
        self.closing = False
        self._closed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"<Leg {self.call_id}/{self.party} {self.pc.connectionState}>"

    def frames_received(self) -> int:
        return sum(source.counters.frames for source in self.sources.values())

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        if self.closing:
            coro.close()
            return
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("%r: background task failed: %r", self, task.exception())

    def request_keyframe(self, receiver: RTCRtpReceiver, ssrc: int | None) -> None:
        if ssrc is None:
            logger.debug("%r: no ssrc in the offer, cannot ask for a keyframe", self)
            return
        self.spawn(hooks.send_pli(receiver, ssrc))

    async def close(self) -> None:
        if self.closing:
            await self._closed.wait()
            return
        self.closing = True
        try:
            for source in self.sources.values():
                source.end()
            for track in self.tracks.values():
                track.stop()
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.pc.close()
        except Exception:
            logger.exception("%r: error while closing", self)
        finally:
            self._closed.set()


@dataclass(eq=False)
class CallMedia:
    call_id: str
    legs: dict[str, Leg] = field(default_factory=dict)
    # Counters outlive legs, so a reconnect does not reset them.
    received: dict[str, dict[str, ReceiveCounters]] = field(default_factory=dict)
    forwarded: dict[str, dict[str, ForwardCounters]] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    answering: int = 0  # offers being answered right now
    recording: CallRecording | None = None
    barging: bool = False
    mixes: dict[str, AudioMix] = field(default_factory=dict)  # by the party who hears it

    def receive_counters(self, party: str, kind: str) -> ReceiveCounters:
        return self.received.setdefault(party, {}).setdefault(kind, ReceiveCounters())

    def forward_counters(self, source: str, party: str, kind: str) -> ForwardCounters:
        direction = f"{source}->{party}"
        return self.forwarded.setdefault(direction, {}).setdefault(kind, ForwardCounters())

    def source(self, party: str, kind: str) -> Source | None:
        leg = self.legs.get(party)
        return None if leg is None else leg.sources.get(kind)

    def stats(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "legs": {party: leg.pc.connectionState for party, leg in self.legs.items()},
            "received": {
                party: {kind: c.to_dict() for kind, c in kinds.items()}
                for party, kinds in self.received.items()
            },
            "forwarded": {
                direction: {kind: c.to_dict() for kind, c in kinds.items()}
                for direction, kinds in self.forwarded.items()
            },
            "barging": self.barging,
            "mixed": {party: mix.mixed for party, mix in self.mixes.items()},
            "recorded_packets": None if self.recording is None else self.recording.packets,
        }
