"""Every legal transition of the call state machine, and every illegal one, named."""

from __future__ import annotations

import itertools

import pytest

from domain.calls import TERMINAL_STATES, TRANSITIONS, CallEvent, CallState, next_state
from domain.errors import Conflict, IllegalTransition
from domain.model import LiveCall, MediaKind

LEGAL = {
    (CallState.QUEUED, CallEvent.OFFER): CallState.OFFERED,
    (CallState.QUEUED, CallEvent.ACCEPT): CallState.CONNECTED,
    (CallState.QUEUED, CallEvent.CALLER_HANGUP): CallState.ABANDONED,
    (CallState.QUEUED, CallEvent.FAIL): CallState.FAILED,
    (CallState.OFFERED, CallEvent.ACCEPT): CallState.CONNECTED,
    (CallState.OFFERED, CallEvent.DECLINE): CallState.QUEUED,
    (CallState.OFFERED, CallEvent.OFFER_TIMEOUT): CallState.QUEUED,
    (CallState.OFFERED, CallEvent.OPERATOR_LOST): CallState.QUEUED,
    (CallState.OFFERED, CallEvent.CALLER_HANGUP): CallState.ABANDONED,
    (CallState.OFFERED, CallEvent.FAIL): CallState.FAILED,
    (CallState.CONNECTED, CallEvent.CALLER_HANGUP): CallState.ENDED,
    (CallState.CONNECTED, CallEvent.OPERATOR_HANGUP): CallState.ENDED,
    (CallState.CONNECTED, CallEvent.OPERATOR_LOST): CallState.QUEUED,
    (CallState.CONNECTED, CallEvent.FAIL): CallState.FAILED,
}
ILLEGAL = [pair for pair in itertools.product(CallState, CallEvent) if pair not in LEGAL]


def test_table_is_exactly_the_documented_lifecycle() -> None:
    assert dict(TRANSITIONS) == LEGAL


@pytest.mark.parametrize(("state", "event"), list(LEGAL), ids=lambda v: str(v))
def test_legal_transition(state: CallState, event: CallEvent) -> None:
    assert next_state(state, event) is LEGAL[(state, event)]


@pytest.mark.parametrize(("state", "event"), ILLEGAL, ids=lambda v: str(v))
def test_illegal_transition_is_a_named_error(state: CallState, event: CallEvent) -> None:
    with pytest.raises(IllegalTransition) as info:
        next_state(state, event)
    assert info.value.code == "illegal_transition"
    assert isinstance(info.value, Conflict)
    assert state.value in info.value.message and event.value in info.value.message


def test_terminal_states_have_no_way_out() -> None:
    for state in TERMINAL_STATES:
        assert state.terminal
        assert not [event for (s, event) in TRANSITIONS if s is state]


def test_live_call_apply_versions_and_keeps_original() -> None:
    call = LiveCall("a" * 32, "almaty-city", MediaKind.VIDEO, 10.0, 10.0)
    offered = call.apply(CallEvent.OFFER, offered_to="op1")
    assert (offered.state, offered.version, offered.offered_to) == (CallState.OFFERED, 1, "op1")
    assert call.state is CallState.QUEUED and call.version == 0
    assert LiveCall.from_dict(offered.to_dict()) == offered
    with pytest.raises(IllegalTransition):
        offered.apply(CallEvent.OFFER)
