"""Operator-side operations: presence, accepting and declining calls, media, hang-up."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.calls import CallEvent, CallState
from domain.errors import CallAlreadyTaken, Conflict, Forbidden, IllegalTransition, UnknownCall
from domain.model import LiveCall
from domain.queue import OperatorPresence
from domain.roles import Role
from signaling.core import CallCore
from signaling.views import queue_item


class StaffUser:
    """The authenticated user behind an operator socket (from the login session)."""

    __slots__ = ("centre", "display_name", "id", "role", "username")

    def __init__(
        self, id: str, username: str, role: Role, centre: str | None, display_name: str
    ) -> None:
        self.id = id
        self.username = username
        self.role = role
        self.centre = centre
        self.display_name = display_name

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> StaffUser:
        return cls(
            str(data["user_id"]),
            str(data["username"]),
            Role(data["role"]),
            data.get("centre"),
            str(data.get("display_name") or data["username"]),
        )


class OperatorCalls:
    def __init__(self, core: CallCore) -> None:
        self.core = core

    async def connected(self, user: StaffUser, connection: str) -> OperatorPresence:
        """A console connected: the operator is present, unavailable until they say so."""
        if user.centre is None or user.centre not in self.core.settings.centres:
            raise Forbidden("this account has no control centre; ask an administrator")
        self.core.timers.cancel(f"operator-lost:{user.id}")
        presence = await self.core.live.get_operator(user.id)
        if presence is None:
            presence = OperatorPresence(
                operator_id=user.id,
                centre=user.centre,
                available=False,
                idle_since=self.core.clock(),
                display_name=user.display_name,
            )
        presence = replace(presence, connection=connection, node=self.core.node)
        await self.core.live.put_operator(presence)
        return presence

    async def set_available(self, user: StaffUser, available: bool) -> OperatorPresence:
        presence = await self._presence(user)
        changes: dict[str, Any] = {"available": available}
        if available and not presence.available:
            changes["idle_since"] = self.core.clock()
        presence = replace(presence, **changes)
        await self.core.live.put_operator(presence)
        if not available and presence.offered_call is not None:
            call = await self.core.withdraw_offer(presence.offered_call, user.id, CallEvent.DECLINE)
            await self.core.centre_changed(call.centre)
        else:
            await self.core.centre_changed(presence.centre)
        return presence

    async def _presence(self, user: StaffUser) -> OperatorPresence:
        presence = await self.core.live.get_operator(user.id)
        if presence is None:
            raise Conflict("the console is not connected")
        return presence

    async def _own_centre_call(self, user: StaffUser, call_id: str) -> LiveCall:
        call = await self.core.require_call(call_id)
        if call.centre != user.centre and user.role is not Role.SUPERVISOR:
            raise Forbidden("the call belongs to another centre")
        return call

    async def accept(self, user: StaffUser, call_id: str) -> dict[str, Any]:
        core = self.core
        call = await self._own_centre_call(user, call_id)
        presence = await self._presence(user)
        if presence.current_call is not None and presence.current_call != call_id:
            raise Conflict("you are already on a call; hang up first")
        now = core.clock()

        def change(current: LiveCall) -> LiveCall:
            if current.state is CallState.CONNECTED:
                raise CallAlreadyTaken("another operator has already taken this call")
            if current.state.terminal:
                raise IllegalTransition(f"the call has {current.state.value}")
            return current.apply(
                CallEvent.ACCEPT, operator_id=user.id, offered_to=None, answered_at=now
            )

        connected = await core.mutate(call_id, change)
        core.timers.cancel(f"offer:{call_id}")
        # The operator chose another call than the one offered to them: that one goes back.
        if presence.offered_call not in (None, call_id):
            assert presence.offered_call is not None
            try:
                await core.withdraw_offer(presence.offered_call, user.id, CallEvent.DECLINE)
            except (UnknownCall, CallAlreadyTaken):
                pass
        # Picked from the queue while offered to a colleague: withdraw their offer.
        if call.offered_to not in (None, user.id):
            assert call.offered_to is not None
            await core.set_operator(call.offered_to, offered_call=None)
            await core.notify.operator(
                call.offered_to, "call:offer_withdrawn", {"call_id": call_id}
            )
        await core.live.put_operator(replace(presence, current_call=call_id, offered_call=None))
        await core.records.update_call(call_id, answered_at=now, operator_id=user.id)
        await core.tell_citizen(connected)
        await core.centre_changed(connected.centre)
        core.log.info("call %s answered by %s", call_id, user.username)
        return await self.detail(connected)

    async def detail(self, call: LiveCall) -> dict[str, Any]:
        record = await self.core.records.get_call(call.id)
        trail = []
        if record is not None:
            for point in record.trail:
                trail.append(
                    {
                        **point.raw,
                        "received_at": point.received_at,
                        "region_code": point.region_code,
                    }
                )
        centre = self.core.settings.centres.get(call.centre)
        return {
            **queue_item(call, None, self.core.clock()),
            "trail": trail,
            "centre": call.centre,
            "centre_name": centre.name if centre else call.centre,
        }

    async def decline(self, user: StaffUser, call_id: str) -> None:
        await self._own_centre_call(user, call_id)
        call = await self.core.withdraw_offer(call_id, user.id, CallEvent.DECLINE)
        await self.core.centre_changed(call.centre)

    async def offer_media(self, user: StaffUser, call_id: str, sdp: str) -> str:
        call = await self._own_centre_call(user, call_id)
        if call.operator_id != user.id or call.state is not CallState.CONNECTED:
            raise IllegalTransition("accept the call before sending media")
        return await self.core.media.answer(call_id, "operator", sdp)

    async def hangup(self, user: StaffUser, call_id: str) -> LiveCall:
        call = await self._own_centre_call(user, call_id)
        if call.operator_id != user.id:
            raise UnknownCall("you are not on this call")
        ended = await self.core.transition(call_id, CallEvent.OPERATOR_HANGUP)
        await self.core.finish(ended, "operator_hangup")
        return ended

    async def disconnected(self, user: StaffUser, connection: str) -> None:
        """The console dropped. After a short grace its call is requeued, never dropped."""

        async def expire() -> None:
            presence = await self.core.live.get_operator(user.id)
            if presence is None or presence.connection != connection:
                return  # reconnected meanwhile (maybe on another node)
            await self.core.live.delete_operator(user.id)
            for call_id in {presence.current_call, presence.offered_call} - {None}:
                assert call_id is not None
                await self._requeue(call_id, user.id)
            await self.core.centre_changed(presence.centre)

        self.core.timers.start(f"operator-lost:{user.id}", self.core.operator_grace_s, expire)

    async def _requeue(self, call_id: str, operator_id: str) -> None:
        def change(call: LiveCall) -> LiveCall:
            if operator_id not in (call.operator_id, call.offered_to):
                raise CallAlreadyTaken("moved on")
            return call.apply(
                CallEvent.OPERATOR_LOST,
                operator_id=None,
                offered_to=None,
                priority=call.priority + 1,  # already waited once: ahead of new calls
                answered_at=None,
            )

        try:
            call = await self.core.mutate(call_id, change)
        except (UnknownCall, CallAlreadyTaken, IllegalTransition):
            return
        self.core.timers.cancel(f"offer:{call_id}")
        await self.core.media.close_party(call_id, "operator")
        await self.core.records.update_call(call_id, operator_id=None)
        await self.core.tell_citizen(call)
        self.core.log.warning("call %s requeued: operator %s lost", call_id, operator_id)
