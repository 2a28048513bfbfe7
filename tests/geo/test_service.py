from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from domain.errors import BoundaryDataError, ConfigError, InvalidLocation
from geo.service import GeoService
from server.settings import Settings

KEYS = {
    "region_code",
    "region_name",
    "region_name_ru",
    "region_name_kk",
    "centre",
    "centre_name",
    "address",
    "address_ru",
    "address_kk",
    "flags",
    "distance_to_region_m",
    "nearest_units",
}


def test_semey_routes_to_abai(service: GeoService) -> None:
    answer = service.locate(50.41, 80.25, 15)
    data = answer.to_dict()
    assert KEYS <= set(data)
    assert (data["region_code"], data["centre"], data["flags"]) == ("KZ-10", "abai", [])
    assert data["region_name_ru"] == "Абайская область"
    assert data["centre_name"] == "Abai Region 102 (Semey)"
    assert "Semey" in data["address"] and "Семей" in data["address_ru"]
    assert data["distance_to_region_m"] is None
    assert data["nearest_units"][0]["centre"] == "abai"
    assert len(data["nearest_units"]) == 3
    json.dumps(data)  # JSON-able


@pytest.mark.parametrize(
    ("point", "centre"),
    [
        ((43.24, 76.89), "almaty-city"),
        ((43.87, 77.07), "almaty-region"),
        ((51.13, 71.43), "astana"),
        ((42.32, 69.59), "shymkent"),
        ((47.78, 67.71), "ulytau"),
        ((45.02, 78.37), "jetisu"),
    ],
)
def test_centres(service: GeoService, point: tuple[float, float], centre: str) -> None:
    assert service.locate(*point, 10).centre == centre


def test_bishkek_goes_to_the_fallback_centre(service: GeoService) -> None:
    data = service.locate(42.87, 74.59, 20).to_dict()
    assert data["region_code"] is None and data["region_name"] is None
    assert data["centre"] == "national"
    assert data["flags"] == ["abroad", "fallback_centre"]
    assert data["address"] == "in Bishkek, Kyrgyzstan"


def test_sea_point_goes_to_mangystau_with_distance(service: GeoService) -> None:
    data = service.locate(43.63, 51.12, 30).to_dict()
    assert (data["region_code"], data["centre"]) == ("KZ-47", "mangystau")
    assert data["flags"] == ["nearest_region"]
    assert 1000 < data["distance_to_region_m"] < 5000


def test_accuracy_flags(service: GeoService) -> None:
    assert service.locate(50.41, 80.25, None).flags == ("no_accuracy",)
    assert service.locate(50.41, 80.25, 1000).flags == ()
    assert service.locate(50.41, 80.25, 1001).flags == ("low_accuracy",)
    assert service.locate(42.87, 74.59, 5000).flags == ("abroad", "low_accuracy", "fallback_centre")


@pytest.mark.parametrize("lat, lon", [(math.nan, 70.0), (50.0, math.inf), (91.0, 70.0)])
def test_locate_rejects_non_positions(service: GeoService, lat: float, lon: float) -> None:
    with pytest.raises(InvalidLocation):
        service.locate(lat, lon)


def test_region_outlines_cached_with_attribution(service: GeoService) -> None:
    outlines = service.region_outlines()
    assert outlines is service.region_outlines()
    assert outlines["attribution"].startswith("Region outlines: amCharts")
    assert len(outlines["features"]) == 20
    assert len(json.dumps(outlines, separators=(",", ":"))) < 300_000


def test_from_settings_fails_loudly(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(BoundaryDataError):
        GeoService.from_settings(
            replace(settings.geo, boundary_file=tmp_path / "absent.json"), settings.centres
        )
    bad_units = tmp_path / "units.csv"
    bad_units.write_text("id,name,centre,lat,lon,kind\nx,X,atlantis,51,71,patrol\n")
    with pytest.raises(ConfigError, match="unknown centre"):
        GeoService.from_settings(replace(settings.geo, units_file=bad_units), settings.centres)


def test_without_units_file(settings: Settings) -> None:
    service = GeoService.from_settings(replace(settings.geo, units_file=None), settings.centres)
    assert service.locate(50.41, 80.25, 10).nearest_units == []


def test_only_the_nominatim_adapter_uses_asyncio() -> None:
    from server.settings import ROOT

    users = sorted(
        p.name
        for p in (ROOT / "geo").glob("*.py")
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.startswith(("import asyncio", "from asyncio"))
    )
    assert users == ["nominatim.py"]
