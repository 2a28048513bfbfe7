"""Live call as the domain sees it: plain, serialisable, versioned for compare-and-set."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from domain.calls import CallEvent, CallState, next_state
from domain.queue import QueueEntry


class MediaKind(enum.StrEnum):
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True, slots=True)
class LiveCall:
    id: str
    centre: str
    media: MediaKind
    created_at: float
    enqueued_at: float
    state: CallState = CallState.QUEUED
    priority: int = 0
    region_code: str | None = None
    flags: tuple[str, ...] = ()
    # The newest validated fix as a JSON-able dict (geo.location.Location.to_dict()).
    location: dict[str, Any] | None = None
    # What the geo module said about that fix (region, address, nearest units, flags).
    geo: dict[str, Any] | None = None
    operator_id: str | None = None
    offered_to: str | None = None
    resume_token_hash: str = ""
    # Incremented on every write; stores only write version n+1 over version n.
    version: int = 0
    ended_reason: str | None = None
    answered_at: float | None = None
    declined_by: tuple[str, ...] = field(default=())
    # Changes on every citizen (re)connection: a drop timer only ends the call if the
    # connection it was started for is still the latest one (works across nodes).
    caller_connection: str = ""
    # The server node holding the caller's socket (its drop timer runs there).
    caller_node: str | None = None
    # The server node whose media process holds this call's legs (set by the first answer).
    media_node: str | None = None

    def apply(self, event: CallEvent, **changes: Any) -> LiveCall:
        """The call after ``event`` (raises IllegalTransition), one version newer."""
        state = next_state(self.state, event)
        return replace(self, state=state, version=self.version + 1, **changes)

    def bump(self, **changes: Any) -> LiveCall:
        """The call with data changed but the same state, one version newer."""
        return replace(self, version=self.version + 1, **changes)

    def queue_entry(self) -> QueueEntry:
        return QueueEntry(self.id, self.centre, self.enqueued_at, self.priority)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        data["media"] = self.media.value
        data["flags"] = list(self.flags)
        data["declined_by"] = list(self.declined_by)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LiveCall:
        values = dict(data)
        values["state"] = CallState(values["state"])
        values["media"] = MediaKind(values["media"])
        values["flags"] = tuple(values.get("flags", ()))
        values["declined_by"] = tuple(values.get("declined_by", ()))
        return cls(**values)
