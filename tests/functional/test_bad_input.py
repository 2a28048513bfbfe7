"""Bad input gets a clear error ack; the server keeps serving; other calls are untouched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
import socketio

from server.keys import RECORDS
from tests.fixtures_app import Client, Running, location

ALMATY = (43.2389, 76.8897)


async def citizen_with_call(
    running: Running, clients: Callable[[str], Client]
) -> tuple[Client, str]:
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    ack = await citizen.call("call:start", {"media": "audio", "location": location(*ALMATY)})
    assert ack["ok"], ack
    return citizen, ack["call"]["id"]


def code(ack: dict[str, Any]) -> str:
    assert ack["ok"] is False, ack
    assert ack["error"]["message"], ack
    return str(ack["error"]["code"])


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (None, "invalid_payload"),
        ("call me", "invalid_payload"),
        ([1, 2], "invalid_payload"),
        ({}, "invalid_payload"),
        ({"media": "fax"}, "invalid_payload"),
        ({"media": "video", "lang": "de"}, "invalid_payload"),
        ({"media": "video", "location": "here"}, "invalid_payload"),
        ({"media": "video", "location_error": "bored"}, "invalid_payload"),
    ],
)
async def test_bad_call_start_is_refused(
    running: Running, clients: Callable[[str], Client], payload: Any, expected: str
) -> None:
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    assert code(await citizen.call("call:start", payload)) == expected


@pytest.mark.parametrize(
    "bad",
    [
        {"lat": 999, "lon": 76.9, "accuracy_m": 10, "fixed_at": 1.7e9},
        {"lat": float("nan"), "lon": 76.9, "accuracy_m": 10, "fixed_at": 1.7e9},
        {"lat": "43.2", "lon": "76.9", "accuracy_m": 10, "fixed_at": 1.7e9},
        {"lat": 43.2, "lon": 76.9, "accuracy_m": -5, "fixed_at": 1.7e9},
        {"lat": True, "lon": 76.9, "accuracy_m": 10, "fixed_at": 1.7e9},
    ],
)
async def test_bad_location_never_blocks_the_call_but_is_reported(
    running: Running, clients: Callable[[str], Client], bad: dict[str, Any]
) -> None:
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    ack = await citizen.call("call:start", {"media": "video", "location": bad})
    assert ack["ok"], ack
    assert ack["location_rejected"]["code"] == "invalid_location"
    assert ack["call"]["centre"] == "national" and "no_location" in ack["call"]["flags"]
    update = await citizen.call("location:update", {"call_id": ack["call"]["id"], "location": bad})
    assert code(update) == "invalid_location"


async def test_malformed_sdp_and_unknown_ids(
    running: Running, clients: Callable[[str], Client]
) -> None:
    citizen, call_id = await citizen_with_call(running, clients)
    garbage = {"call_id": call_id, "type": "offer", "sdp": "v=0\r\nthis is not sdp\r\n"}
    assert code(await citizen.call("media:offer", garbage)) == "invalid_sdp"
    assert (
        code(await citizen.call("media:offer", {"call_id": call_id, "sdp": "hello"}))
        == "invalid_sdp"
    )
    assert (
        code(
            await citizen.call("media:offer", {"call_id": call_id, "type": "answer", "sdp": "v=0"})
        )
        == "invalid_sdp"
    )
    unknown = "0" * 32
    assert code(await citizen.call("call:hangup", {"call_id": unknown})) == "unknown_call"
    assert code(await citizen.call("call:hangup", {"call_id": "../../etc"})) == "invalid_payload"
    assert (
        code(
            await citizen.call(
                "location:update", {"call_id": unknown, "location": location(*ALMATY)}
            )
        )
        == "unknown_call"
    )


async def test_events_out_of_order(running: Running, clients: Callable[[str], Client]) -> None:
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    # media and location before any call
    some_id = "a" * 32
    assert (
        code(await citizen.call("media:offer", {"call_id": some_id, "sdp": "v=0"}))
        == "unknown_call"
    )
    _, call_id = await citizen_with_call(running, clients)
    # a second call on a connection that has one
    owner, own_call = await citizen_with_call(running, clients)
    assert code(await owner.call("call:start", {"media": "video"})) == "conflict"
    # another citizen cannot touch someone else's call
    assert code(await citizen.call("call:hangup", {"call_id": call_id})) == "unknown_call"
    # hang up twice
    assert (await owner.call("call:hangup", {"call_id": own_call}))["ok"]
    assert code(await owner.call("call:hangup", {"call_id": own_call})) == "unknown_call"


async def test_operator_events_out_of_order(
    running: Running, clients: Callable[[str], Client]
) -> None:
    await running.add_user("bolat")
    operator = clients("/operator")
    await operator.connect(running.url, auth={"session": await running.login("bolat")})
    await operator.next("operator:state")
    citizen, call_id = await citizen_with_call(running, clients)
    # media before accepting, hang-up of a call not held, decline of a call not offered
    assert (
        code(await operator.call("media:offer", {"call_id": call_id, "sdp": "v=0\r\n"}))
        == "illegal_transition"
    )
    assert code(await operator.call("call:hangup", {"call_id": call_id})) == "unknown_call"
    assert code(await operator.call("call:decline", {"call_id": call_id})) == "call_taken"
    assert (
        code(await operator.call("operator:availability", {"available": "yes"}))
        == "invalid_payload"
    )
    # accept of an ended call
    assert (await citizen.call("call:hangup", {"call_id": call_id}))["ok"]
    assert code(await operator.call("call:accept", {"call_id": call_id})) == "unknown_call"


async def test_oversized_payload_and_flood_then_server_still_serves(
    running: Running, clients: Callable[[str], Client]
) -> None:
    bystander, bystander_call = await citizen_with_call(running, clients)
    flooder = clients("/citizen")
    await flooder.connect(running.url)
    huge = {"media": "video", "padding": "x" * 70_000}
    assert code(await flooder.call("call:start", huge)) == "payload_too_large"
    codes = [
        (await flooder.call("location:update", {"call_id": "b" * 32, "location": {}}))["error"][
            "code"
        ]
        for _ in range(60)
    ]
    assert "rate_limited" in codes
    # the other call is untouched and the server answers
    ok = await bystander.call(
        "location:update", {"call_id": bystander_call, "location": location(*ALMATY)}
    )
    assert ok["ok"], ok
    async with aiohttp.ClientSession() as http, http.get(f"{running.url}/api/health") as response:
        assert response.status == 200
    record = await running.app[RECORDS].get_call(bystander_call)
    assert record is not None and len(record.trail) == 2


async def test_http_login_errors(running: Running) -> None:
    await running.add_user("kairat")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{running.url}/api/auth/login", data="not json") as response:
            assert response.status == 400
            assert (await response.json())["error"]["code"] == "invalid_payload"
        for body in (
            {"username": "kairat", "password": "wrong password!"},
            {"username": "nobody", "password": "whatever123"},
        ):
            async with http.post(f"{running.url}/api/auth/login", json=body) as response:
                assert response.status == 401
                assert (await response.json())["error"]["code"] == "unauthenticated"
        async with http.get(f"{running.url}/api/auth/me") as response:
            assert response.status == 401
        async with http.get(f"{running.url}/api/console/config") as response:
            assert response.status == 401


async def test_a_foreign_web_page_cannot_open_a_socket(running: Running) -> None:
    """Cross-site WebSocket hijacking: only this server's own pages (or apps, which send no
    Origin) may connect; a page on another site is refused at the handshake."""
    await running.add_user("nazira")
    token = await running.login("nazira")
    async with aiohttp.ClientSession() as http:
        for origin, expected in (("https://evil.example", 400), (running.url, 101)):
            url = f"{running.url}/socket.io/?EIO=4&transport=websocket"
            headers = {"Origin": origin, "Cookie": f"sid={token}"}
            try:
                async with http.ws_connect(url, headers=headers) as ws:
                    status = 101
                    await ws.close()
            except aiohttp.WSServerHandshakeError as exc:
                status = exc.status
            assert status == expected, origin


async def test_a_deactivated_account_is_refused_at_once(running: Running) -> None:
    await running.add_user("former")
    token = await running.login("former")
    await running.app[RECORDS].set_user_active("former", False)
    async with aiohttp.ClientSession() as http:
        headers = {"Cookie": f"sid={token}"}
        async with http.get(f"{running.url}/api/console/config", headers=headers) as response:
            assert response.status == 401
    refused = socketio.AsyncClient(reconnection=False)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.connect(
                running.url,
                namespaces=["/operator"],
                transports=["websocket"],
                auth={"session": token},
                wait_timeout=5,
            )
    finally:
        await refused.disconnect()
        if refused.eio.http is not None:
            await refused.eio.http.close()
