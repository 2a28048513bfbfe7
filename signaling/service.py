"""The call service: citizen-side operations on a call.

Adapters (Socket.IO namespaces) hand it validated payloads; it asks the domain what happens,
writes live state and records, drives media, and tells the parties through the Notifier.
Operator-side operations live in ``signaling.operators``; both share ``CallCore``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from domain.calls import CallEvent, CallState
from domain.errors import GeocoderError, IllegalTransition, InvalidLocation, UnknownCall
from domain.model import LiveCall
from geo.location import Location
from records.models import CallRecord, TrailPoint
from signaling.core import CallCore
from signaling.payloads import StartCall


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CitizenCalls:
    """Start, locate, offer media for, resume and hang up a citizen's call."""

    def __init__(self, core: CallCore) -> None:
        self.core = core

    # -- location -----------------------------------------------------------------------------

    def _parse_location(self, raw: Mapping[str, Any], now: float) -> Location:
        return Location.from_payload(raw, now=now)

    def _geo(self, location: Location, now: float) -> dict[str, Any]:
        answer: dict[str, Any] = self.core.geo.locate(
            location.lat, location.lon, location.accuracy_m
        ).to_dict()
        flags = list(answer.get("flags", []))
        if location.is_stale(now, self.core.settings.geo.max_fix_age_s):
            flags.append("stale")
        answer["flags"] = list(dict.fromkeys(flags))
        return answer

    def _trail_point(self, location: Location, region: str | None, now: float) -> TrailPoint:
        return TrailPoint(
            lat=location.lat,
            lon=location.lon,
            accuracy_m=location.accuracy_m,
            fixed_at=location.fixed_at,
            received_at=now,
            source=str(location.source),
            region_code=region,
            raw=location.to_dict(),
        )

    # -- operations ---------------------------------------------------------------------------

    async def start(
        self, request: StartCall, connection: str
    ) -> tuple[LiveCall, str, dict[str, str] | None]:
        """A new call, routed and queued. Returns (call, resume token, location rejection)."""
        core = self.core
        now = core.clock()
        location: Location | None = None
        rejected: dict[str, str] | None = None
        if request.location is not None:
            try:
                location = self._parse_location(request.location, now)
            except InvalidLocation as exc:
                rejected = exc.to_dict()
        geo: dict[str, Any] | None = None
        if location is not None:
            geo = self._geo(location, now)
            region, centre, flags = geo.get("region_code"), geo["centre"], list(geo["flags"])
        else:
            route = core.settings.centres.route(None, ["no_location"])
            region, centre, flags = None, route.centre, list(route.flags)
        token = secrets.token_urlsafe(32)
        call = LiveCall(
            id=uuid.uuid4().hex,
            centre=centre,
            media=request.media,
            created_at=now,
            enqueued_at=now,
            region_code=region,
            flags=tuple(flags),
            location=location.to_dict() if location else None,
            geo=geo,
            resume_token_hash=hash_token(token),
            caller_connection=connection,
            caller_node=core.node,
        )
        await core.live.put_call(call)
        await core.records.create_call(
            CallRecord(
                id=call.id,
                centre=centre,
                media=call.media.value,
                region_code=region,
                flags=call.flags,
                created_at=now,
            )
        )
        if location is not None:
            await core.records.append_location(call.id, self._trail_point(location, region, now))
            self._refine_later(call.id, location)
        core.log.info("call %s queued at %s (region %s, flags %s)", call.id, centre, region, flags)
        # The caller's socket joins the call's room before anyone is told (announce()).
        return call, token, rejected

    async def announce(self, call: LiveCall) -> LiveCall:
        """Offer the new call and tell everyone; returns its state after that."""
        await self.core.centre_changed(call.centre)
        return await self.core.live.get_call(call.id) or call

    async def update_location(self, call_id: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        core = self.core
        now = core.clock()
        location = self._parse_location(raw, now)
        geo = self._geo(location, now)
        previous: dict[str, str | None] = {}

        def change(call: LiveCall) -> LiveCall:
            if call.state.terminal:
                raise IllegalTransition(f"call is {call.state.value}")
            previous["region"] = (call.geo or {}).get("region_code", call.region_code)
            return call.bump(location=location.to_dict(), geo=geo)

        call = await core.mutate(call_id, change)
        region = geo.get("region_code")
        await core.records.append_location(call_id, self._trail_point(location, region, now))
        self._refine_later(call_id, location)
        region_changed = "region" in previous and previous["region"] != region
        if call.operator_id is not None:
            await core.notify.operator(
                call.operator_id,
                "call:location",
                {
                    "call_id": call_id,
                    "location": location.to_dict(),
                    "geo": geo,
                    "region_changed": region_changed,
                    "received_at": now,
                },
            )
        await core.broadcast(call.centre)
        return {"region_code": region, "flags": geo["flags"], "region_changed": region_changed}

    def _refine_later(self, call_id: str, location: Location) -> None:
        if self.core.refiner is not None:
            self.core.spawn(self._refine(call_id, location), f"refine:{call_id}")

    async def _refine(self, call_id: str, location: Location) -> None:
        """Ask the online geocoder; on success replace the offline address and tell the operator.

        The offline address is already shown, so a slow, rate-limited or failing geocoder
        changes nothing for the call.
        """
        core = self.core
        assert core.refiner is not None
        try:
            address = await core.refiner.describe_async(location.lat, location.lon)
        except GeocoderError as exc:
            core.log.info("call %s: online address unavailable (%s)", call_id, exc.message)
            return
        fix = location.to_dict()
        refined = {
            "address": address.text,
            "address_ru": address.text_ru,
            "address_kk": address.text_kk,
            "address_source": address.source,
        }

        def change(call: LiveCall) -> LiveCall:
            if call.location != fix or call.geo is None:
                raise IllegalTransition("a newer fix arrived")  # keep the newer one's address
            flags = list(dict.fromkeys([*call.geo.get("flags", []), *address.flags]))
            return call.bump(geo={**call.geo, **refined, "flags": flags})

        try:
            call = await core.mutate(call_id, change)
        except (UnknownCall, IllegalTransition):
            return
        assert call.geo is not None
        if call.operator_id is not None:
            await core.notify.operator(
                call.operator_id,
                "call:address",
                {"call_id": call_id, **refined, "flags": call.geo["flags"]},
            )
        await core.broadcast(call.centre)

    async def offer_media(self, call_id: str, sdp: str) -> str:
        call = await self.core.require_call(call_id)
        if call.state.terminal:
            raise IllegalTransition(f"call is {call.state.value}")
        return await self.core.media.answer(call_id, "citizen", sdp)

    async def hangup(self, call_id: str) -> LiveCall:
        call = await self.core.transition(call_id, CallEvent.CALLER_HANGUP)
        await self.core.finish(call, "caller_hangup")
        return call

    async def resume(self, call_id: str, token: str, connection: str) -> LiveCall:
        call = await self.core.live.get_call(call_id)
        # Same answer for an unknown call and a wrong token: the id alone proves nothing.
        if call is None or not hmac.compare_digest(call.resume_token_hash, hash_token(token)):
            raise UnknownCall("no live call with that id and resume token")
        call = await self.core.mutate(
            call_id, lambda c: c.bump(caller_connection=connection, caller_node=self.core.node)
        )
        self.core.timers.cancel(f"caller-lost:{call_id}")
        return call

    async def disconnected(self, call_id: str, connection: str) -> None:
        """The citizen's socket dropped: media goes now, the call after a grace period."""
        await self.core.media.close_party(call_id, "citizen")

        async def expire() -> None:
            call = await self.core.live.get_call(call_id)
            if call is None or call.caller_connection != connection or call.state.terminal:
                return
            event = CallEvent.CALLER_HANGUP
            ended = await self.core.transition(call_id, event)
            await self.core.finish(ended, "caller_lost")

        self.core.timers.start(f"caller-lost:{call_id}", self.core.caller_grace_s, expire)

    async def status(self, call_id: str) -> dict[str, Any]:
        call = await self.core.require_call(call_id)
        return await self.core.citizen_view(call)


__all__ = ["CallState", "CitizenCalls", "hash_token"]
