"""Supervisors: live sessions across centres, silent monitor, barge, and who may do it.

aiortc peers play the caller (440 Hz tone, 320x240 picture), the operator (660 Hz, 160x120) and
the supervisor (1000 Hz on its first m-line): what each one hears is told apart by frequency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import socketio

from domain.roles import Role
from server.keys import RECORDS
from tests.fixtures_app import Client, Running, location
from tests.functional.test_call_flow import ALMATY, SEMEY, operator_online
from tests.media.clients import wait_for
from tests.media.supervisor_peers import (
    CALLER_HZ,
    OPERATOR_HZ,
    SUPERVISOR_HZ,
    Party,
    SupervisorPeer,
)

HEARD = 0.05  # share of the energy at a speaker's frequency that means "audible"


@pytest.fixture
async def peers() -> AsyncIterator[list[Any]]:
    made: list[Any] = []
    yield made
    for peer in made:
        await peer.close()


async def supervisor_online(
    running: Running, clients: Callable[[str], Client], name: str, role: Role = Role.SUPERVISOR
) -> tuple[Client, str]:
    user_id = await running.add_user(name, role=role)
    token = await running.login(name)
    supervisor = clients("/supervisor")
    await supervisor.connect(running.url, headers={"Cookie": f"sid={token}"})
    return supervisor, user_id


async def connected_call(
    running: Running, clients: Callable[[str], Client], peers: list[Any]
) -> tuple[str, Client, Client, Party, Party]:
    """A video call from Almaty answered by an operator, media flowing both ways."""
    operator, _ = await operator_online(running, clients, "aigerim")
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    started = await citizen.call("call:start", {"media": "video", "location": location(*ALMATY)})
    call_id = started["call"]["id"]
    caller = Party(CALLER_HZ, (320, 240))
    peers.append(caller)
    answer = await citizen.call("media:offer", {"call_id": call_id, "sdp": await caller.offer()})
    assert answer["ok"], answer
    await caller.accept(answer["sdp"])
    await operator.next("call:offered")
    assert (await operator.call("call:accept", {"call_id": call_id}))["ok"]
    console = Party(OPERATOR_HZ, (160, 120))
    peers.append(console)
    answer = await operator.call("media:offer", {"call_id": call_id, "sdp": await console.offer()})
    assert answer["ok"], answer
    await console.accept(answer["sdp"])
    await wait_for(lambda: caller.ears.frames >= 25 and console.ears.frames >= 25, 15)
    return call_id, citizen, operator, caller, console


async def watch(call_id: str, supervisor: Client, peers: list[Any]) -> SupervisorPeer:
    watcher = SupervisorPeer()
    peers.append(watcher)
    assert (await supervisor.call("monitor:start", {"call_id": call_id}))["ok"]
    answer = await supervisor.call(
        "media:offer", {"call_id": call_id, "sdp": await watcher.offer()}
    )
    assert answer["ok"], answer
    await watcher.accept(answer["sdp"])
    await wait_for(lambda: len(watcher.caller_video) >= 5, 10)
    return watcher


async def test_silent_monitor_then_barge(
    running: Running, clients: Callable[[str], Client], peers: list[Any]
) -> None:
    call_id, citizen, operator, caller, console = await connected_call(running, clients, peers)
    supervisor, supervisor_id = await supervisor_online(running, clients, "saule")

    watcher = SupervisorPeer()
    peers.append(watcher)
    sdp = await watcher.offer()
    early = await supervisor.call("media:offer", {"call_id": call_id, "sdp": sdp})
    assert early["error"]["code"] == "illegal_transition", early  # monitor:start comes first

    started = await supervisor.call("monitor:start", {"call_id": call_id})
    assert started["ok"], started
    assert started["call"]["state"] == "connected"
    assert started["call"]["operator_name"] == "Aigerim"
    answer = await supervisor.call("media:offer", {"call_id": call_id, "sdp": sdp})
    assert answer["ok"] and answer["type"] == "answer", answer
    await watcher.accept(answer["sdp"])

    # The supervisor sees and hears the caller and hears the operator.
    await wait_for(lambda: len(watcher.caller_video) >= 10, 10)
    assert {(w, h) for _, w, h in watcher.caller_video} == {(320, 240)}
    await wait_for(lambda: watcher.operator_audio.frames >= 25, 10)
    await wait_for(lambda: watcher.caller_audio.loudness_at(CALLER_HZ) > HEARD, 5)
    await wait_for(lambda: watcher.operator_audio.loudness_at(OPERATOR_HZ) > HEARD, 5)
    assert watcher.caller_audio.loudness_at(OPERATOR_HZ) < HEARD  # one party per m-line
    assert watcher.operator_audio.loudness_at(CALLER_HZ) < HEARD

    # Silent: neither party hears the supervisor's tone, nor is told anything.
    assert caller.ears.loudness_at(SUPERVISOR_HZ) < HEARD
    assert console.ears.loudness_at(SUPERVISOR_HZ) < HEARD
    assert caller.ears.loudness_at(OPERATOR_HZ) > HEARD  # they still hear each other
    assert "call:barge" not in citizen.inbox and "call:barge" not in operator.inbox

    barge = await supervisor.call("barge:start", {"call_id": call_id})
    assert barge == {"ok": True, "barging": True}
    told = {"call_id": call_id, "active": True, "supervisor": "Saule"}
    assert await citizen.next("call:barge") == told
    assert await operator.next("call:barge") == told
    await wait_for(lambda: caller.ears.loudness_at(SUPERVISOR_HZ) > HEARD, 5)
    await wait_for(lambda: console.ears.loudness_at(SUPERVISOR_HZ) > HEARD, 5)
    assert caller.ears.loudness_at(OPERATOR_HZ) > HEARD  # mixed in, not replacing the operator
    assert console.ears.loudness_at(CALLER_HZ) > HEARD

    stop = await supervisor.call("barge:stop", {"call_id": call_id})
    assert stop == {"ok": True, "barging": False}
    assert (await citizen.next("call:barge"))["active"] is False
    assert (await operator.next("call:barge"))["active"] is False
    await wait_for(lambda: caller.ears.loudness_at(SUPERVISOR_HZ) < HEARD, 5)
    await wait_for(lambda: console.ears.loudness_at(SUPERVISOR_HZ) < HEARD, 5)

    assert (await supervisor.call("monitor:stop", {"call_id": call_id}))["ok"]
    await wait_for(lambda: watcher.ended.is_set(), 10)
    assert not caller.ended.is_set() and not console.ended.is_set()  # the call goes on

    audit = await running.app[RECORDS].list_audit(limit=50, subject=f"call:{call_id}")
    trail = [(e.actor, e.action, e.detail.get("active")) for e in reversed(audit)]
    assert trail == [
        (supervisor_id, "call.monitor", True),
        (supervisor_id, "call.barge", True),
        (supervisor_id, "call.barge", False),
        (supervisor_id, "call.monitor", False),
    ]


async def test_a_second_supervisor_replaces_the_first(
    running: Running, clients: Callable[[str], Client], peers: list[Any]
) -> None:
    call_id, citizen, _, _, _ = await connected_call(running, clients, peers)
    first, _ = await supervisor_online(running, clients, "saule")
    second, _ = await supervisor_online(running, clients, "marat", role=Role.ADMIN)
    watchers = [await watch(call_id, first, peers), await watch(call_id, second, peers)]
    await wait_for(lambda: len(watchers[1].caller_video) >= 5, 10)
    ended = await first.next("monitor:ended")
    assert ended == {"call_id": call_id, "reason": "replaced", "by": "Marat"}
    await wait_for(lambda: watchers[0].ended.is_set(), 10)
    barge = await first.call("barge:start", {"call_id": call_id})
    assert barge["error"]["code"] == "illegal_transition", barge  # no leg any more
    assert "call:barge" not in citizen.inbox


async def test_supervisor_sees_live_calls_of_every_centre(
    running: Running, clients: Callable[[str], Client]
) -> None:
    operator, _ = await operator_online(running, clients, "aigerim")
    supervisor, _ = await supervisor_online(running, clients, "saule")
    assert (await supervisor.next("sessions:update"))["calls"] == []
    almaty = clients("/citizen")
    await almaty.connect(running.url)
    first = await almaty.call("call:start", {"media": "video", "location": location(*ALMATY)})
    semey = clients("/citizen")
    await semey.connect(running.url)
    second = await semey.call("call:start", {"media": "audio", "location": location(*SEMEY)})
    ids = {first["call"]["id"], second["call"]["id"]}
    update = await supervisor.next(
        "sessions:update", lambda d: {c["id"] for c in d["calls"]} == ids
    )
    centres = {c["centre"] for c in update["calls"]}
    assert len(centres) == 2 and "almaty-city" in centres

    await operator.next("call:offered")
    assert (await operator.call("call:accept", {"call_id": first["call"]["id"]}))["ok"]
    update = await supervisor.next(
        "sessions:update",
        lambda d: any(c["state"] == "connected" for c in d["calls"]),
    )
    talking = next(c for c in update["calls"] if c["id"] == first["call"]["id"])
    assert talking["answered_at"] >= talking["enqueued_at"]
    waiting = next(c for c in update["calls"] if c["id"] == second["call"]["id"])
    assert waiting["answered_at"] is None and waiting["waiting_s"] >= 0

    directory = await supervisor.call("directory:get", {})
    names = {o["id"]: o["display_name"] for o in directory["operators"]}
    assert names[talking["operator_id"]] == "Aigerim"
    assert {"almaty-city", "abai"} <= {c["id"] for c in directory["centres"]}


async def test_operators_and_strangers_cannot_supervise(
    running: Running, clients: Callable[[str], Client]
) -> None:
    await running.add_user("aigerim")
    token = await running.login("aigerim")
    for headers in ({"Cookie": f"sid={token}"}, {}):
        client = clients("/supervisor")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(running.url, headers=headers)


async def test_refusals_name_the_problem(
    running: Running, clients: Callable[[str], Client]
) -> None:
    supervisor, _ = await supervisor_online(running, clients, "saule")
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    started = await citizen.call("call:start", {"media": "video", "location": location(*ALMATY)})
    call_id = started["call"]["id"]
    unknown = "0" * 32

    async def code(event: str, data: Any) -> str:
        ack = await supervisor.call(event, data)
        assert ack["ok"] is False, ack
        return str(ack["error"]["code"])

    assert await code("monitor:start", {"call_id": unknown}) == "unknown_call"
    assert await code("monitor:start", {"call_id": "nope"}) == "invalid_payload"
    assert await code("barge:start", {"call_id": call_id}) == "illegal_transition"
    assert await code("monitor:stop", {"call_id": call_id}) == "illegal_transition"
    assert (await supervisor.call("monitor:start", {"call_id": call_id}))["ok"]
    # queued, nobody to join yet
    assert await code("barge:start", {"call_id": call_id}) == "illegal_transition"
    assert await code("media:offer", {"call_id": call_id, "sdp": "hello"}) == "invalid_sdp"
    assert (await supervisor.call("monitor:stop", {"call_id": call_id})) == {
        "ok": True,
        "monitoring": False,
    }


async def test_recent_calls_list_is_scoped_by_role(
    running: Running, clients: Callable[[str], Client]
) -> None:
    await running.add_user("aigerim")
    await running.add_user("dana", centre="abai")
    await running.add_user("saule", role=Role.SUPERVISOR)
    for where in (ALMATY, SEMEY):
        citizen = clients("/citizen")
        await citizen.connect(running.url)
        started = await citizen.call("call:start", {"media": "video", "location": location(*where)})
        assert (await citizen.call("call:hangup", {"call_id": started["call"]["id"]}))["ok"]

    async def listed(user: str | None, query: str = "") -> tuple[int, dict[str, Any]]:
        cookies = {"sid": await running.login(user)} if user else {}
        async with aiohttp.ClientSession(cookies=cookies) as http:
            async with http.get(f"{running.url}/api/calls{query}") as response:
                return response.status, await response.json()

    status, body = await listed("saule", "?limit=10")
    assert status == 200 and len(body["calls"]) == 2
    assert all(c["final_state"] == "abandoned" and "trail" not in c for c in body["calls"])
    status, body = await listed("aigerim")
    assert status == 200 and [c["centre"] for c in body["calls"]] == ["almaty-city"]
    status, body = await listed("dana", "?centre=almaty-city")
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = await listed("saule", "?limit=0")
    assert status == 400 and body["error"]["code"] == "invalid_payload"
    status, body = await listed(None)
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    audit = await running.app[RECORDS].list_audit(limit=20)
    assert sum(e.action == "list_calls" for e in audit) == 2
