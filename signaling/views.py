"""What each audience is shown of a live call: pure formatting, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.calls import CallState
from domain.model import LiveCall
from domain.queue import ordered
from domain.routing import CentreDirectory


def queue_positions(calls: Iterable[LiveCall]) -> dict[str, int]:
    """1-based positions of the calls waiting for an operator (queued or offered)."""
    waiting = [c.queue_entry() for c in calls if c.state in (CallState.QUEUED, CallState.OFFERED)]
    return {entry.call_id: index for index, entry in enumerate(ordered(waiting), start=1)}


def citizen_call(
    call: LiveCall, centres: CentreDirectory, position: int | None, now: float
) -> dict[str, Any]:
    centre = centres.get(call.centre)
    return {
        "id": call.id,
        "state": call.state.value,
        "media": call.media.value,
        "centre": call.centre,
        "centre_name": centre.name if centre else call.centre,
        "region_code": call.region_code,
        "flags": list(call.flags),
        "queue_position": position,
        "waiting_s": round(max(0.0, now - call.enqueued_at), 1),
        "created_at": call.created_at,
        "server_time": now,
    }


def queue_item(call: LiveCall, position: int | None, now: float) -> dict[str, Any]:
    return {
        "id": call.id,
        "state": call.state.value,
        "media": call.media.value,
        "priority": call.priority,
        "centre": call.centre,
        "enqueued_at": call.enqueued_at,
        "waiting_s": round(max(0.0, now - call.enqueued_at), 1),
        "position": position,
        "region_code": call.region_code,
        "flags": list(call.flags),
        "location": call.location,
        "geo": call.geo,
        "offered_to": call.offered_to,
        "operator_id": call.operator_id,
        # Talk time on the supervisor console; null while waiting.
        "answered_at": call.answered_at,
    }


def centre_queue(calls: Iterable[LiveCall], now: float) -> list[dict[str, Any]]:
    """A centre's live calls: waiting ones in queue order first, then those connected."""
    call_list = list(calls)
    positions = queue_positions(call_list)
    waiting = sorted((c for c in call_list if c.id in positions), key=lambda c: positions[c.id])
    talking = sorted(
        (c for c in call_list if c.id not in positions and not c.state.terminal),
        key=lambda c: c.answered_at or c.created_at,
    )
    return [queue_item(c, positions.get(c.id), now) for c in waiting + talking]
