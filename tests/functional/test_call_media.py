"""The whole call, with media: aiortc peers play citizen and operator through the server.

The citizen sends 320x240 VP8 + Opus from Almaty, the operator 160x120: each must decode the
other's picture at the other's size, the location trail must reach the operator, and a hang-up
from either side must close both legs and complete the record.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from geo.service import GeoService
from records import open_store
from server.app import create_app
from server.keys import MEDIA, RECORDS
from server.settings import Settings
from tests.fixtures_app import Client, Running, location
from tests.functional.test_call_flow import ALMATY, operator_online
from tests.media.clients import Client as Browser
from tests.media.clients import wait_for


def sizes(browser: Browser) -> set[tuple[int, int]]:
    return {(w, h) for _, w, h, _ in browser.received.video}


@pytest.mark.parametrize("who_hangs_up", ["operator", "caller"])
async def test_two_way_video_through_the_server(
    running: Running,
    clients: Callable[[str], Client],
    browsers: Callable[[tuple[int, int]], Browser],
    who_hangs_up: str,
) -> None:
    operator, _ = await operator_online(running, clients, f"op_{who_hangs_up}")
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    started = await citizen.call("call:start", {"media": "video", "location": location(*ALMATY)})
    call_id = started["call"]["id"]
    assert started["call"]["region_code"] == "KZ-75"

    caller = browsers((320, 240))
    answer = await citizen.call(
        "media:offer", {"call_id": call_id, "type": "offer", "sdp": await caller.offer()}
    )
    assert answer["ok"] and answer["type"] == "answer", answer
    await caller.accept(answer["sdp"])

    await operator.next("call:offered")
    assert (await operator.call("call:accept", {"call_id": call_id}))["ok"]
    console = browsers((160, 120))
    answer = await operator.call(
        "media:offer", {"call_id": call_id, "type": "offer", "sdp": await console.offer()}
    )
    assert answer["ok"], answer
    await console.accept(answer["sdp"])

    await wait_for(lambda: len(console.received.video) >= 10 and console.received.audio >= 10, 15)
    await wait_for(lambda: len(caller.received.video) >= 10 and caller.received.audio >= 10, 15)
    assert sizes(console) == {(320, 240)}  # the operator sees the caller
    assert sizes(caller) == {(160, 120)}  # and the caller the operator
    forwarded = running.app[MEDIA].stats(call_id)
    assert forwarded, "the registry forwarded nothing"

    update = await citizen.call(
        "location:update", {"call_id": call_id, "location": location(43.2401, 76.9002, 9.0)}
    )
    assert update["ok"]
    pushed = await operator.next("call:location")
    assert (pushed["location"]["lat"], pushed["geo"]["region_code"]) == (43.2401, "KZ-75")

    if who_hangs_up == "operator":
        assert (await operator.call("call:hangup", {"call_id": call_id}))["ok"]
        await citizen.next("call:ended")
    else:
        assert (await citizen.call("call:hangup", {"call_id": call_id}))["ok"]
        await operator.next("call:ended")
    await wait_for(lambda: caller.ended.is_set() and console.ended.is_set(), 10)
    assert call_id not in running.app[MEDIA].calls()

    record = await running.app[RECORDS].get_call(call_id)
    assert record is not None and record.final_state == "ended"
    assert record.end_reason == f"{who_hangs_up}_hangup"
    assert record.answered_at is not None and record.ended_at is not None
    assert [(p.lat, p.lon) for p in record.trail] == [ALMATY, (43.2401, 76.9002)]


async def test_lost_media_connection_is_reported_to_the_caller(
    running: Running,
    clients: Callable[[str], Client],
    browsers: Callable[[tuple[int, int]], Browser],
) -> None:
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    started = await citizen.call("call:start", {"media": "video", "location": location(*ALMATY)})
    call_id = started["call"]["id"]
    caller = browsers((320, 240))
    answer = await citizen.call("media:offer", {"call_id": call_id, "sdp": await caller.offer()})
    await caller.accept(answer["sdp"])
    await asyncio.wait_for(caller.connected.wait(), 10)
    await caller.pc.close()  # the phone's WebRTC stack dies, the socket stays
    lost = await citizen.next("media:lost", timeout=20)
    assert lost == {"call_id": call_id, "party": "citizen"}
    # the call itself survives: a fresh offer restores media
    again = browsers((320, 240))
    answer = await citizen.call("media:offer", {"call_id": call_id, "sdp": await again.offer()})
    assert answer["ok"], answer
    await again.accept(answer["sdp"])
    await asyncio.wait_for(again.connected.wait(), 10)


async def test_shutdown_ends_live_calls_and_keeps_their_recordings(
    app_settings: Settings,
    geo_service: GeoService,
    clients: Callable[[str], Client],
    browsers: Callable[[tuple[int, int]], Browser],
) -> None:
    server = TestServer(create_app(app_settings, geo=geo_service), host="127.0.0.1")
    await server.start_server()
    running = Running(server)
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    started = await citizen.call("call:start", {"media": "video", "location": location(*ALMATY)})
    call_id = started["call"]["id"]
    caller = browsers((320, 240))
    answer = await citizen.call("media:offer", {"call_id": call_id, "sdp": await caller.offer()})
    await caller.accept(answer["sdp"])
    await asyncio.wait_for(caller.connected.wait(), 10)
    await asyncio.sleep(1.5)  # some media recorded
    await server.close()

    store = await open_store(app_settings.database_url)
    try:
        record = await store.get_call(call_id)
        recording = await store.get_recording(call_id)
    finally:
        await store.close()
    assert record is not None and (record.final_state, record.end_reason) == (
        "failed",
        "server_shutdown",
    )
    assert recording is not None and recording.size > 0
    data = await asyncio.to_thread(Path(recording.path).read_bytes)
    assert hashlib.sha256(data).hexdigest() == recording.sha256
