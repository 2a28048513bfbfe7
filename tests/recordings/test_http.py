"""A real call through the server is recorded, stored with its hash, played and exported."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import av
import pytest

from domain.roles import Role
from server.keys import RECORDS
from tests.fixtures_app import Client, Running, location
from tests.functional.test_call_flow import ALMATY, operator_online
from tests.media.clients import Client as Browser
from tests.media.clients import wait_for


@pytest.fixture
async def browsers() -> AsyncIterator[Callable[[tuple[int, int]], Browser]]:
    made: list[Browser] = []

    def make(size: tuple[int, int]) -> Browser:
        made.append(Browser(video_size=size))
        return made[-1]

    yield make
    for browser in made:
        await browser.close()


async def recorded_call(
    running: Running,
    clients: Callable[[str], Client],
    browsers: Callable[[tuple[int, int]], Browser],
) -> str:
    operator, _ = await operator_online(running, clients, "op_rec")
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    started = await citizen.call("call:start", {"media": "video", "location": location(*ALMATY)})
    call_id: str = started["call"]["id"]
    caller = browsers((320, 240))
    answer = await citizen.call("media:offer", {"call_id": call_id, "sdp": await caller.offer()})
    await caller.accept(answer["sdp"])
    await operator.next("call:offered")
    assert (await operator.call("call:accept", {"call_id": call_id}))["ok"]
    console = browsers((160, 120))
    answer = await operator.call("media:offer", {"call_id": call_id, "sdp": await console.offer()})
    await console.accept(answer["sdp"])
    await wait_for(lambda: len(console.received.video) >= 30 and caller.received.audio >= 30, 15)
    assert (await operator.call("call:hangup", {"call_id": call_id}))["ok"]
    await citizen.next("call:ended")
    return call_id


async def test_recording_is_stored_played_and_exported(
    running: Running,
    clients: Callable[[str], Client],
    browsers: Callable[[tuple[int, int]], Browser],
) -> None:
    call_id = await recorded_call(running, clients, browsers)
    records = running.app[RECORDS]
    stored = await records.get_recording(call_id)
    assert stored is not None
    file_bytes = await asyncio.to_thread(Path(stored.path).read_bytes)
    assert stored.size == len(file_bytes)
    assert stored.sha256 == hashlib.sha256(file_bytes).hexdigest()

    await running.add_user("sup", Role.SUPERVISOR)
    await running.add_user("op_other")
    supervisor = {"Cookie": f"sid={await running.login('sup')}"}
    operator = {"Cookie": f"sid={await running.login('op_other')}"}
    url = f"{running.url}/api/calls/{call_id}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/recording") as response:
            assert response.status == 401
            assert (await response.json())["error"]["code"] == "unauthenticated"
        async with http.get(f"{url}/recording", headers=operator) as response:
            assert response.status == 403
            assert (await response.json())["error"]["code"] == "forbidden"

        async with http.get(f"{url}/recording", headers=supervisor) as response:
            assert response.status == 200 and response.content_type == "video/webm"
            played = await response.read()
        assert played == file_bytes
        ranged = {**supervisor, "Range": "bytes=100-199"}
        async with http.get(f"{url}/recording", headers=ranged) as response:
            assert response.status == 206
            assert await response.read() == file_bytes[100:200]

        async with http.get(f"{url}/export", headers=supervisor) as response:
            assert response.status == 200 and response.content_type == "application/zip"
            archive = zipfile.ZipFile(io.BytesIO(await response.read()))
        async with http.get(f"{running.url}/api/calls/{'0' * 32}/export", headers=supervisor) as r:
            assert r.status == 404 and (await r.json())["error"]["code"] == "unknown_call"

    assert archive.read("recording.webm") == file_bytes
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["call"]["id"] == call_id and manifest["call"]["centre"] == "almaty-city"
    assert manifest["call"]["ended_at"] is not None
    assert manifest["parties"]["operator"]["username"] == "op_rec"
    assert [(p["lat"], p["lon"]) for p in manifest["location_trail"]] == [ALMATY]
    assert manifest["recording"]["sha256"] == stored.sha256
    assert manifest["recording"]["intact"] is True
    assert manifest["exported_by"]["username"] == "sup"

    with av.open(io.BytesIO(file_bytes), mode="r") as container:
        first = next(container.decode(video=0))
    assert (first.width, first.height) == (320, 240)

    actions = [e.action for e in await records.list_audit(subject=f"call:{call_id}")]
    assert actions.count("recording.play") == 2  # the whole file, then a range
    assert actions.count("recording.export") == 1
