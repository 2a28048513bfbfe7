"""`PeerRegistry`: the server end of every call's WebRTC legs, forwarding encoded media.

Each party of a call (citizen, operator, and a supervisor looking in) holds one
RTCPeerConnection with the server: a *leg* (`media.legs`). What a leg receives is tapped before
aiortc's decoder (`media.hooks`) and forwarded, still encoded, to the legs of the parties that
receive it (`ROLES`), and to the call's recording (`media.recording`); nothing is decoded or
re-encoded, except audio while a supervisor barges (`media.barge`).

Faults: a leg whose connection fails, that never connects, or that sends no RTP for
``media.rtp_timeout_s`` (garbage RTP fails SRTP and counts as none) is closed and reported to
the `on_party_lost` callbacks. Methods take and return JSON-friendly values, so a worker pool
can proxy them.

One registry per application, created and closed inside the running event loop (aiohttp
`cleanup_ctx`). Errors reaching callers are `InvalidSdp` (the offer) or `MediaError` (us).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
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
from media import fastpath, hooks
from media.barge import AudioMix
from media.forward import ForwardTrack, Source
from media.legs import PARTIES, ROLES, CallMedia, Leg, Role
from media.offer import Offer, cap_video_bitrate, parse_offer
from media.recording import TRACKS, CallRecording
from server.settings import MediaSettings, RecordingSettings

logger = logging.getLogger(__name__)

LostCallback = Callable[[str, str], Any]  # (call_id, party); may return an awaitable
CLOSE_GRACE_S = 5.0


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


class PeerRegistry:
    """All media legs of this process, by call and party."""

    def __init__(
        self, settings: MediaSettings, recording: RecordingSettings | None = None
    ) -> None:
        self._settings = settings
        self._recording = recording if recording is not None and recording.enabled else None
        # Always a list: aiortc replaces iceServers=None by a public Google STUN server.
        self._ice_servers = ice_servers(settings.ice_servers)
        self._calls: dict[str, CallMedia] = {}
        self._lost_callbacks: list[LostCallback] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def on_party_lost(self, callback: LostCallback) -> LostCallback:
        """Register ``callback(call_id, party)``, called when a leg fails, never connects, sends
        no RTP for ``rtp_timeout_s`` or the browser closes it.

        Not called for legs closed through this registry. Usable as a decorator.
        """
        self._lost_callbacks.append(callback)
        return callback

    async def answer(self, call_id: str, party: str, offer_sdp: str) -> str:
        """Answer a party's offer and start forwarding; returns the answer SDP (all candidates
        included, aiortc does not trickle). A new offer from the same party replaces its leg
        (so there is one supervisor leg per call at a time)."""
        role = ROLES.get(party)
        if role is None:
            raise InvalidInput(f"unknown party {party!r}")
        offer = parse_offer(offer_sdp, role.layout if role.ordered else None)
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
                self._rewire(call)
                leg.spawn(self._watch(call, leg))
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
        # Transceivers in slot order: aiortc pairs each m-line with the first unused
        # transceiver of its kind, so the supervisor's audio, video, audio land in order.
        for index, slot in enumerate(leg.role.slots):
            track = None
            if slot.receives_from:
                counters = call.forward_counters(slot.receives_from, leg.party, slot.kind)
                track = leg.tracks[index] = ForwardTrack(slot.kind, counters)
            transceiver = pc.addTransceiver(track or slot.kind, direction=slot.direction)
            transceiver.setCodecPreferences(_preferred_codecs(slot.kind))
            if slot.sends:
                source = Source(slot.kind, call.receive_counters(leg.party, slot.kind))
                leg.sources[slot.kind] = source
                hooks.tap_receiver(transceiver.receiver, slot.kind, source.push, source.end)
                # Same NACK/bitrate answers as aiortc's, at a cost that does not grow with loss.
                fastpath.tune_receiver(transceiver.receiver)
                receivers[slot.kind] = transceiver.receiver
            else:
                # Nothing is taken from this m-line, and nothing may ever be decoded.
                hooks.tap_receiver(transceiver.receiver, slot.kind, lambda frame: None)
            if track is not None:
                hooks.on_keyframe_request(transceiver.sender, track.request_keyframe)
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

    # -- who gets what -------------------------------------------------------------------------

    def _rewire(self, call: CallMedia) -> None:
        """Point every outgoing track, mixer and recording input at the source it should play
        now. Idempotent: attaching a track to the source it already has changes nothing."""
        supervisor_audio = call.source("supervisor", "audio") if call.barging else None
        wanted_mixes: dict[str, tuple[Source, Source]] = {}
        for party in PARTIES if supervisor_audio is not None else ():
            other = call.source(_other(party), "audio")
            if other is not None and supervisor_audio is not None:
                wanted_mixes[party] = (other, supervisor_audio)
        retired = [
            call.mixes.pop(party)
            for party, mix in list(call.mixes.items())
            if wanted_mixes.get(party) != (mix.primary, mix.extra)
        ]
        for party, (primary, extra) in wanted_mixes.items():
            if party not in call.mixes:
                call.mixes[party] = AudioMix(primary, extra)
        for leg in call.legs.values():
            for index, track in leg.tracks.items():
                slot = leg.role.slots[index]
                assert slot.receives_from is not None
                source = call.source(slot.receives_from, slot.kind)
                if slot.kind == "audio" and leg.party in PARTIES and supervisor_audio is not None:
                    mix = call.mixes.get(leg.party)
                    source = mix.output if mix is not None else supervisor_audio
                if source is None:
                    track.detach()
                else:
                    track.attach(source)
        for mix in retired:  # after the tracks moved off them
            mix.close()
        self._rewire_recording(call, supervisor_audio)

    def _rewire_recording(self, call: CallMedia, supervisor_audio: Source | None) -> None:
        if self._recording is None:
            return
        if call.recording is None:
            call.recording = CallRecording(_recording_path(self._recording.dir, call.call_id))
        for name, _ in TRACKS:
            party, kind = name.split(".")
            source = supervisor_audio if party == "supervisor" else call.source(party, kind)
            call.recording.inputs[name].attach(source)

    # -- faults --------------------------------------------------------------------------------

    def _state_changed(self, call: CallMedia, leg: Leg) -> None:
        state = leg.pc.connectionState
        logger.info("%r: connection %s", leg, state)
        if state == "connected":
            leg.connected.set()
        elif state in ("failed", "closed") and not leg.closing:
            self._spawn(self._lose(call, leg, state))

    async def _watch(self, call: CallMedia, leg: Leg) -> None:
        try:
            await asyncio.wait_for(leg.connected.wait(), self._settings.connect_timeout_s)
        except TimeoutError:
            logger.warning("%r: not connected after %.1f s", leg, self._settings.connect_timeout_s)
            self._spawn(self._lose(call, leg, "connect timeout"))
            return
        if not leg.role.rtp_timeout:
            return
        timeout = self._settings.rtp_timeout_s
        # Polls the frame counters: no cost per packet.
        seen, since = leg.frames_received(), time.monotonic()
        while True:
            await asyncio.sleep(min(1.0, timeout / 4))
            now, frames = time.monotonic(), leg.frames_received()
            if frames != seen:
                seen, since = frames, now
            elif now - since >= timeout:
                logger.warning("%r: no RTP for %.1f s", leg, now - since)
                self._spawn(self._lose(call, leg, "rtp timeout"))
                return

    async def _lose(self, call: CallMedia, leg: Leg, reason: str) -> None:
        if leg.closing:
            return
        current = call.legs.get(leg.party) is leg
        logger.info("%r lost: %s", leg, reason)
        if current:
            self._remove_leg(call, leg.party)
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

    def _remove_leg(self, call: CallMedia, party: str) -> Leg | None:
        leg = call.legs.pop(party, None)
        if party == "supervisor":
            call.barging = False  # a barge ends with the supervisor's leg
        if leg is not None:
            self._rewire(call)
        return leg

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the public interface, also proxied to worker processes --------------------------------

    async def set_barge(self, call_id: str, active: bool) -> None:
        """While active, the citizen and the operator both hear the supervisor (mixed into
        their audio); the supervisor's leg may come before or after. Idempotent."""
        call = self._calls.get(call_id)
        if call is None:
            raise UnknownCall(f"no media for call {call_id}")
        if call.barging != bool(active):
            call.barging = bool(active)
            logger.info("call %s: barge %s", call_id, "on" if active else "off")
            self._rewire(call)

    async def close_party(self, call_id: str, party: str) -> None:
        call = self._calls.get(call_id)
        leg = self._remove_leg(call, party) if call is not None else None
        if leg is not None:
            await leg.close()

    async def close_call(self, call_id: str) -> dict[str, Any] | None:
        """Close every leg of the call and finish its recording; returns its final stats with
        ``"recording": {path, sha256, size, started_at, ended_at}`` (None when nothing was
        recorded), or None for an unknown call."""
        call = self._calls.pop(call_id, None)
        if call is None:
            return None
        final = call.stats()
        legs = list(call.legs.values())
        call.legs.clear()
        for mix in call.mixes.values():
            mix.close()
        call.mixes.clear()
        await asyncio.gather(*(leg.close() for leg in legs))
        result = await call.recording.close() if call.recording is not None else None
        final["recording"] = None if result is None else result.to_dict()
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


def _other(party: str) -> str:
    return "operator" if party == "citizen" else "citizen"


def _recording_path(directory: Path, call_id: str) -> Path:
    """``DIR/YYYY-MM-DD/CALL.webm``; a second file for the same call (another worker after a
    crash) never overwrites the first."""
    day = directory / time.strftime("%Y-%m-%d", time.gmtime())
    path = day / f"{call_id}.webm"
    attempt = 1
    while path.exists():
        attempt += 1
        path = day / f"{call_id}-{attempt}.webm"
    return path
