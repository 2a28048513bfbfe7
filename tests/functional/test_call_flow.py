"""A call through signaling: routing, queue, offer, accept, location, hang-up, records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestServer

from domain.errors import Conflict
from geo.service import GeoService
from records import open_store
from server.app import create_app
from server.keys import CORE, LIVE, RECORDS, SIGNALING
from server.settings import Settings
from tests.fixtures_app import Client, Running, location

ALMATY = (43.2389, 76.8897)
SEMEY = (50.4111, 80.2275)
BISHKEK = (42.8746, 74.5698)


async def operator_online(
    running: Running, clients: Callable[[str], Client], name: str, centre: str = "almaty-city"
) -> tuple[Client, str]:
    user_id = await running.add_user(name, centre=centre)
    token = await running.login(name)
    operator = clients("/operator")
    await operator.connect(running.url, headers={"Cookie": f"sid={token}"})
    state = await operator.next("operator:state")
    assert state["operator"]["centre"] == centre and state["operator"]["available"] is False
    ack = await operator.call("operator:availability", {"available": True})
    assert ack == {"ok": True, "available": True}
    return operator, user_id


async def start_call(
    clients: Callable[[str], Client], running: Running, where: tuple[float, float] | None
) -> tuple[Client, dict[str, Any]]:
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    payload = {"media": "video", "lang": "ru", "location": location(*where) if where else None}
    if where is None:
        payload["location_error"] = "denied"
    ack = await citizen.call("call:start", payload)
    assert ack["ok"], ack
    return citizen, ack


async def test_call_routed_offered_accepted_located_and_hung_up(
    running: Running, clients: Callable[[str], Client]
) -> None:
    operator, operator_id = await operator_online(running, clients, "aigerim")
    citizen, ack = await start_call(clients, running, ALMATY)
    call = ack["call"]
    assert call["centre"] == "almaty-city" and call["region_code"] == "KZ-75"
    assert call["state"] in ("queued", "offered") and ack["resume_token"]

    offered = await operator.next("call:offered")
    assert offered["call"]["id"] == call["id"]
    assert offered["call"]["geo"]["region_code"] == "KZ-75"

    accepted = await operator.call("call:accept", {"call_id": call["id"]})
    assert accepted["ok"], accepted
    detail = accepted["call"]
    assert detail["state"] == "connected" and detail["operator_id"] == operator_id
    assert [round(p["lat"], 4) for p in detail["trail"]] == [ALMATY[0]]
    await citizen.next("call:status", lambda s: s["state"] == "connected")

    moved = location(43.25, 76.95, accuracy=8.0)
    update = await citizen.call("location:update", {"call_id": call["id"], "location": moved})
    assert update["ok"] and update["region_code"] == "KZ-75"
    pushed = await operator.next("call:location")
    assert pushed["call_id"] == call["id"] and pushed["location"]["lat"] == 43.25
    assert pushed["location"]["accuracy_m"] == 8.0 and pushed["region_changed"] is False

    ended = await operator.call("call:hangup", {"call_id": call["id"]})
    assert ended == {"ok": True, "state": "ended"}
    told = await citizen.next("call:ended")
    assert told == {"call_id": call["id"], "state": "ended", "reason": "operator_hangup"}

    record = await running.app[RECORDS].get_call(call["id"])
    assert record is not None
    assert record.centre == "almaty-city" and record.operator_id == operator_id
    assert record.final_state == "ended" and record.end_reason == "operator_hangup"
    assert record.created_at <= record.offered_at <= record.answered_at <= record.ended_at  # type: ignore[operator]
    assert [(p.lat, p.lon) for p in record.trail] == [ALMATY, (43.25, 76.95)]


async def test_caller_hangup_while_queued_is_abandoned(
    running: Running, clients: Callable[[str], Client]
) -> None:
    citizen, ack = await start_call(clients, running, SEMEY)
    assert ack["call"]["centre"] == "abai" and ack["call"]["queue_position"] == 1
    result = await citizen.call("call:hangup", {"call_id": ack["call"]["id"]})
    assert result == {"ok": True, "state": "abandoned"}
    record = await running.app[RECORDS].get_call(ack["call"]["id"])
    assert record is not None and record.final_state == "abandoned"
    assert record.end_reason == "caller_hangup" and record.answered_at is None


@pytest.mark.parametrize("where", [None, BISHKEK])
async def test_no_location_or_abroad_goes_to_national_fallback_flagged(
    running: Running, clients: Callable[[str], Client], where: tuple[float, float] | None
) -> None:
    _, ack = await start_call(clients, running, where)
    assert ack["call"]["centre"] == "national"
    assert "fallback_centre" in ack["call"]["flags"]
    assert ("no_location" if where is None else "abroad") in ack["call"]["flags"]


async def test_citizen_hangup_while_connected_ends_for_operator(
    running: Running, clients: Callable[[str], Client]
) -> None:
    operator, _ = await operator_online(running, clients, "dana")
    citizen, ack = await start_call(clients, running, ALMATY)
    call_id = ack["call"]["id"]
    await operator.next("call:offered")
    assert (await operator.call("call:accept", {"call_id": call_id}))["ok"]
    assert await citizen.call("call:hangup", {"call_id": call_id}) == {"ok": True, "state": "ended"}
    ended = await operator.next("call:ended")
    assert ended["reason"] == "caller_hangup"
    state = await operator.next("operator:state", lambda s: s["operator"]["current_call"] is None)
    assert state["operator"]["available"] is True


async def test_queue_order_and_pick_from_queue(
    running: Running, clients: Callable[[str], Client]
) -> None:
    first_citizen, first = await start_call(clients, running, ALMATY)
    _, second = await start_call(clients, running, ALMATY)
    assert second["call"]["queue_position"] == 2
    operator, _ = await operator_online(running, clients, "yerlan")
    offered = await operator.next("call:offered")
    assert offered["call"]["id"] == first["call"]["id"]  # oldest first
    # Any operator may pick any queued call: take the second one instead.
    ack = await operator.call("call:accept", {"call_id": second["call"]["id"]})
    assert ack["ok"], ack
    queue = await operator.next(
        "queue:update", lambda q: any(c["state"] == "connected" for c in q["calls"])
    )
    states = {c["id"]: c["state"] for c in queue["calls"]}
    assert states[second["call"]["id"]] == "connected"
    assert states[first["call"]["id"]] == "queued"
    waiting = await first_citizen.next("call:status", lambda s: s["queue_position"] == 1)
    assert waiting["state"] == "queued"


async def test_second_accept_is_call_taken(
    running: Running, clients: Callable[[str], Client]
) -> None:
    first, _ = await operator_online(running, clients, "op_one")
    second, _ = await operator_online(running, clients, "op_two")
    _, ack = await start_call(clients, running, ALMATY)
    call_id = ack["call"]["id"]
    results = await asyncio.gather(
        first.call("call:accept", {"call_id": call_id}),
        second.call("call:accept", {"call_id": call_id}),
    )
    assert sorted(r["ok"] for r in results) == [False, True]
    loser = next(r for r in results if not r["ok"])
    assert loser["error"]["code"] == "call_taken"


async def test_operator_of_another_centre_is_forbidden(
    running: Running, clients: Callable[[str], Client]
) -> None:
    other, _ = await operator_online(running, clients, "semey_op", centre="abai")
    _, ack = await start_call(clients, running, ALMATY)
    refused = await other.call("call:accept", {"call_id": ack["call"]["id"]})
    assert refused["error"]["code"] == "forbidden"


async def test_decline_returns_call_and_offers_next_operator(
    running: Running, clients: Callable[[str], Client]
) -> None:
    first, first_id = await operator_online(running, clients, "first_op")
    await asyncio.sleep(0.01)
    second, second_id = await operator_online(running, clients, "second_op")
    _, ack = await start_call(clients, running, ALMATY)
    call_id = ack["call"]["id"]
    offered = await first.next("call:offered")  # longest idle first
    assert offered["call"]["id"] == call_id
    assert (await first.call("call:decline", {"call_id": call_id}))["ok"]
    offered_again = await second.next("call:offered")
    assert (
        offered_again["call"]["id"] == call_id and offered_again["call"]["offered_to"] == second_id
    )
    assert first_id != second_id


async def test_operator_socket_requires_login(running: Running) -> None:
    client = socketio.AsyncClient(reconnection=False)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(
                running.url, namespaces=["/operator"], transports=["websocket"], wait_timeout=5
            )
    finally:
        await client.disconnect()
        if client.eio.http is not None:
            await client.eio.http.close()


async def test_resume_after_reconnect_keeps_the_call(
    running: Running, clients: Callable[[str], Client]
) -> None:
    citizen, ack = await start_call(clients, running, ALMATY)
    call_id, token = ack["call"]["id"], ack["resume_token"]
    await citizen.sio.disconnect()
    again = clients("/citizen")
    await again.connect(running.url)
    wrong = await again.call("call:resume", {"call_id": call_id, "resume_token": "x" * 43})
    assert wrong["error"]["code"] == "unknown_call"
    resumed = await again.call("call:resume", {"call_id": call_id, "resume_token": token})
    assert resumed["ok"] and resumed["call"]["id"] == call_id
    await asyncio.sleep(1.5)  # past the test grace period: the call must still be alive
    still = await again.call("location:update", {"call_id": call_id, "location": location(*ALMATY)})
    assert still["ok"], still


async def test_dropped_caller_is_abandoned_after_grace(
    running: Running, clients: Callable[[str], Client]
) -> None:
    citizen, ack = await start_call(clients, running, ALMATY)
    await citizen.sio.disconnect()
    await asyncio.sleep(1.6)
    record = await running.app[RECORDS].get_call(ack["call"]["id"])
    assert record is not None
    assert (record.final_state, record.end_reason) == ("abandoned", "caller_lost")


async def test_server_shutdown_records_live_calls_as_failed(
    app_settings: Settings, geo_service: GeoService, clients: Callable[[str], Client]
) -> None:
    app = create_app(app_settings, geo=geo_service)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    running = Running(server)
    _, ack = await start_call(clients, running, ALMATY)
    await server.close()  # memory live state dies with this process
    store = await open_store(app_settings.database_url)
    try:
        record = await store.get_call(ack["call"]["id"])
    finally:
        await store.close()
    assert record is not None
    assert (record.final_state, record.end_reason) == ("failed", "server_shutdown")
    assert record.ended_at is not None


async def test_caller_who_drops_during_call_start_leaves_no_orphan(
    running: Running, clients: Callable[[str], Client]
) -> None:
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    await citizen.sio.emit(
        "call:start", {"media": "audio", "location": location(*ALMATY)}, namespace="/citizen"
    )
    await citizen.sio.disconnect()  # gone before (or while) the server answers
    # Deterministically: the socket is gone by the time the call exists.
    with pytest.raises(Conflict):
        await running.app[SIGNALING]._call_start(
            "gone-socket", {"media": "video", "location": location(*ALMATY)}
        )
    await asyncio.sleep(1.8)  # past the test grace period
    assert await running.app[LIVE].list_calls(None) == []
    records = await running.app[RECORDS].list_calls()
    assert records, "the dropped call was not recorded"
    assert {(r.final_state, r.end_reason) for r in records} == {("abandoned", "caller_lost")}


async def test_supervisor_media_loss_is_not_revealed_to_the_parties(
    running: Running, clients: Callable[[str], Client]
) -> None:
    citizen, ack = await start_call(clients, running, ALMATY)
    call_id = ack["call"]["id"]
    core = running.app[CORE]
    await core.media_lost(call_id, "supervisor")  # a silent monitor's browser crashed
    await core.media_lost(call_id, "citizen")
    first = await citizen.next("media:lost")
    assert first == {"call_id": call_id, "party": "citizen"}
