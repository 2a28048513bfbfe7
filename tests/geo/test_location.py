from __future__ import annotations

import json
import math
from typing import Any

import pytest

from domain.errors import InvalidLocation
from geo.location import Location, LocationSource

NOW = 1_700_000_000.0
GOOD: dict[str, Any] = {
    "lat": 43.24,
    "lon": 76.89,
    "accuracy_m": 25.0,
    "fixed_at": NOW - 5,
    "source": "gnss",
    "altitude_m": 850.0,
    "altitude_accuracy_m": 10.0,
    "heading_deg": 270.0,
    "speed_mps": 3.5,
}


def with_(**changes: Any) -> dict[str, Any]:
    data = dict(GOOD)
    for key, value in changes.items():
        if value is ...:
            data.pop(key)
        else:
            data[key] = value
    return data


def test_full_payload_round_trips_through_json() -> None:
    fix = Location.from_payload(GOOD, now=NOW)
    assert fix.source is LocationSource.GNSS
    assert (fix.lat, fix.lon, fix.accuracy_m, fix.heading_deg) == (43.24, 76.89, 25.0, 270.0)
    data = json.loads(json.dumps(fix.to_dict()))
    assert data == {**GOOD, "source": "gnss"}
    assert Location.from_payload(data, now=NOW) == fix


def test_minimal_payload_defaults() -> None:
    fix = Location.from_payload({"lat": 51, "lon": 71, "fixed_at": NOW}, now=NOW)
    assert fix.accuracy_m is None  # unknown, flagged no_accuracy by GeoService
    assert fix.source is LocationSource.BROWSER
    assert fix.altitude_m is fix.heading_deg is fix.speed_mps is None
    assert isinstance(fix.lat, float)


def test_nulls_for_optional_fields_are_accepted() -> None:
    fix = Location.from_payload(with_(heading_deg=None, speed_mps=None, source=None), now=NOW)
    assert fix.heading_deg is None and fix.speed_mps is None
    assert fix.source is LocationSource.BROWSER


def test_all_sources_accepted() -> None:
    values = {s.value for s in LocationSource}
    assert values == {"browser", "gnss", "network", "manual", "photo_exif", "aml"}
    for value in values:
        assert Location.from_payload(with_(source=value), now=NOW).source.value == value


def test_slightly_future_fix_is_clock_skew_not_forgery() -> None:
    assert Location.from_payload(with_(fixed_at=NOW + 59), now=NOW).fixed_at == NOW + 59


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (with_(lat=...), "lat is required"),
        (with_(lon=...), "lon is required"),
        (with_(lat=None), "lat is required"),
        (with_(fixed_at=...), "fixed_at is required"),
        (with_(lat="43.24"), "lat must be a number"),
        (with_(lon=[76.0]), "lon must be a number"),
        (with_(lat=True), "lat must be a number"),
        (with_(accuracy_m=False), "accuracy_m must be a number"),
        (with_(fixed_at="yesterday"), "fixed_at must be a number"),
        (with_(lat=math.nan), "lat is NaN"),
        (with_(lon=math.inf), "lon is infinite"),
        (with_(accuracy_m=-math.inf), "accuracy_m is infinite"),
        (with_(heading_deg=math.nan), "heading_deg is NaN"),
        (with_(lat=90.0001), "outside [-90, 90]"),
        (with_(lat=-91), "outside [-90, 90]"),
        (with_(lon=180.5), "outside [-180, 180]"),
        (with_(lon=-181), "outside [-180, 180]"),
        (with_(accuracy_m=0), "accuracy_m"),
        (with_(accuracy_m=-5), "accuracy_m"),
        (with_(accuracy_m=1_000_001), "accuracy_m"),
        (with_(heading_deg=360), "heading_deg"),
        (with_(heading_deg=-0.1), "heading_deg"),
        (with_(speed_mps=-1), "negative"),
        (with_(speed_mps=1_000), "not plausible"),
        (with_(altitude_m=100_000), "altitude_m"),
        (with_(altitude_accuracy_m=0), "altitude_accuracy_m"),
        (with_(fixed_at=NOW + 61), "in the future"),
        (with_(fixed_at=0), "not a Unix time"),
        (with_(source="gps"), "source 'gps'"),
        (with_(source=3), "source 3"),
    ],
)
def test_invalid_payloads_are_rejected(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidLocation) as caught:
        Location.from_payload(payload, now=NOW)
    assert message in caught.value.message
    assert caught.value.code == "invalid_location"


@pytest.mark.parametrize("payload", [None, [43.2, 76.9], "43.2,76.9", 42])
def test_non_object_payload_is_rejected(payload: Any) -> None:
    with pytest.raises(InvalidLocation, match="must be an object"):
        Location.from_payload(payload, now=NOW)


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(InvalidLocation, match="finite"):
        Location(math.nan, 76.9, None, fixed_at=NOW)
    with pytest.raises(InvalidLocation, match="outside"):
        Location(43.2, 200.0, None, fixed_at=NOW)


def test_is_stale() -> None:
    fix = Location.from_payload(with_(fixed_at=NOW - 100), now=NOW)
    assert fix.age_s(NOW) == 100
    assert not fix.is_stale(NOW, max_age_s=120)
    assert fix.is_stale(NOW + 21, max_age_s=120)
