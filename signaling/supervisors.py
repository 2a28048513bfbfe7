"""Supervisor operations: watch a live call (silent monitor), join it (barge), stop.

A supervisor socket monitors one call at a time. Its media is one more leg of that call, party
``supervisor`` (three m-lines, docs/protocol.md); the media registry keeps one such leg per call,
so a second supervisor's offer replaces the first one's, who is told (``monitor:ended``).
Monitoring and barging are audited (who, which call, when). The parties are told of a barge and
never of a silent monitor.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from domain.calls import CallState
from domain.errors import IllegalTransition, UnknownCall
from domain.model import LiveCall
from signaling.core import CallCore
from signaling.operators import StaffUser
from signaling.views import queue_item, queue_positions

log = logging.getLogger("102.supervisors")

SUPERVISOR_PARTY = "supervisor"
TellSocket = Callable[[str, str, dict[str, Any]], Awaitable[None]]  # (sid, event, data)


@dataclass(slots=True)
class Monitor:
    """One supervisor socket watching one call."""

    sid: str
    user: StaffUser
    call_id: str
    has_leg: bool = False  # its media:offer was answered and not replaced since
    barging: bool = False


class MonitorBoard:
    """Who monitors what on this node: by socket, and which socket holds each call's leg.

    Supervisor sockets stay on the node they connected to, so this need not be shared.
    """

    def __init__(self) -> None:
        self.by_sid: dict[str, Monitor] = {}
        self.leg_holder: dict[str, str] = {}  # call_id -> sid

    def get(self, sid: str, call_id: str) -> Monitor:
        monitor = self.by_sid.get(sid)
        if monitor is None or monitor.call_id != call_id:
            raise IllegalTransition("send monitor:start for this call first")
        return monitor

    def holder(self, call_id: str) -> Monitor | None:
        sid = self.leg_holder.get(call_id)
        return self.by_sid.get(sid) if sid is not None else None

    def forget(self, monitor: Monitor) -> None:
        if self.by_sid.get(monitor.sid) is monitor:
            del self.by_sid[monitor.sid]
        if self.leg_holder.get(monitor.call_id) == monitor.sid:
            del self.leg_holder[monitor.call_id]


class SupervisorCalls:
    def __init__(self, core: CallCore, board: MonitorBoard, tell: TellSocket) -> None:
        self.core = core
        self.board = board
        self.tell = tell

    # -- views --------------------------------------------------------------------------------

    async def session(self, call: LiveCall) -> dict[str, Any]:
        """A call as the supervisor console shows it: QueueItem + centre and operator names."""
        calls = await self.core.live.list_calls(call.centre)
        item = queue_item(call, queue_positions(calls).get(call.id), self.core.clock())
        centre = self.core.settings.centres.get(call.centre)
        operator_name = None
        if call.operator_id is not None:
            presence = await self.core.live.get_operator(call.operator_id)
            operator_name = presence.display_name if presence else None
        return {
            **item,
            "answered_at": call.answered_at,
            "centre_name": centre.name if centre else call.centre,
            "operator_name": operator_name,
        }

    async def directory(self) -> dict[str, Any]:
        """Centre names and every present operator, to label ``sessions:update`` entries."""
        operators = await self.core.live.list_operators(None)
        return {
            "centres": [{"id": c.id, "name": c.name} for c in self.core.settings.centres.centres],
            "operators": [
                {
                    "id": p.operator_id,
                    "display_name": p.display_name,
                    "centre": p.centre,
                    "available": p.available,
                    "current_call": p.current_call,
                }
                for p in operators
            ],
        }

    # -- operations ---------------------------------------------------------------------------

    async def _live_call(self, call_id: str) -> LiveCall:
        call = await self.core.require_call(call_id)
        if call.state.terminal:
            raise UnknownCall(f"call {call_id} has {call.state.value}")
        return call

    async def _audit(self, user: StaffUser, action: str, call_id: str, **detail: Any) -> None:
        await self.core.records.audit(
            user.id, action, f"call:{call_id}", {"username": user.username, **detail}
        )

    async def start(self, sid: str, user: StaffUser, call_id: str) -> dict[str, Any]:
        call = await self._live_call(call_id)
        current = self.board.by_sid.get(sid)
        if current is not None and current.call_id != call_id:
            await self._release(current, "switched")
        if current is None or current.call_id != call_id:
            self.board.by_sid[sid] = Monitor(sid, user, call_id)
        await self._audit(user, "call.monitor", call_id, active=True, centre=call.centre)
        self.core.log.info("call %s monitored by %s", call_id, user.username)
        return {"call": await self.session(call)}

    async def offer_media(self, sid: str, user: StaffUser, call_id: str, sdp: str) -> str:
        monitor = self.board.get(sid, call_id)
        await self._live_call(call_id)
        previous = self.board.holder(call_id)
        if previous is not None and previous is not monitor and previous.barging:
            # The new leg carries another microphone: the old barge ends before it is replaced.
            await self._set_barge(previous, False)
        answer = await self.core.media.answer(call_id, SUPERVISOR_PARTY, sdp)
        if previous is not None and previous is not monitor:
            previous.has_leg = False
            await self.tell(
                previous.sid,
                "monitor:ended",
                {"call_id": call_id, "reason": "replaced", "by": user.display_name},
            )
        self.board.leg_holder[call_id] = sid
        monitor.has_leg = True
        return answer

    async def barge(self, sid: str, user: StaffUser, call_id: str, active: bool) -> bool:
        monitor = self.board.get(sid, call_id)
        call = await self._live_call(call_id)
        if active and call.state is not CallState.CONNECTED:
            raise IllegalTransition("only a connected call can be joined")
        if active and not monitor.has_leg:
            raise IllegalTransition("send media:offer first: barging needs your microphone")
        if monitor.barging != active:
            await self._set_barge(monitor, active, call)
        return monitor.barging

    async def _set_barge(
        self, monitor: Monitor, active: bool, call: LiveCall | None = None
    ) -> None:
        call = call or await self.core.live.get_call(monitor.call_id)
        if call is not None and not call.state.terminal:
            await self.core.media.set_barge(monitor.call_id, active)
        monitor.barging = active
        await self._audit(monitor.user, "call.barge", monitor.call_id, active=active)
        self.core.log.info(
            "call %s: %s %s barging",
            monitor.call_id,
            monitor.user.username,
            "starts" if active else "stops",
        )
        if call is None or call.state.terminal:
            return
        data = {"call_id": call.id, "active": active, "supervisor": monitor.user.display_name}
        await self.core.notify.citizen(call.id, "call:barge", data)
        if call.operator_id is not None:
            await self.core.notify.operator(call.operator_id, "call:barge", data)

    async def stop(self, sid: str, user: StaffUser, call_id: str) -> None:
        monitor = self.board.get(sid, call_id)
        await self._release(monitor, "stopped")

    async def disconnected(self, sid: str) -> None:
        monitor = self.board.by_sid.get(sid)
        if monitor is not None:
            await self._release(monitor, "disconnected")

    async def _release(self, monitor: Monitor, reason: str) -> None:
        """End a monitoring: barge off, leg closed, audited. Safe after the call ended."""
        try:
            if monitor.barging:
                await self._set_barge(monitor, False)
            if monitor.has_leg and self.board.leg_holder.get(monitor.call_id) == monitor.sid:
                await self.core.media.close_party(monitor.call_id, SUPERVISOR_PARTY)
        finally:
            self.board.forget(monitor)
            monitor.has_leg = False
        await self._audit(
            monitor.user, "call.monitor", monitor.call_id, active=False, reason=reason
        )
