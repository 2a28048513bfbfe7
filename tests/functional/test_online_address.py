"""With an online geocoder configured, the operator first gets the instant offline address,
then the refined street address; a failing geocoder leaves the offline one in place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from domain.errors import GeocoderRateLimited
from geo.nominatim import NominatimGeocoder
from geo.service import GeoService
from server.app import create_app
from server.settings import Settings
from tests.fixtures_app import Client, Running, location
from tests.functional.test_call_flow import ALMATY, operator_online
from tests.geo.test_nominatim import FakeGeolocator


class Overloaded:
    async def reverse(self, query: tuple[float, float], **kwargs: Any) -> None:
        raise GeocoderRateLimited("429 from the test geocoder")


async def serve(settings: Settings, geo: GeoService, geolocator: Any) -> AsyncIterator[Running]:
    refiner = NominatimGeocoder("nominatim.test", "102-tests", 0.0, geolocator, regions=geo.regions)
    server = TestServer(create_app(settings, geo=geo, address_refiner=refiner), host="127.0.0.1")
    await server.start_server()
    try:
        yield Running(server)
    finally:
        await server.close()
        await refiner.close()


@pytest.fixture
async def with_street_geocoder(
    app_settings: Settings, geo_service: GeoService
) -> AsyncIterator[Running]:
    async for running in serve(app_settings, geo_service, FakeGeolocator(iso="KZ-75")):
        yield running


@pytest.fixture
async def with_broken_geocoder(
    app_settings: Settings, geo_service: GeoService
) -> AsyncIterator[Running]:
    async for running in serve(app_settings, geo_service, Overloaded()):
        yield running


async def connected_call(running: Running, clients: Callable[[str], Client]) -> tuple[Client, str]:
    operator, _ = await operator_online(running, clients, "gulnar")
    citizen = clients("/citizen")
    await citizen.connect(running.url)
    started = await citizen.call("call:start", {"media": "audio", "location": location(*ALMATY)})
    call_id = started["call"]["id"]
    await operator.next("call:offered")
    accepted = await operator.call("call:accept", {"call_id": call_id})
    assert accepted["ok"], accepted
    assert "Almaty" in accepted["call"]["geo"]["address"]  # the offline address, at once
    await citizen.call(
        "location:update", {"call_id": call_id, "location": location(43.2401, 76.89)}
    )
    return operator, call_id


async def test_online_address_refines_the_offline_one(
    with_street_geocoder: Running, clients: Callable[[str], Client]
) -> None:
    operator, call_id = await connected_call(with_street_geocoder, clients)
    refined = await operator.next("call:address")
    assert refined["call_id"] == call_id
    assert refined["address"] == "Abai Avenue, Almaty, Kazakhstan"
    assert refined["address_ru"] == "проспект Абая, Алматы, Казахстан"
    assert refined["address_source"] == "nominatim"


async def test_failing_geocoder_keeps_the_offline_address(
    with_broken_geocoder: Running, clients: Callable[[str], Client]
) -> None:
    operator, call_id = await connected_call(with_broken_geocoder, clients)
    pushed = await operator.next("call:location")
    assert pushed["call_id"] == call_id and "Almaty" in pushed["geo"]["address"]
    await asyncio.sleep(0.3)  # the refinement attempt has failed by now
    ack = await operator.call("call:accept", {"call_id": call_id})  # re-read: already ours
    assert ack["error"]["code"] == "call_taken"
    moved = (call_id, 43.2401)
    queue = await operator.next(
        "queue:update",
        lambda q: any((c["id"], (c["location"] or {}).get("lat")) == moved for c in q["calls"]),
    )
    geo = next(c["geo"] for c in queue["calls"] if c["id"] == call_id)
    assert "Almaty" in geo["address"] and "address_source" not in geo
    assert "call:address" not in operator.inbox
