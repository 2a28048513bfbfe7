from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from geopy.distance import geodesic

from domain.errors import ConfigError
from geo.units import NearestUnits, Unit, load_units
from server.settings import ROOT, Settings

UNITS_CSV = ROOT / "geo/data/units.csv"


def test_sample_file_covers_every_centre(settings: Settings) -> None:
    units = load_units(UNITS_CSV, {c.id for c in settings.centres.centres})
    per_centre = Counter(u.centre for u in units)
    assert set(per_centre) == {c.id for c in settings.centres.centres}
    assert len(per_centre) == 21
    assert all(count >= 3 for count in per_centre.values())
    assert "SAMPLE LOCATIONS" in UNITS_CSV.read_text(encoding="utf-8").splitlines()[0]


def test_nearest_in_almaty_are_almaty_districts() -> None:
    units = NearestUnits.load(UNITS_CSV)
    found = units.nearest(43.24, 76.89, n=3)
    assert [u.centre for u in found] == ["almaty-city"] * 3
    assert [u.distance_m for u in found] == sorted(u.distance_m for u in found)
    for u in found:
        assert u.distance_m == pytest.approx(geodesic((u.lat, u.lon), (43.24, 76.89)).m)
    assert found[0].to_dict()["id"] == found[0].id


def test_centre_filter_and_count() -> None:
    units = NearestUnits.load(UNITS_CSV)
    found = units.nearest(43.24, 76.89, n=2, centre="almaty-region")
    assert len(found) == 2 and {u.centre for u in found} == {"almaty-region"}
    assert units.nearest(43.24, 76.89, n=0) == []
    assert units.nearest(43.24, 76.89, centre="nowhere") == []


def test_exact_distance_reorders_equirectangular_near_ties() -> None:
    # Two units 10 km due north and 10 km due east at 55 N: close in both metrics, the
    # geodesic decides; the bearing is from the unit to the caller.
    north = geodesic(kilometers=10).destination((55.0, 70.0), 0)
    east = geodesic(kilometers=10.05).destination((55.0, 70.0), 90)
    units = NearestUnits(
        [
            Unit("n", "North", "c", north.latitude, north.longitude, "patrol"),
            Unit("e", "East", "c", east.latitude, east.longitude, "patrol"),
        ]
    )
    found = units.nearest(55.0, 70.0, n=2)
    assert [u.id for u in found] == ["n", "e"]
    assert [u.bearing for u in found] == ["S", "W"]
    assert found[0].distance_m == pytest.approx(10_000, rel=1e-6)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("id,name\n", "header"),
        ("id,name,centre,lat,lon,kind\nx,X,astana,north,71,patrol\n", "numbers"),
        ("id,name,centre,lat,lon,kind\nx,X,astana,95,71,patrol\n", "out of range"),
        ("id,name,centre,lat,lon,kind\nx,X,astana,51,71,p\nx,Y,astana,51,71,p\n", "duplicate"),
        ("id,name,centre,lat,lon,kind\nx,X,atlantis,51,71,patrol\n", "unknown centre"),
    ],
)
def test_bad_units_files(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "units.csv"
    path.write_text("# comment\n" + body)
    with pytest.raises(ConfigError, match=message):
        load_units(path, {"astana"})


def test_missing_units_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_units(tmp_path / "absent.csv")


def test_units_at_the_same_place_do_not_break_ranking() -> None:
    same = [Unit(f"u{i}", "U", "c", 50.0, 70.0, "patrol") for i in range(4)]
    found = NearestUnits(same).nearest(50.1, 70.1, n=2)
    assert len(found) == 2 and found[0].distance_m == found[1].distance_m
