"""Call lifecycle: one transition table.

    queued --offer--> offered --accept--> connected --hangup--> ended
    queued --accept--> connected            (an operator picks the call from the queue)
    offered --decline/offer_timeout/operator_lost--> queued
    connected --operator_lost--> queued     (a caller is never dropped with the console)
    queued|offered --caller_hangup--> abandoned
    queued|offered|connected --fail--> failed
    connected --caller_hangup|operator_hangup--> ended

``ended``, ``abandoned`` and ``failed`` are terminal.
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from domain.errors import IllegalTransition


class CallState(enum.StrEnum):
    QUEUED = "queued"
    OFFERED = "offered"
    CONNECTED = "connected"
    ENDED = "ended"
    ABANDONED = "abandoned"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATES


class CallEvent(enum.StrEnum):
    OFFER = "offer"
    DECLINE = "decline"
    OFFER_TIMEOUT = "offer_timeout"
    ACCEPT = "accept"
    CALLER_HANGUP = "caller_hangup"
    OPERATOR_HANGUP = "operator_hangup"
    OPERATOR_LOST = "operator_lost"
    FAIL = "fail"


TERMINAL_STATES = frozenset({CallState.ENDED, CallState.ABANDONED, CallState.FAILED})

S, E = CallState, CallEvent
TRANSITIONS: MappingProxyType[tuple[CallState, CallEvent], CallState] = MappingProxyType(
    {
        (S.QUEUED, E.OFFER): S.OFFERED,
        (S.QUEUED, E.ACCEPT): S.CONNECTED,
        (S.QUEUED, E.CALLER_HANGUP): S.ABANDONED,
        (S.QUEUED, E.FAIL): S.FAILED,
        (S.OFFERED, E.ACCEPT): S.CONNECTED,
        (S.OFFERED, E.DECLINE): S.QUEUED,
        (S.OFFERED, E.OFFER_TIMEOUT): S.QUEUED,
        (S.OFFERED, E.OPERATOR_LOST): S.QUEUED,
        (S.OFFERED, E.CALLER_HANGUP): S.ABANDONED,
        (S.OFFERED, E.FAIL): S.FAILED,
        (S.CONNECTED, E.CALLER_HANGUP): S.ENDED,
        (S.CONNECTED, E.OPERATOR_HANGUP): S.ENDED,
        (S.CONNECTED, E.OPERATOR_LOST): S.QUEUED,
        (S.CONNECTED, E.FAIL): S.FAILED,
    }
)
del S, E

# The reason recorded with a call that reaches a terminal state through an event.
END_REASONS: MappingProxyType[CallEvent, str] = MappingProxyType(
    {
        CallEvent.CALLER_HANGUP: "caller_hangup",
        CallEvent.OPERATOR_HANGUP: "operator_hangup",
        CallEvent.FAIL: "failed",
    }
)


def next_state(state: CallState, event: CallEvent) -> CallState:
    """The state after ``event``; raises IllegalTransition if the table has no such edge."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(f"cannot {event.value} a call that is {state.value}") from None
