"""`PeerRegistry`: the server end of every call's WebRTC legs, forwarding encoded media.

Each party of a call (citizen, operator) holds one RTCPeerConnection with the server: a *leg*.
What a leg receives is tapped before aiortc's decoder (`media.hooks`) and forwarded, still
encoded, to the legs of the parties that receive it (`ROLES`); nothing is decoded or re-encoded.

One registry per application, created and closed inside the running event loop (aiohttp
`cleanup_ctx`). Errors reaching callers are `InvalidSdp` (the offer) or `MediaError` (us).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpCodecCapability,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.exceptions import InvalidAccessError, OperationError

from domain.errors import ConfigError, InvalidInput, InvalidSdp, MediaError, UnknownCall
from media import hooks
from media.forward import ForwardCounters, ForwardTrack, ReceiveCounters, Source
from media.offer import KINDS, Offer, cap_video_bitrate, parse_offer
from server.settings import MediaSettings

logger = logging.getLogger(__name__)

LostCallback = Callable[[str, str], Any]  # (call_id, party); may return an awaitable
CLOSE_GRACE_S = 5.0


@dataclass(frozen=True)
class Role:
    sends: bool  # the party's media is forwarded to others
    receives_from: str | None  # whose media the party gets


# A receive-only supervisor would be Role(sends=False, receives_from="citizen"); watching both
# parties at once needs a second audio/video pair of m-lines (one sender carries one source).
ROLES: dict[str, Role] = {
    "citizen": Role(sends=True, receives_from="operator"),
    "operator": Role(sends=True, receives_from="citizen"),
}


def _direction(role: Role) -> str:
    """The server's transceiver direction for a party."""
    if role.sends and role.receives_from:
        return "sendrecv"
    return "recvonly" if role.sends else "sendonly"


def _preferred_codecs(kind: str) -> list[RTCRtpCodecCapability]:
    # Both legs must use the same codec to forward without transcoding.
    wanted = {"audio": ("audio/opus",), "video": ("video/vp8", "video/rtx")}[kind]
    return [c for c in RTCRtpSender.getCapabilities(kind).codecs if c.mimeType.lower() in wanted]


def ice_servers(raw: tuple[dict[str, Any], ...]) -> list[RTCIceServer]:
    servers = []
    for entry in raw:
        urls = entry.get("urls")
        unknown = set(entry) - {"urls", "username", "credential"}
        valid_urls = isinstance(urls, str) or (
            isinstance(urls, list) and bool(urls) and all(isinstance(u, str) for u in urls)
        )
        if unknown or not valid_urls:
            raise ConfigError(f"media.ice_servers {entry!r}: need urls, username?, credential?")
        servers.append(
            RTCIceServer(
                urls=urls,  # type: ignore[arg-type]  # checked just above
                username=entry.get("username"),
                credential=entry.get("credential"),
            )
        )
    return servers


class Leg:
    """One party's peer connection: its sources (what it sends) and tracks (what it receives)."""

    def __init__(self, call_id: str, party: str, role: Role, pc: RTCPeerConnection) -> None:
        self.call_id = call_id
        self.party = party
        self.role = role
        self.pc = pc
        self.sources: dict[str, Source] = {}
        self.tracks: dict[str, ForwardTrack] = {}
        self.connected = asyncio.Event()
        self.closing = False
        self._closed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"<Leg {self.call_id}/{self.party} {self.pc.connectionState}>"

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

    def receive_counters(self, party: str, kind: str) -> ReceiveCounters:
        return self.received.setdefault(party, {}).setdefault(kind, ReceiveCounters())

    def forward_counters(self, source: str, party: str, kind: str) -> ForwardCounters:
        direction = f"{source}->{party}"
        return self.forwarded.setdefault(direction, {}).setdefault(kind, ForwardCounters())

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
        }


class PeerRegistry:
    """All media legs of this process, by call and party."""

    def __init__(self, settings: MediaSettings) -> None:
        self._settings = settings
        # Always a list: aiortc replaces iceServers=None by a public Google STUN server.
        self._ice_servers = ice_servers(settings.ice_servers)
        self._calls: dict[str, CallMedia] = {}
        self._lost_callbacks: list[LostCallback] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def on_party_lost(self, callback: LostCallback) -> LostCallback:
        """Register ``callback(call_id, party)``, called when a leg fails or the browser closes it.

        Not called for legs closed through this registry. Usable as a decorator.
        """
        self._lost_callbacks.append(callback)
        return callback

    async def answer(self, call_id: str, party: str, offer_sdp: str) -> str:
        """Answer a party's offer and start forwarding; returns the answer SDP (all candidates
        included, aiortc does not trickle). A new offer from the same party replaces its leg."""
        role = ROLES.get(party)
        if role is None:
            raise InvalidInput(f"unknown party {party!r}")
        offer = parse_offer(offer_sdp)
        if self._closed:
            raise MediaError("media is shutting down")
        call = self._calls.setdefault(call_id, CallMedia(call_id))
        call.answering += 1
        try:
            async with call.locks.setdefault(party, asyncio.Lock()):
                leg, answer_sdp = await self._open_leg(call, party, role, offer)
                dead = leg.pc.connectionState in ("failed", "closed")
                if dead or self._calls.get(call_id) is not call:
                    await leg.close()
                    raise MediaError(f"call {call_id}: closed while answering the {party}")
                old = call.legs.get(party)
                call.legs[party] = leg
                self._wire(call, leg)
                leg.spawn(self._watch_connect(call, leg))
        finally:
            call.answering -= 1
            if not call.legs and not call.answering and self._calls.get(call_id) is call:
                del self._calls[call_id]  # a failed first offer leaves nothing behind
        if old is not None:
            logger.info("%r replaces %r", leg, old)
            await old.close()
        return answer_sdp

    async def _open_leg(
        self, call: CallMedia, party: str, role: Role, offer: Offer
    ) -> tuple[Leg, str]:
        leg = Leg(call.call_id, party, role, RTCPeerConnection(RTCConfiguration(self._ice_servers)))
        try:
            async with asyncio.timeout(self._settings.offer_timeout_s):
                answer_sdp = await self._negotiate(call, leg, offer)
        except (InvalidSdp, MediaError):
            await leg.close()
            raise
        except TimeoutError as exc:
            await leg.close()
            raise MediaError(f"answering the {party} offer timed out") from exc
        except Exception as exc:
            logger.exception("%r: cannot answer the offer", leg)
            await leg.close()
            raise MediaError(f"cannot answer the {party} offer: {exc}") from exc
        except BaseException:
            await leg.close()
            raise
        return leg, answer_sdp

    async def _negotiate(self, call: CallMedia, leg: Leg, offer: Offer) -> str:
        pc = leg.pc
        pc.on("connectionstatechange", partial(self._state_changed, call, leg))
        receivers: dict[str, RTCRtpReceiver] = {}
        for kind in KINDS:
            track = None
            if leg.role.receives_from:
                counters = call.forward_counters(leg.role.receives_from, leg.party, kind)
                track = leg.tracks[kind] = ForwardTrack(kind, counters)
            transceiver = pc.addTransceiver(track or kind, direction=_direction(leg.role))
            transceiver.setCodecPreferences(_preferred_codecs(kind))
            source = leg.sources[kind] = Source(kind, call.receive_counters(leg.party, kind))
            # Tapped even for a receive-only role: then nothing is ever decoded either.
            hooks.tap_receiver(transceiver.receiver, kind, source.push, source.end)
            if track is not None:
                hooks.on_keyframe_request(transceiver.sender, track.request_keyframe)
            receivers[kind] = transceiver.receiver
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.sdp, type="offer"))
        except (ValueError, OperationError, InvalidAccessError) as exc:
            raise InvalidSdp(f"offer rejected: {exc}") from exc
        for kind, source in leg.sources.items():
            ssrc = offer.lines[kind].primary_ssrc
            source.request_upstream = partial(leg.request_keyframe, receivers[kind], ssrc)
        await hooks.add_host_candidates(pc, self._settings.host_candidates)
        await pc.setLocalDescription(await pc.createAnswer())
        answer_sdp: str = pc.localDescription.sdp
        if "a=candidate:" not in answer_sdp:
            raise MediaError("no ICE candidate to offer: no usable address (media.host_candidates)")
        return cap_video_bitrate(answer_sdp, self._settings.max_video_bitrate)

    def _wire(self, call: CallMedia, leg: Leg) -> None:
        for other in call.legs.values():
            if other is leg:
                continue
            if other.role.receives_from == leg.party and leg.role.sends:
                for kind, track in other.tracks.items():
                    track.attach(leg.sources[kind])
            if leg.role.receives_from == other.party and other.role.sends:
                for kind, track in leg.tracks.items():
                    track.attach(other.sources[kind])

    def _state_changed(self, call: CallMedia, leg: Leg) -> None:
        state = leg.pc.connectionState
        logger.info("%r: connection %s", leg, state)
        if state == "connected":
            leg.connected.set()
        elif state in ("failed", "closed") and not leg.closing:
            self._spawn(self._lose(call, leg, state))

    async def _watch_connect(self, call: CallMedia, leg: Leg) -> None:
        try:
            await asyncio.wait_for(leg.connected.wait(), self._settings.connect_timeout_s)
        except TimeoutError:
            logger.warning("%r: not connected after %.1f s", leg, self._settings.connect_timeout_s)
            self._spawn(self._lose(call, leg, "connect timeout"))

    async def _lose(self, call: CallMedia, leg: Leg, reason: str) -> None:
        if leg.closing:
            return
        current = call.legs.get(leg.party) is leg
        logger.info("%r lost: %s", leg, reason)
        if current:
            del call.legs[leg.party]
        await leg.close()
        if not current:  # never installed, or already replaced: nobody to tell
            return
        for callback in list(self._lost_callbacks):
            try:
                result = callback(call.call_id, leg.party)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("on_party_lost callback failed for %r", leg)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close_party(self, call_id: str, party: str) -> None:
        call = self._calls.get(call_id)
        leg = call.legs.pop(party, None) if call is not None else None
        if leg is not None:
            await leg.close()

    async def close_call(self, call_id: str) -> dict[str, Any] | None:
        """Close every leg of the call; returns its final stats (None for an unknown call)."""
        call = self._calls.pop(call_id, None)
        if call is None:
            return None
        final = call.stats()
        legs = list(call.legs.values())
        call.legs.clear()
        await asyncio.gather(*(leg.close() for leg in legs))
        return final

    async def close_all(self) -> None:
        """Close every call; the registry refuses offers afterwards (application shutdown)."""
        self._closed = True
        await asyncio.gather(*(self.close_call(call_id) for call_id in list(self._calls)))
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=CLOSE_GRACE_S)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def stats(self, call_id: str) -> dict[str, Any]:
        """Per-direction forwarded frame counts, per-party received counts, leg states."""
        call = self._calls.get(call_id)
        if call is None:
            raise UnknownCall(f"no media for call {call_id}")
        return call.stats()

    def calls(self) -> list[str]:
        return list(self._calls)
