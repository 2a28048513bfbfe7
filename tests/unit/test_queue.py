"""Queue order (priority, then age) and operator selection (longest idle), without a loop."""

from __future__ import annotations

from domain.queue import (
    OperatorPresence,
    QueueEntry,
    next_offer,
    ordered,
    position_of,
    select_operator,
)


def entry(call_id: str, at: float, priority: int = 0, centre: str = "c1") -> QueueEntry:
    return QueueEntry(call_id, centre, at, priority)


def op(
    name: str, idle_since: float, *, centre: str = "c1", available: bool = True, **kw: str
) -> OperatorPresence:
    return OperatorPresence(name, centre, available, idle_since, **kw)


def test_order_is_priority_then_age() -> None:
    entries = [
        entry("new", 30),
        entry("old", 10),
        entry("urgent", 40, priority=2),
        entry("mid", 20),
    ]
    assert [e.call_id for e in ordered(entries)] == ["urgent", "old", "mid", "new"]
    assert position_of("old", entries) == 2
    assert position_of("missing", entries) is None


def test_equal_age_is_stable_by_id() -> None:
    assert [e.call_id for e in ordered([entry("b", 5), entry("a", 5)])] == ["a", "b"]


def test_waiting_time_never_negative() -> None:
    assert entry("x", 100).waiting_seconds(90) == 0.0
    assert entry("x", 100).waiting_seconds(130) == 30.0


def test_longest_idle_available_operator_of_the_centre_is_chosen() -> None:
    operators = [
        op("recent", 50),
        op("longest", 10),
        op("away", 1, available=False),
        op("busy", 2, current_call="z" * 32),
        op("offered", 3, offered_call="y" * 32),
        op("elsewhere", 0, centre="c2"),
    ]
    chosen = select_operator(operators, "c1")
    assert chosen is not None and chosen.operator_id == "longest"
    assert select_operator(operators, "c3") is None


def test_nobody_free_means_no_selection() -> None:
    assert select_operator([op("away", 1, available=False)], "c1") is None


def test_next_offer_pairs_head_of_queue_with_longest_idle() -> None:
    pair = next_offer([entry("b", 20), entry("a", 10)], [op("x", 5), op("y", 1)])
    assert pair is not None
    assert (pair[0].call_id, pair[1].operator_id) == ("a", "y")


def test_next_offer_skips_operators_who_declined_that_call() -> None:
    entries = [entry("a", 10), entry("b", 20)]
    operators = [op("only", 1)]
    pair = next_offer(entries, operators, {"a": ("only",)})
    assert pair is not None and pair[0].call_id == "b"
    assert next_offer([entry("a", 10)], operators, {"a": ["only"]}) is None


def test_next_offer_with_no_operator_is_none() -> None:
    assert next_offer([entry("a", 1)], []) is None
