"""Two server nodes sharing a real Redis (live state + Socket.IO) and a real PostgreSQL.

A citizen calls node A; the operator of the right centre is signed in on node B. The offer,
the accept, the caller's status and the record must all cross between the nodes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestServer

from geo.service import GeoService
from server.app import create_app
from server.keys import LIVE, MEDIA, RECORDS
from server.settings import Settings
from tests.conftest_backends import REDIS_URL
from tests.fixtures_app import PASSWORD, Client, Running, location
from tests.functional.test_call_flow import ALMATY, operator_online
from tests.functional.test_call_media import sizes
from tests.media.clients import Client as Browser
from tests.media.clients import wait_for


@pytest.fixture
async def two_nodes(
    app_settings: Settings, geo_service: GeoService, record_db_url: str
) -> AsyncIterator[tuple[Running, Running]]:
    settings = replace(
        app_settings,
        redis_url=REDIS_URL,
        redis_prefix=f"test102:{uuid.uuid4().hex}:",
        database_url=record_db_url,
    )
    servers = []
    for _ in range(2):
        app = create_app(
            settings,
            geo=geo_service,
            caller_grace_s=1.0,
            operator_grace_s=1.0,
            sweep_interval_s=0.2,
        )
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
    try:
        yield Running(servers[0]), Running(servers[1])
    finally:
        for server in servers:
            await server.close()


async def caller_with_media(
    node: Running,
    clients: Callable[[str], Client],
    browsers: Callable[[tuple[int, int]], Browser],
) -> tuple[str, str, Browser]:
    """A video call from Almaty on ``node`` with its media up: (call id, resume token, peer)."""
    citizen = clients("/citizen")
    await citizen.connect(node.url)
    started = await citizen.call("call:start", {"media": "video", "location": location(*ALMATY)})
    call_id = started["call"]["id"]
    caller = browsers((320, 240))
    answer = await citizen.call("media:offer", {"call_id": call_id, "sdp": await caller.offer()})
    assert answer["ok"], answer
    await caller.accept(answer["sdp"])
    return call_id, started["resume_token"], caller


@pytest.mark.parametrize("record_db_url", ["postgres"], indirect=True)
async def test_call_on_node_a_answered_on_node_b(
    two_nodes: tuple[Running, Running], clients: Callable[[str], Client]
) -> None:
    node_a, node_b = two_nodes
    user_id = await node_a.add_user("nurlan")  # one records database behind both nodes
    operator = clients("/operator")
    await operator.connect(node_b.url, auth={"session": await node_b.login("nurlan", PASSWORD)})
    await operator.next("operator:state")
    assert (await operator.call("operator:availability", {"available": True}))["ok"]

    citizen = clients("/citizen")
    await citizen.connect(node_a.url)
    started = await citizen.call("call:start", {"media": "video", "location": location(*ALMATY)})
    call_id = started["call"]["id"]

    offered = await operator.next("call:offered")  # emitted by node A, delivered by node B
    assert offered["call"]["id"] == call_id
    accepted = await operator.call("call:accept", {"call_id": call_id})
    assert accepted["ok"] and accepted["call"]["operator_id"] == user_id
    status = await citizen.next("call:status", lambda s: s["state"] == "connected")
    assert status["id"] == call_id

    await citizen.call("location:update", {"call_id": call_id, "location": location(43.25, 76.91)})
    pushed = await operator.next("call:location")
    assert pushed["location"]["lat"] == 43.25

    assert (await citizen.call("call:hangup", {"call_id": call_id}))["ok"]
    ended = await operator.next("call:ended")
    assert ended["reason"] == "caller_hangup"
    record = await node_b.app[RECORDS].get_call(call_id)
    assert record is not None and record.final_state == "ended" and record.operator_id == user_id
    assert len(record.trail) == 2


@pytest.mark.parametrize("record_db_url", ["postgres"], indirect=True)
async def test_media_flows_when_caller_and_operator_are_on_different_nodes(
    two_nodes: tuple[Running, Running],
    clients: Callable[[str], Client],
    browsers: Callable[[tuple[int, int]], Browser],
) -> None:
    node_a, node_b = two_nodes
    operator, _ = await operator_online(node_b, clients, "aliya")
    call_id, _, caller = await caller_with_media(node_a, clients, browsers)

    await operator.next("call:offered")
    assert (await operator.call("call:accept", {"call_id": call_id}))["ok"]
    console = browsers((160, 120))
    answer = await operator.call("media:offer", {"call_id": call_id, "sdp": await console.offer()})
    assert answer["ok"], answer  # answered by node A, where the caller's leg lives
    await console.accept(answer["sdp"])

    await wait_for(
        lambda: len(console.received.video) >= 10 and len(caller.received.video) >= 10, 15
    )
    assert sizes(console) == {(320, 240)} and sizes(caller) == {(160, 120)}
    assert call_id in node_a.app[MEDIA].calls() and call_id not in node_b.app[MEDIA].calls()

    assert (await operator.call("call:hangup", {"call_id": call_id}))["ok"]  # on node B
    await wait_for(lambda: caller.ended.is_set() and console.ended.is_set(), 10)
    assert call_id not in node_a.app[MEDIA].calls()
    recording = await node_b.app[RECORDS].get_recording(call_id)
    assert recording is not None and recording.size > 0


@pytest.mark.parametrize("record_db_url", ["postgres"], indirect=True)
async def test_a_call_survives_the_node_holding_its_media(
    two_nodes: tuple[Running, Running],
    clients: Callable[[str], Client],
    browsers: Callable[[tuple[int, int]], Browser],
) -> None:
    node_a, node_b = two_nodes
    operator, _ = await operator_online(node_b, clients, "timur")
    call_id, token, _ = await caller_with_media(node_a, clients, browsers)
    await operator.next("call:offered")
    assert (await operator.call("call:accept", {"call_id": call_id}))["ok"]

    await node_a.server.close()  # the node holding the caller's media goes away

    # The caller's app reconnects at once, to node B, and resumes the call.
    again = clients("/citizen")
    await again.connect(node_b.url)
    assert (await again.call("call:resume", {"call_id": call_id, "resume_token": token}))["ok"]
    # The operator's offer reaches node B, which takes the call's media over.
    console = browsers((160, 120))
    answer = await operator.call("media:offer", {"call_id": call_id, "sdp": await console.offer()})
    assert answer["ok"], answer
    await console.accept(answer["sdp"])
    # and the caller offers again.
    caller_again = browsers((320, 240))
    answer = await again.call(
        "media:offer", {"call_id": call_id, "sdp": await caller_again.offer()}
    )
    assert answer["ok"], answer
    await caller_again.accept(answer["sdp"])
    await wait_for(
        lambda: len(console.received.video) >= 10 and len(caller_again.received.video) >= 10, 15
    )
    assert call_id in node_b.app[MEDIA].calls()
    assert (await again.call("call:hangup", {"call_id": call_id}))["ok"]
    record = await node_b.app[RECORDS].get_call(call_id)
    assert record is not None and record.final_state == "ended"


@pytest.mark.parametrize("record_db_url", ["postgres"], indirect=True)
async def test_calls_of_a_dead_node_are_closed_by_another(
    two_nodes: tuple[Running, Running], clients: Callable[[str], Client]
) -> None:
    node_a, node_b = two_nodes
    citizen = clients("/citizen")
    await citizen.connect(node_a.url)
    started = await citizen.call("call:start", {"media": "audio", "location": location(*ALMATY)})
    call_id = started["call"]["id"]
    # Node A goes away; its own drop timer for the caller goes with it.
    await node_a.server.close()
    # Node B notices A's heartbeat stop, gives the caller the grace period to come back,
    # and records the call as abandoned.
    for _ in range(60):
        record = await node_b.app[RECORDS].get_call(call_id)
        if record is not None and record.final_state is not None:
            break
        await asyncio.sleep(0.1)
    assert record is not None
    assert (record.final_state, record.end_reason) == ("abandoned", "caller_lost")
    assert await node_b.app[LIVE].get_call(call_id) is None
