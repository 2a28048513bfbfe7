"""Queue order and operator selection, pure.

Order: higher priority first, then the oldest call. Selection: among the available operators
of the centre who are not on a call, the one idle the longest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QueueEntry:
    call_id: str
    centre: str
    enqueued_at: float  # seconds since the epoch
    priority: int = 0  # larger is more urgent

    def sort_key(self) -> tuple[int, float, str]:
        return (-self.priority, self.enqueued_at, self.call_id)

    def waiting_seconds(self, now: float) -> float:
        return max(0.0, now - self.enqueued_at)


@dataclass(frozen=True, slots=True)
class OperatorPresence:
    operator_id: str
    centre: str
    available: bool
    idle_since: float  # when the operator last became free
    current_call: str | None = None
    offered_call: str | None = None
    # The operator's newest console connection; a drop timer acts only if it is unchanged.
    connection: str = ""
    display_name: str = ""
    node: str | None = None  # the server node holding the console's socket

    @property
    def free(self) -> bool:
        return self.available and self.current_call is None and self.offered_call is None


def ordered(entries: Iterable[QueueEntry]) -> list[QueueEntry]:
    return sorted(entries, key=QueueEntry.sort_key)


def position_of(call_id: str, entries: Iterable[QueueEntry]) -> int | None:
    """1-based position in the ordered queue, or None if the call is not queued."""
    for index, entry in enumerate(ordered(entries), start=1):
        if entry.call_id == call_id:
            return index
    return None


def select_operator(operators: Iterable[OperatorPresence], centre: str) -> OperatorPresence | None:
    candidates = [op for op in operators if op.centre == centre and op.free]
    if not candidates:
        return None
    return min(candidates, key=lambda op: (op.idle_since, op.operator_id))


def next_offer(
    entries: Iterable[QueueEntry],
    operators: Iterable[OperatorPresence],
    declined: Mapping[str, Iterable[str]] | None = None,
) -> tuple[QueueEntry, OperatorPresence] | None:
    """The (call, operator) pair to offer next in one centre, or None.

    ``entries`` are the calls waiting in the queue (not those already offered). The oldest
    most urgent call goes to the longest-idle free operator who has not declined it; a call
    every free operator declined waits (any operator can still pick it from the queue) and
    the next call is considered.
    """
    declined = declined or {}
    operator_list = list(operators)
    for entry in ordered(entries):
        refused = set(declined.get(entry.call_id, ()))
        eligible = [op for op in operator_list if op.operator_id not in refused]
        operator = select_operator(eligible, entry.centre)
        if operator is not None:
            return entry, operator
    return None
