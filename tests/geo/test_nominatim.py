"""The Nominatim adapter against fake geopy geolocators: never the network."""

from __future__ import annotations

from typing import Any

import geopy.exc
import pytest

from domain.errors import GeocoderError, GeocoderRateLimited
from geo.nominatim import NominatimGeocoder
from geo.regions import RegionIndex

ALMATY = (43.2389, 76.8897)


class FakeLocation:
    def __init__(self, address: str, raw: dict[str, Any]) -> None:
        self.address = address
        self.raw = raw


def _raw(iso: str, lang: str) -> dict[str, Any]:
    return {
        "lat": "43.2390",
        "lon": "76.8890",
        "display_name": f"display {lang}",
        "address": {
            "road": "Abai Avenue",
            "city": "Almaty",
            "ISO3166-2-lvl4": iso,
            "country_code": "kz",
        },
    }


class FakeGeolocator:
    """Async like geopy's Nominatim on AioHTTPAdapter; records every call."""

    def __init__(self, iso: str = "KZ-75", error: Exception | None = None) -> None:
        self.iso = iso
        self.error = error
        self.calls: list[dict[str, Any]] = []

    async def reverse(self, query: tuple[float, float], **kwargs: Any) -> FakeLocation | None:
        self.calls.append({"query": query, **kwargs})
        if self.error is not None:
            raise self.error
        lang = kwargs["language"]
        text = {
            "en": "Abai Avenue, Almaty, Kazakhstan",
            "ru": "проспект Абая, Алматы, Казахстан",
            "kk": "Абай даңғылы, Алматы, Қазақстан",
        }[lang]
        return FakeLocation(text, _raw(self.iso, lang))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _geocoder(
    geolocator: Any, index: RegionIndex | None = None, clock: Clock | None = None
) -> NominatimGeocoder:
    return NominatimGeocoder(
        "nominatim.example.kz",
        "102-tests",
        1.0,
        geolocator,
        regions=index,
        clock=clock or Clock(),
    )


async def test_success_in_three_languages(index: RegionIndex) -> None:
    fake = FakeGeolocator()
    address = await _geocoder(fake, index).describe_async(*ALMATY)
    assert address.text == "Abai Avenue, Almaty, Kazakhstan"
    assert address.text_ru == "проспект Абая, Алматы, Казахстан"
    assert address.text_kk == "Абай даңғылы, Алматы, Қазақстан"
    assert (address.settlement, address.settlement_country) == ("Almaty", "KZ")
    assert address.region_code == "KZ-75"
    assert address.flags == ()
    assert address.source == "nominatim"
    assert address.distance_m is not None and address.distance_m < 100
    assert [c["language"] for c in fake.calls] == ["en", "ru", "kk"]
    assert all(c["query"] == ALMATY and c["addressdetails"] for c in fake.calls)


async def test_iso_code_disagreeing_with_polygons_is_flagged(index: RegionIndex) -> None:
    address = await _geocoder(FakeGeolocator(iso="KZ-19"), index).describe_async(*ALMATY)
    assert address.region_code == "KZ-19"
    assert address.flags == ("geocoder_region_mismatch",)


async def test_requests_closer_than_min_delay_raise_rate_limited() -> None:
    clock = Clock()
    geocoder = _geocoder(FakeGeolocator(), clock=clock)
    await geocoder.describe_async(*ALMATY)
    clock.now += 0.4
    with pytest.raises(GeocoderRateLimited, match=r"next request allowed in 0\.60 s"):
        await geocoder.describe_async(*ALMATY)
    clock.now += 0.7
    assert (await geocoder.describe_async(*ALMATY)).source == "nominatim"


async def test_server_side_rate_limit_is_mapped() -> None:
    fake = FakeGeolocator(error=geopy.exc.GeocoderRateLimited("429 Too Many Requests"))
    with pytest.raises(GeocoderRateLimited) as caught:
        await _geocoder(fake).describe_async(*ALMATY)
    assert caught.value.code == "geocoder_rate_limited"


@pytest.mark.parametrize(
    "error",
    [
        geopy.exc.GeocoderTimedOut("timed out"),
        geopy.exc.GeocoderUnavailable("connection refused"),
        geopy.exc.GeocoderServiceError("500"),
        ConnectionResetError("reset"),
    ],
)
async def test_geopy_errors_are_mapped(error: Exception) -> None:
    with pytest.raises(GeocoderError) as caught:
        await _geocoder(FakeGeolocator(error=error)).describe_async(*ALMATY)
    assert caught.value.code == "geocoder_error"
    assert not isinstance(caught.value, GeocoderRateLimited)
    assert caught.value.__cause__ is error


async def test_sync_geolocator_and_empty_answer() -> None:
    class Sync:
        def reverse(self, query: tuple[float, float], **kwargs: Any) -> None:
            return None  # Nominatim finds nothing at sea

    address = await _geocoder(Sync()).describe_async(43.6, 50.5)
    assert address.source == "nominatim"
    assert address.settlement is None
    assert address.text == "43.60000, 50.50000"


async def test_malformed_answer_is_a_geocoder_error() -> None:
    class Broken:
        async def reverse(self, query: tuple[float, float], **kwargs: Any) -> FakeLocation:
            return FakeLocation("x", {"display_name": "x"})  # no lat/lon

    with pytest.raises(GeocoderError, match="not understood"):
        await _geocoder(Broken()).describe_async(*ALMATY)
