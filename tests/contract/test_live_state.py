"""One contract for every LiveState backend (memory and a real Redis)."""

from __future__ import annotations

import asyncio

import pytest

from domain.calls import CallEvent, CallState
from domain.errors import StorageError
from domain.model import LiveCall, MediaKind
from domain.queue import OperatorPresence
from live import LiveState, MemoryLiveState, RedisLiveState, open_live_state


def make_call(call_id: str = "c1", centre: str = "almaty-city", at: float = 1000.0) -> LiveCall:
    return LiveCall(
        id=call_id,
        centre=centre,
        media=MediaKind.VIDEO,
        created_at=at,
        enqueued_at=at,
        region_code="KZ-75",
        flags=("near_border",),
        location={"lat": 43.24, "lon": 76.95, "accuracy_m": 12.0, "source": "gps"},
    )


def presence(operator_id: str, centre: str = "almaty-city", **kw: object) -> OperatorPresence:
    return OperatorPresence(operator_id, centre, True, 500.0, **kw)  # type: ignore[arg-type]


async def test_put_get_delete_call(live_state: LiveState) -> None:
    call = make_call()
    assert await live_state.get_call("c1") is None
    await live_state.put_call(call)
    assert await live_state.get_call("c1") == call
    await live_state.delete_call("c1")
    assert await live_state.get_call("c1") is None
    await live_state.delete_call("c1")  # deleting twice is harmless


async def test_list_calls_by_centre(live_state: LiveState) -> None:
    await live_state.put_call(make_call("b", "astana", at=2.0))
    await live_state.put_call(make_call("a", "almaty-city", at=3.0))
    await live_state.put_call(make_call("c", "almaty-city", at=1.0))
    assert [c.id for c in await live_state.list_calls("almaty-city")] == ["c", "a"]
    assert [c.id for c in await live_state.list_calls("astana")] == ["b"]
    assert [c.id for c in await live_state.list_calls()] == ["c", "b", "a"]
    assert await live_state.list_calls("shymkent") == []


async def test_index_follows_centre_change_and_delete(live_state: LiveState) -> None:
    call = make_call("x", "national")
    await live_state.put_call(call)
    moved = call.bump(centre="almaty-city")
    assert await live_state.replace_call(moved)
    assert await live_state.list_calls("national") == []
    assert await live_state.list_calls("almaty-city") == [moved]
    await live_state.put_call(moved.bump(centre="astana"))
    assert await live_state.list_calls("almaty-city") == []
    assert [c.id for c in await live_state.list_calls("astana")] == ["x"]
    await live_state.delete_call("x")
    assert await live_state.list_calls("astana") == []
    assert await live_state.list_calls() == []


async def test_replace_is_compare_and_set(live_state: LiveState) -> None:
    call = make_call()
    assert not await live_state.replace_call(call.bump())  # nothing stored yet
    await live_state.put_call(call)
    offered = call.apply(CallEvent.OFFER, offered_to="op1")
    assert await live_state.replace_call(offered)
    stale = call.apply(CallEvent.ACCEPT, operator_id="op2")  # built from version 0
    assert stale.version == offered.version
    assert not await live_state.replace_call(stale)
    assert not await live_state.replace_call(offered.bump().bump())  # skips a version
    stored = await live_state.get_call(call.id)
    assert stored == offered and stored.state is CallState.OFFERED


async def test_concurrent_replace_exactly_one_wins(
    live_state: LiveState, second_node: LiveState
) -> None:
    call = make_call()
    await live_state.put_call(call)
    takers = [f"op{i}" for i in range(8)]
    nodes = [live_state, second_node]
    results = await asyncio.gather(
        *(
            nodes[i % 2].replace_call(call.apply(CallEvent.ACCEPT, operator_id=op))
            for i, op in enumerate(takers)
        )
    )
    assert results.count(True) == 1
    winner = takers[results.index(True)]
    stored = await second_node.get_call(call.id)
    assert stored is not None
    assert stored.operator_id == winner and stored.version == 1


async def test_second_node_sees_the_same_state(
    live_state: LiveState, second_node: LiveState
) -> None:
    await live_state.put_call(make_call())
    await live_state.put_operator(presence("op1"))
    assert [c.id for c in await second_node.list_calls("almaty-city")] == ["c1"]
    assert await second_node.get_operator("op1") == presence("op1")


async def test_operators_by_centre(live_state: LiveState) -> None:
    await live_state.put_operator(presence("op2"))
    await live_state.put_operator(presence("op1", current_call="c9"))
    await live_state.put_operator(presence("op3", "astana"))
    assert [p.operator_id for p in await live_state.list_operators("almaty-city")] == [
        "op1",
        "op2",
    ]
    assert await live_state.get_operator("op1") == presence("op1", current_call="c9")
    assert [p.operator_id for p in await live_state.list_operators()] == ["op1", "op2", "op3"]

    await live_state.put_operator(presence("op2", "astana"))  # moved
    assert [p.operator_id for p in await live_state.list_operators("astana")] == ["op2", "op3"]
    assert [p.operator_id for p in await live_state.list_operators("almaty-city")] == ["op1"]

    await live_state.delete_operator("op1")
    assert await live_state.get_operator("op1") is None
    assert await live_state.list_operators("almaty-city") == []


async def test_sessions_expire(live_state: LiveState) -> None:
    await live_state.put_session("tok-long", {"user_id": "u1", "role": "operator"}, 60)
    await live_state.put_session("tok-short", {"user_id": "u2"}, 0.2)
    assert await live_state.get_session("tok-long") == {"user_id": "u1", "role": "operator"}
    assert await live_state.get_session("tok-short") == {"user_id": "u2"}
    assert await live_state.get_session("unknown") is None
    await asyncio.sleep(0.35)
    assert await live_state.get_session("tok-short") is None
    assert await live_state.get_session("tok-long") is not None
    await live_state.delete_session("tok-long")
    assert await live_state.get_session("tok-long") is None


async def test_lock_is_exclusive_until_released(
    live_state: LiveState, second_node: LiveState
) -> None:
    results = await asyncio.gather(
        live_state.try_lock("offer:c1", "node-a", 30),
        second_node.try_lock("offer:c1", "node-b", 30),
    )
    assert sorted(results) == [False, True]
    holder, other = ("node-a", "node-b") if results[0] else ("node-b", "node-a")
    assert await live_state.try_lock("offer:c1", holder, 30)  # the holder renews
    assert not await live_state.try_lock("offer:c1", other, 30)
    await live_state.unlock("offer:c1", other)  # not the holder: no effect
    assert not await live_state.try_lock("offer:c1", other, 30)
    await live_state.unlock("offer:c1", holder)
    assert await second_node.try_lock("offer:c1", other, 30)
    assert await live_state.try_lock("offer:c2", holder, 30)  # other keys are independent


async def test_lock_expires(live_state: LiveState) -> None:
    assert await live_state.try_lock("offer:c1", "node-a", 0.2)
    assert not await live_state.try_lock("offer:c1", "node-b", 0.2)
    await asyncio.sleep(0.35)
    assert await live_state.try_lock("offer:c1", "node-b", 0.2)


async def test_node_heartbeat_is_seen_by_other_nodes_and_expires(
    live_state: LiveState, second_node: LiveState
) -> None:
    assert not await second_node.node_alive("node-a")
    await live_state.node_heartbeat("node-a", 0.3)
    assert await second_node.node_alive("node-a")
    assert not await second_node.node_alive("node-b")
    await asyncio.sleep(0.45)  # no new heartbeat: the node is gone
    assert not await second_node.node_alive("node-a")


async def test_values_round_trip_as_json(live_state: LiveState) -> None:
    call = make_call().bump(declined_by=("op1", "op2"), priority=2, answered_at=12.5)
    await live_state.put_call(call)
    stored = await live_state.get_call(call.id)
    assert stored == call
    assert stored is not None and isinstance(stored.flags, tuple)
    with pytest.raises(TypeError):
        await live_state.put_call(make_call().bump(location={"when": object()}))


# memory backend only: expiry follows the injected clock


async def test_memory_expiry_uses_injected_clock() -> None:
    now = [100.0]
    state = MemoryLiveState(clock=lambda: now[0])
    await state.put_session("t", {"a": 1}, 10)
    assert await state.try_lock("k", "a", 5)
    now[0] = 109.9
    assert await state.get_session("t") == {"a": 1}
    assert await state.try_lock("k", "b", 5)  # a's lease ran out at 105
    now[0] = 110.0
    assert await state.get_session("t") is None


async def test_open_live_state_picks_backend() -> None:
    memory = open_live_state(None)
    assert isinstance(memory, MemoryLiveState)
    redis_state = open_live_state("redis://127.0.0.1:6379/15", prefix="x:")
    assert isinstance(redis_state, RedisLiveState) and redis_state.prefix == "x:"
    await memory.close()
    await redis_state.close()


async def test_redis_down_is_a_storage_error() -> None:
    state = RedisLiveState("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        with pytest.raises(StorageError, match="live state unavailable"):
            await state.get_call("c1")
        with pytest.raises(StorageError):
            await state.replace_call(make_call())
        with pytest.raises(StorageError):
            await state.ping()
    finally:
        await state.close()
