"""What citizen and operator operations share: compare-and-set writes, ending a call,
telling everyone about a centre's queue, and offering waiting calls to operators."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from domain.calls import CallEvent, CallState
from domain.errors import CallAlreadyTaken, Conflict, Error102, UnknownCall
from domain.model import LiveCall
from domain.queue import OperatorPresence, next_offer
from live.base import LiveState
from records.base import RecordStore
from server.settings import Settings
from signaling.ports import AddressRefiner, GeoPort, MediaPort, Notifier
from signaling.timers import Timers
from signaling.views import centre_queue, citizen_call, queue_item, queue_positions

# Coalescing windows for queue and session updates (see CallCore.broadcast).
BROADCAST_DELAY_S = 0.05
SUPERVISOR_DELAY_S = 0.25

# Compare-and-set retries: a location update racing an accept loses one round, never more
# than a few; past this something is wrong and the client gets a conflict to retry.
MAX_CAS_ATTEMPTS = 8


class CallCore:
    def __init__(
        self,
        settings: Settings,
        live: LiveState,
        records: RecordStore,
        geo: GeoPort,
        media: MediaPort,
        notify: Notifier,
        *,
        clock: Callable[[], float] = time.time,
        caller_grace_s: float = 30.0,
        operator_grace_s: float = 10.0,
        refiner: AddressRefiner | None = None,
        node: str | None = None,
    ) -> None:
        self.settings = settings
        self.live = live
        self.records = records
        self.geo = geo
        self.media = media
        self.notify = notify
        self.clock = clock
        self.caller_grace_s = caller_grace_s
        self.operator_grace_s = operator_grace_s
        self.timers = Timers()
        self.refiner = refiner
        self._background: set[asyncio.Task[None]] = set()
        self.node = node or uuid.uuid4().hex[:12]
        self.log = logging.getLogger("102.calls")
        self._dispatch_locks: dict[str, asyncio.Lock] = {}
        # call id -> (state, position) last sent to its caller; node-local, only for dedup.
        self._told_citizen: dict[str, tuple[str, int | None]] = {}

    # -- reads and compare-and-set writes ----------------------------------------------------

    async def require_call(self, call_id: str) -> LiveCall:
        call = await self.live.get_call(call_id)
        if call is None:
            raise UnknownCall(f"no live call {call_id}")
        return call

    async def mutate(self, call_id: str, change: Callable[[LiveCall], LiveCall]) -> LiveCall:
        """Apply ``change`` to the newest version of the call, retrying on a lost race.

        ``change`` may raise a domain error (illegal transition, taken, ...): that is final.
        """
        for _ in range(MAX_CAS_ATTEMPTS):
            current = await self.require_call(call_id)
            updated = change(current)
            if await self.live.replace_call(updated):
                return updated
        raise Conflict("the call changed too often to update; retry")

    async def transition(self, call_id: str, event: CallEvent, **changes: Any) -> LiveCall:
        return await self.mutate(call_id, lambda call: call.apply(event, **changes))

    async def set_operator(self, operator_id: str, **changes: Any) -> OperatorPresence | None:
        presence = await self.live.get_operator(operator_id)
        if presence is None:
            return None
        presence = replace(presence, **changes)
        await self.live.put_operator(presence)
        return presence

    # -- ending -------------------------------------------------------------------------------

    async def finish(self, call: LiveCall, reason: str) -> None:
        """Record a call that reached a terminal state, release everything it held."""
        now = self.clock()
        self.timers.cancel(f"offer:{call.id}")
        self.timers.cancel(f"caller-lost:{call.id}")
        await self._close_media(call.id)
        await self.live.delete_call(call.id)
        self._told_citizen.pop(call.id, None)
        await self.records.update_call(
            call.id,
            ended_at=now,
            final_state=call.state.value,
            end_reason=reason,
            operator_id=call.operator_id,
        )
        for operator_id in {call.operator_id, call.offered_to} - {None}:
            assert operator_id is not None
            presence = await self.live.get_operator(operator_id)
            if presence is not None and call.id in (presence.current_call, presence.offered_call):
                await self.live.put_operator(
                    replace(presence, current_call=None, offered_call=None, idle_since=now)
                )
                await self.notify.operator(operator_id, "call:ended", self._ended(call, reason))
                await self.push_operator_state(operator_id)
        await self.notify.citizen(call.id, "call:ended", self._ended(call, reason))
        self.log.info("call %s %s (%s)", call.id, call.state.value, reason)
        await self.centre_changed(call.centre)

    async def _close_media(self, call_id: str) -> None:
        """Close the call's media here; keep its recording's hash and size with the record."""
        media_final = await self.media.close_call(call_id)
        recording = media_final.get("recording") if isinstance(media_final, dict) else None
        if recording:
            try:
                await self.records.save_recording(call_id, **recording)
            except Error102:  # the file stays on disk; ending the call must go on
                self.log.exception("call %s: recording %s not stored", call_id, recording)

    @staticmethod
    def _ended(call: LiveCall, reason: str) -> dict[str, Any]:
        return {"call_id": call.id, "state": call.state.value, "reason": reason}

    # -- telling people -----------------------------------------------------------------------

    async def citizen_view(self, call: LiveCall) -> dict[str, Any]:
        calls = await self.live.list_calls(call.centre)
        position = queue_positions(calls).get(call.id)
        return citizen_call(call, self.settings.centres, position, self.clock())

    async def tell_citizen(self, call: LiveCall) -> None:
        """Send the caller their call's state now (and remember it, so flushes skip it)."""
        view = await self.citizen_view(call)
        self._told_citizen[call.id] = (view["state"], view["queue_position"])
        await self.notify.citizen(call.id, "call:status", view)

    async def operator_view(self, presence: OperatorPresence) -> dict[str, Any]:
        centre = self.settings.centres.get(presence.centre)
        return {
            "id": presence.operator_id,
            "display_name": presence.display_name,
            "centre": presence.centre,
            "centre_name": centre.name if centre else presence.centre,
            "available": presence.available,
            "current_call": presence.current_call,
            "offered_call": presence.offered_call,
        }

    async def push_operator_state(self, operator_id: str) -> None:
        presence = await self.live.get_operator(operator_id)
        if presence is None:
            return
        calls = await self.live.list_calls(presence.centre)
        await self.notify.operator(
            operator_id,
            "operator:state",
            {
                "operator": await self.operator_view(presence),
                "queue": centre_queue(calls, self.clock()),
                "server_time": self.clock(),
            },
        )

    async def broadcast(self, centre: str) -> None:
        """Soon send the centre's queue to its operators, positions to its callers, and the
        sessions to supervisors.

        Changes come in bursts (a caller's position every second, many calls at once); one
        flush per centre per BROADCAST_DELAY_S carries all of them, so the cost stays linear
        in the number of calls instead of quadratic.
        """
        if not self.timers.pending(f"broadcast:{centre}"):
            self.timers.start(
                f"broadcast:{centre}", BROADCAST_DELAY_S, lambda: self._flush_centre(centre)
            )
        if not self.timers.pending("broadcast:supervisors"):
            self.timers.start(
                "broadcast:supervisors", SUPERVISOR_DELAY_S, self._flush_supervisors
            )

    async def _flush_centre(self, centre: str) -> None:
        now = self.clock()
        calls = await self.live.list_calls(centre)
        await self.notify.centre(
            centre,
            "queue:update",
            {"centre": centre, "calls": centre_queue(calls, now), "server_time": now},
        )
        positions = queue_positions(calls)
        for call in calls:
            if call.state.terminal:
                continue
            # A caller hears only about what changed for them: state or queue position.
            seen = (call.state.value, positions.get(call.id))
            if self._told_citizen.get(call.id) == seen:
                continue
            self._told_citizen[call.id] = seen
            view = citizen_call(call, self.settings.centres, positions.get(call.id), now)
            await self.notify.citizen(call.id, "call:status", view)

    async def _flush_supervisors(self) -> None:
        now = self.clock()
        every = await self.live.list_calls(None)
        all_positions = queue_positions(every)
        await self.notify.supervisors(
            "sessions:update",
            {"calls": [queue_item(c, all_positions.get(c.id), now) for c in every]},
        )

    async def centre_changed(self, centre: str) -> None:
        await self.dispatch(centre)
        await self.broadcast(centre)

    # -- offering calls -----------------------------------------------------------------------

    async def dispatch(self, centre: str) -> None:
        """Offer the centre's waiting calls to its longest-idle free operators."""
        lock = self._dispatch_locks.setdefault(centre, asyncio.Lock())
        async with lock:
            # Across nodes: one dispatcher per centre at a time; the holder re-reads state,
            # so a node that misses the lease loses nothing.
            if not await self.live.try_lock(f"dispatch:{centre}", self.node, 5.0):
                return
            try:
                while await self._offer_next(centre):
                    pass
            finally:
                await self.live.unlock(f"dispatch:{centre}", self.node)

    async def _offer_next(self, centre: str) -> bool:
        calls = await self.live.list_calls(centre)
        queued = [c for c in calls if c.state is CallState.QUEUED]
        operators = await self.live.list_operators(centre)
        pair = next_offer(
            [c.queue_entry() for c in queued],
            operators,
            {c.id: c.declined_by for c in queued},
        )
        if pair is None:
            return False
        entry, operator = pair
        call = next(c for c in queued if c.id == entry.call_id)
        offered = call.apply(CallEvent.OFFER, offered_to=operator.operator_id)
        if not await self.live.replace_call(offered):
            return True  # lost a race with the caller or another operator: look again
        await self.live.put_operator(replace(operator, offered_call=call.id))
        await self.records.update_call(call.id, offered_at=self.clock())
        timeout = self.settings.media.offer_timeout_s
        positions = queue_positions(calls)
        await self.notify.operator(
            operator.operator_id,
            "call:offered",
            {
                "call": queue_item(offered, positions.get(call.id), self.clock()),
                "expires_in_s": timeout,
            },
        )
        self.timers.start(
            f"offer:{call.id}",
            timeout,
            lambda: self.offer_expired(call.id, operator.operator_id),
        )
        return True

    async def offer_expired(self, call_id: str, operator_id: str) -> None:
        """Nobody answered the offer: the call goes back, the operator is marked away."""
        try:
            call = await self.withdraw_offer(call_id, operator_id, CallEvent.OFFER_TIMEOUT)
        except (UnknownCall, CallAlreadyTaken, Conflict):
            return
        await self.set_operator(operator_id, available=False)
        await self.notify.operator(operator_id, "call:offer_expired", {"call_id": call_id})
        await self.push_operator_state(operator_id)
        await self.centre_changed(call.centre)

    async def withdraw_offer(self, call_id: str, operator_id: str, event: CallEvent) -> LiveCall:
        def change(call: LiveCall) -> LiveCall:
            if call.state is not CallState.OFFERED or call.offered_to != operator_id:
                raise CallAlreadyTaken("the call is no longer offered to you")
            return call.apply(event, offered_to=None, declined_by=(*call.declined_by, operator_id))

        call = await self.mutate(call_id, change)
        self.timers.cancel(f"offer:{call_id}")
        presence = await self.live.get_operator(operator_id)
        if presence is not None and presence.offered_call == call_id:
            await self.live.put_operator(replace(presence, offered_call=None))
        return call

    async def media_lost(self, call_id: str, party: str) -> None:
        """A party's media connection failed: tell them (their client re-offers) and the other.

        Supervisors hear of every loss (a dead media worker shows as several at once).
        """
        await self.notify.supervisors(
            "media:lost", {"call_id": call_id, "party": party, "at": self.clock()}
        )
        if party not in ("citizen", "operator"):
            # A monitoring supervisor's leg: telling the parties would reveal the monitor.
            self.log.info("call %s: %s media lost", call_id, party)
            return
        call = await self.live.get_call(call_id)
        if call is None or call.state.terminal:
            return
        data = {"call_id": call_id, "party": party}
        await self.notify.citizen(call_id, "media:lost", data)
        if call.operator_id is not None:
            await self.notify.operator(call.operator_id, "media:lost", data)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run work nobody waits for (address refinement), cancelled with the core."""
        task = asyncio.create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def close(self, *, state_dies_with_us: bool) -> None:
        """Shut down without losing a record or a recording.

        With live state in this process, its calls end here as ``failed`` (server_shutdown),
        through the same path as a hang-up. With Redis the calls live on (another node's
        clients and timers carry on), but their media on this node closes now, so each
        recording made here is finished and its hash stored.
        """
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if not state_dies_with_us:
            # The calls outlive this node: its drop timers must not end them while it stops
            # (the sweeper of a surviving node gives its callers their grace period).
            await self.timers.close()
        if state_dies_with_us:
            for call in await self.live.list_calls(None):
                if not call.state.terminal:
                    await self.finish(call.apply(CallEvent.FAIL), "server_shutdown")
        for call_id in self.media.calls():
            await self._close_media(call_id)
        await self.timers.close()
