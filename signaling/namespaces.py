"""Socket.IO handlers: parse, authorise, ask the call service, acknowledge.

Every handler answers with an ack: ``{"ok": true, ...}`` or ``{"ok": false, "error": {...}}``.
Nothing a client sends can raise out of a handler: domain errors become error acks, anything
else is logged and answered with ``internal``, and the server goes on serving other calls.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any

import socketio

from domain.errors import (
    Conflict,
    Error102,
    Forbidden,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    UnknownCall,
)
from domain.roles import NAMESPACE_ROLES
from signaling.core import CallCore
from signaling.notifier import (
    CITIZEN_NS,
    OPERATOR_NS,
    SUPERVISOR_NS,
    SUPERVISORS_ROOM,
    call_room,
    centre_room,
    operator_room,
)
from signaling.operators import OperatorCalls, StaffUser
from signaling.payloads import Availability, CallRef, LocationUpdate, MediaOffer, Resume, StartCall
from signaling.ratelimit import RateLimiter
from signaling.service import CitizenCalls
from signaling.supervisors import MonitorBoard, SupervisorCalls
from signaling.views import centre_queue, queue_item, queue_positions

log = logging.getLogger("102.signaling")
Ack = dict[str, Any]
Handler = Callable[[str, Any], Awaitable[Ack]]
SESSION_COOKIE = "sid"


def client_address(environ: dict[str, Any]) -> str:
    request = environ.get("aiohttp.request")
    remote = getattr(request, "remote", None) or environ.get("REMOTE_ADDR")
    return str(remote or "?")


class Signaling:
    """Registers the three namespaces on ``sio``; the call core is plugged in at startup."""

    def __init__(
        self, sio: socketio.AsyncServer, max_event_bytes: int, calls_per_min_per_address: int
    ) -> None:
        self.sio = sio
        self.max_event_bytes = max_event_bytes
        self._core: CallCore | None = None
        self.events = RateLimiter(rate_per_s=20.0, burst=40.0)
        # Per client address. Generous: many real callers share one carrier-NAT address, and
        # an emergency line must not turn them away; this only stops a scripted flood.
        self.call_starts = RateLimiter(
            rate_per_s=calls_per_min_per_address / 60, burst=float(calls_per_min_per_address)
        )
        # sid -> (call_id, connection) for citizens; sid -> (user, connection) for staff
        self.citizens: dict[str, tuple[str, str]] = {}
        self.citizen_addr: dict[str, str] = {}
        self.staff: dict[str, tuple[StaffUser, str]] = {}
        self.monitors = MonitorBoard()
        self._register()

    def attach_core(self, core: CallCore | None) -> None:
        self._core = core

    @property
    def core(self) -> CallCore:
        if self._core is None:
            raise ServiceUnavailable("the server is starting or stopping; retry")
        return self._core

    # -- plumbing -----------------------------------------------------------------------------

    def _wrap(self, event: str, handler: Handler) -> Callable[..., Awaitable[Ack]]:
        async def wrapped(sid: str, data: Any = None, *_: Any) -> Ack:
            try:
                if not self.events.allow(sid):
                    raise RateLimited("too many events; slow down")
                if len(json.dumps(data, default=str)) > self.max_event_bytes:
                    raise PayloadTooLarge(f"event is larger than {self.max_event_bytes} bytes")
                return {"ok": True, **await handler(sid, data)}
            except Error102 as exc:
                log.info("%s from %s refused: %s %s", event, sid, exc.code, exc.message)
                return {"ok": False, "error": exc.to_dict()}
            except Exception:
                log.exception("%s from %s failed", event, sid)
                return {"ok": False, "error": {"code": "internal", "message": "internal error"}}

        return wrapped

    def _on(self, namespace: str, event: str, handler: Handler) -> None:
        self.sio.on(event, self._wrap(event, handler), namespace=namespace)

    # -- registration -------------------------------------------------------------------------

    def _register(self) -> None:
        sio = self.sio
        sio.on("connect", self._citizen_connect, namespace=CITIZEN_NS)
        sio.on("disconnect", self._citizen_disconnect, namespace=CITIZEN_NS)
        self._on(CITIZEN_NS, "call:start", self._call_start)
        self._on(CITIZEN_NS, "media:offer", self._citizen_offer)
        self._on(CITIZEN_NS, "location:update", self._location_update)
        self._on(CITIZEN_NS, "call:hangup", self._citizen_hangup)
        self._on(CITIZEN_NS, "call:resume", self._call_resume)

        for ns in (OPERATOR_NS, SUPERVISOR_NS):
            sio.on("connect", self._staff_connect(ns), namespace=ns)
            sio.on("disconnect", self._staff_disconnect(ns), namespace=ns)
        self._on(OPERATOR_NS, "operator:availability", self._availability)
        self._on(OPERATOR_NS, "call:accept", self._accept)
        self._on(OPERATOR_NS, "call:decline", self._decline)
        self._on(OPERATOR_NS, "media:offer", self._operator_offer)
        self._on(OPERATOR_NS, "call:hangup", self._operator_hangup)
        self._on(SUPERVISOR_NS, "directory:get", self._directory)
        self._on(SUPERVISOR_NS, "monitor:start", self._monitor_start)
        self._on(SUPERVISOR_NS, "media:offer", self._supervisor_offer)
        self._on(SUPERVISOR_NS, "barge:start", self._barge_start)
        self._on(SUPERVISOR_NS, "barge:stop", self._barge_stop)
        self._on(SUPERVISOR_NS, "monitor:stop", self._monitor_stop)

    # -- citizens -----------------------------------------------------------------------------

    async def _citizen_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        self.citizen_addr[sid] = client_address(environ)

    async def _citizen_disconnect(self, sid: str, *_: Any) -> None:
        self.events.forget(sid)
        self.citizen_addr.pop(sid, None)
        held = self.citizens.pop(sid, None)
        if held is not None and self._core is not None:
            call_id, connection = held
            try:
                await self.core_citizens.disconnected(call_id, connection)
            except Error102 as exc:
                log.info("citizen %s drop: %s", sid, exc.message)

    @property
    def core_citizens(self) -> CitizenCalls:
        return CitizenCalls(self.core)

    @property
    def core_operators(self) -> OperatorCalls:
        return OperatorCalls(self.core)

    def _own_call(self, sid: str, call_id: str) -> str:
        held = self.citizens.get(sid)
        if held is None or held[0] != call_id:
            raise UnknownCall("this connection holds no call with that id")
        return call_id

    async def _call_start(self, sid: str, data: Any) -> Ack:
        request = StartCall.parse(data)
        if sid in self.citizens:
            live = await self.core.live.get_call(self.citizens[sid][0])
            if live is not None and not live.state.terminal:
                raise Conflict("this connection already has a live call")
        if not self.call_starts.allow(self.citizen_addr.get(sid, sid)):
            raise RateLimited("too many calls from this address; wait a minute")
        connection = secrets.token_hex(8)
        call, token, rejected = await self.core_citizens.start(request, connection)
        self.citizens[sid] = (call.id, connection)
        try:
            await self.sio.enter_room(sid, call_room(call.id), namespace=CITIZEN_NS)
        except ValueError:
            # The caller dropped while the call was being created: the disconnect handler
            # ran before it knew the call, so take the drop path (grace, then abandoned).
            self.citizens.pop(sid, None)
            await self.core_citizens.announce(call)
            await self.core_citizens.disconnected(call.id, connection)
            raise Conflict("the connection closed while the call was starting") from None
        call = await self.core_citizens.announce(call)
        ack: Ack = {"call": await self.core.citizen_view(call), "resume_token": token}
        if rejected is not None:
            ack["location_rejected"] = rejected
        return ack

    async def _citizen_offer(self, sid: str, data: Any) -> Ack:
        offer = MediaOffer.parse(data)
        answer = await self.core_citizens.offer_media(self._own_call(sid, offer.call_id), offer.sdp)
        return {"type": "answer", "sdp": answer}

    async def _location_update(self, sid: str, data: Any) -> Ack:
        update = LocationUpdate.parse(data)
        call_id = self._own_call(sid, update.call_id)
        return await self.core_citizens.update_location(call_id, update.location)

    async def _citizen_hangup(self, sid: str, data: Any) -> Ack:
        ref = CallRef.parse(data)
        call = await self.core_citizens.hangup(self._own_call(sid, ref.call_id))
        return {"state": call.state.value}

    async def _call_resume(self, sid: str, data: Any) -> Ack:
        request = Resume.parse(data)
        connection = secrets.token_hex(8)
        call = await self.core_citizens.resume(request.call_id, request.resume_token, connection)
        self.citizens[sid] = (call.id, connection)
        await self.sio.enter_room(sid, call_room(call.id), namespace=CITIZEN_NS)
        return {"call": await self.core.citizen_view(call)}

    # -- staff --------------------------------------------------------------------------------

    async def _session_user(self, environ: dict[str, Any], auth: Any) -> StaffUser | None:
        token = auth.get("session") if isinstance(auth, dict) else None
        if not token:
            try:
                cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
            except CookieError:
                return None
            morsel = cookie.get(SESSION_COOKIE)
            token = morsel.value if morsel else None
        if not isinstance(token, str) or not token:
            return None
        session = await self.core.live.get_session(token)
        if session is None:
            return None
        user = StaffUser.from_session(session)
        account = await self.core.records.get_user(user.id)
        if account is None or not account.active:  # deactivated: refused at once
            await self.core.live.delete_session(token)
            return None
        return user

    def _staff_connect(self, namespace: str) -> Callable[..., Awaitable[None]]:
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            user = await self._session_user(environ, auth)
            if user is None:
                raise socketio.exceptions.ConnectionRefusedError(
                    {"code": "unauthenticated", "message": "log in first"}
                )
            if user.role not in NAMESPACE_ROLES[namespace]:
                raise socketio.exceptions.ConnectionRefusedError(
                    {"code": "forbidden", "message": f"{user.role.value} may not open {namespace}"}
                )
            connection = secrets.token_hex(8)
            self.staff[sid] = (user, connection)
            if namespace == OPERATOR_NS:
                try:
                    await self.core_operators.connected(user, connection)
                except Forbidden as exc:
                    self.staff.pop(sid, None)
                    raise socketio.exceptions.ConnectionRefusedError(exc.to_dict()) from None
            # The handshake is answered when this handler returns; greet after that.
            self.sio.start_background_task(self._welcome, sid, namespace, user)

        return connect

    async def _welcome(self, sid: str, namespace: str, user: StaffUser) -> None:
        try:
            if namespace == SUPERVISOR_NS:
                await self.sio.enter_room(sid, SUPERVISORS_ROOM, namespace=namespace)
                every = await self.core.live.list_calls(None)
                positions = queue_positions(every)
                now = self.core.clock()
                await self.sio.emit(
                    "sessions:update",
                    {"calls": [queue_item(c, positions.get(c.id), now) for c in every]},
                    to=sid,
                    namespace=namespace,
                )
                return
            presence = await self.core.live.get_operator(user.id)
            if presence is None:
                return
            await self.sio.enter_room(sid, operator_room(user.id), namespace=namespace)
            await self.sio.enter_room(sid, centre_room(presence.centre), namespace=namespace)
            calls = await self.core.live.list_calls(presence.centre)
            await self.sio.emit(
                "operator:state",
                {
                    "operator": {
                        **await self.core.operator_view(presence),
                        "username": user.username,
                    },
                    "queue": centre_queue(calls, self.core.clock()),
                    "server_time": self.core.clock(),
                },
                to=sid,
                namespace=namespace,
            )
        except Exception:
            log.exception("greeting %s on %s failed", sid, namespace)

    def _staff_disconnect(self, namespace: str) -> Callable[..., Awaitable[None]]:
        async def disconnect(sid: str, *_: Any) -> None:
            self.events.forget(sid)
            held = self.staff.pop(sid, None)
            if namespace == SUPERVISOR_NS and self._core is not None:
                await self._supervisor_gone(sid)
            if held is None or namespace != OPERATOR_NS or self._core is None:
                return
            user, connection = held
            try:
                await self.core_operators.disconnected(user, connection)
            except Error102 as exc:
                log.info("operator %s drop: %s", user.username, exc.message)

        return disconnect

    def _user(self, sid: str) -> StaffUser:
        held = self.staff.get(sid)
        if held is None:
            raise Forbidden("not signed in")
        return held[0]

    async def _availability(self, sid: str, data: Any) -> Ack:
        request = Availability.parse(data)
        presence = await self.core_operators.set_available(self._user(sid), request.available)
        return {"available": presence.available}

    async def _accept(self, sid: str, data: Any) -> Ack:
        ref = CallRef.parse(data)
        return {"call": await self.core_operators.accept(self._user(sid), ref.call_id)}

    async def _decline(self, sid: str, data: Any) -> Ack:
        ref = CallRef.parse(data)
        await self.core_operators.decline(self._user(sid), ref.call_id)
        return {}

    async def _operator_offer(self, sid: str, data: Any) -> Ack:
        offer = MediaOffer.parse(data)
        answer = await self.core_operators.offer_media(self._user(sid), offer.call_id, offer.sdp)
        return {"type": "answer", "sdp": answer}

    async def _operator_hangup(self, sid: str, data: Any) -> Ack:
        ref = CallRef.parse(data)
        call = await self.core_operators.hangup(self._user(sid), ref.call_id)
        return {"state": call.state.value}

    # -- supervisors --------------------------------------------------------------------------

    @property
    def core_supervisors(self) -> SupervisorCalls:
        return SupervisorCalls(self.core, self.monitors, self._tell_supervisor)

    async def _tell_supervisor(self, sid: str, event: str, data: dict[str, Any]) -> None:
        await self.sio.emit(event, data, to=sid, namespace=SUPERVISOR_NS)

    async def _supervisor_gone(self, sid: str) -> None:
        try:
            await self.core_supervisors.disconnected(sid)
        except Exception:  # the socket is gone either way; the leg closes with the call
            log.exception("releasing the monitor of %s failed", sid)

    async def _directory(self, sid: str, data: Any) -> Ack:
        self._user(sid)
        return await self.core_supervisors.directory()

    async def _monitor_start(self, sid: str, data: Any) -> Ack:
        ref = CallRef.parse(data)
        return await self.core_supervisors.start(sid, self._user(sid), ref.call_id)

    async def _supervisor_offer(self, sid: str, data: Any) -> Ack:
        offer = MediaOffer.parse(data)
        answer = await self.core_supervisors.offer_media(
            sid, self._user(sid), offer.call_id, offer.sdp
        )
        return {"type": "answer", "sdp": answer}

    async def _barge_start(self, sid: str, data: Any) -> Ack:
        ref = CallRef.parse(data)
        barging = await self.core_supervisors.barge(sid, self._user(sid), ref.call_id, True)
        return {"barging": barging}

    async def _barge_stop(self, sid: str, data: Any) -> Ack:
        ref = CallRef.parse(data)
        barging = await self.core_supervisors.barge(sid, self._user(sid), ref.call_id, False)
        return {"barging": barging}

    async def _monitor_stop(self, sid: str, data: Any) -> Ack:
        ref = CallRef.parse(data)
        await self.core_supervisors.stop(sid, self._user(sid), ref.call_id)
        return {"monitoring": False}
