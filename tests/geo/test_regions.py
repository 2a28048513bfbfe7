from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from geopy.distance import geodesic
from shapely.geometry import mapping

from domain.errors import BoundaryDataError
from domain.routing import KZ_UNITS
from geo.regions import RegionIndex
from server.settings import Settings

# One point well inside each unit: the administrative centre (Aktau is on the shore, so the
# Mangystau point is Zhanaozen).
INTERIOR = {
    "KZ-10": (50.41, 80.25),  # Semey
    "KZ-11": (53.28, 69.39),  # Kokshetau
    "KZ-15": (50.28, 57.17),  # Aktobe
    "KZ-19": (43.87, 77.07),  # Konaev
    "KZ-23": (47.11, 51.92),  # Atyrau
    "KZ-27": (51.23, 51.37),  # Oral
    "KZ-31": (42.90, 71.37),  # Taraz
    "KZ-33": (45.02, 78.37),  # Taldykorgan
    "KZ-35": (49.80, 73.10),  # Karaganda
    "KZ-39": (53.21, 63.63),  # Kostanay
    "KZ-43": (44.85, 65.51),  # Kyzylorda
    "KZ-47": (43.34, 52.86),  # Zhanaozen
    "KZ-55": (52.29, 76.97),  # Pavlodar
    "KZ-59": (54.87, 69.15),  # Petropavl
    "KZ-61": (43.30, 68.25),  # Turkistan
    "KZ-62": (47.78, 67.71),  # Zhezkazgan
    "KZ-63": (49.95, 82.61),  # Oskemen
    "KZ-71": (51.13, 71.43),  # Astana
    "KZ-75": (43.24, 76.89),  # Almaty
    "KZ-79": (42.32, 69.59),  # Shymkent
}
BISHKEK = (42.87, 74.59)


def test_interior_points_cover_all_20_units() -> None:
    assert set(INTERIOR) == set(KZ_UNITS)


@pytest.mark.parametrize(("code", "point"), sorted(INTERIOR.items()))
def test_every_unit_is_reached_from_inside(
    index: RegionIndex, code: str, point: tuple[float, float]
) -> None:
    match = index.locate(*point, accuracy_m=20)
    assert (match.code, match.name, match.flags, match.distance_m) == (
        code,
        KZ_UNITS[code],
        (),
        0.0,
    )


@pytest.mark.parametrize(
    ("point", "code"),
    [
        ((50.41, 80.25), "KZ-10"),  # Semey
        ((45.02, 78.37), "KZ-33"),  # Taldykorgan
        ((47.78, 67.71), "KZ-62"),  # Zhezkazgan
        ((43.87, 77.07), "KZ-19"),  # Konaev
        ((42.32, 69.59), "KZ-79"),  # Shymkent, inside Turkistan Region
        ((51.13, 71.43), "KZ-71"),  # Astana, inside Akmola Region
        ((43.24, 76.89), "KZ-75"),  # Almaty city, inside Almaty Region
    ],
)
def test_spot_checks(index: RegionIndex, point: tuple[float, float], code: str) -> None:
    assert index.locate(*point).code == code


def test_region_names_in_three_languages(index: RegionIndex) -> None:
    match = index.locate(50.41, 80.25)
    assert (match.name, match.name_ru, match.name_kk) == (
        "Abai Region",
        "Абайская область",
        "Абай облысы",
    )


def test_bishkek_is_abroad(index: RegionIndex) -> None:
    match = index.locate(*BISHKEK, accuracy_m=30)
    assert (match.code, match.name, match.flags, match.distance_m) == (
        None,
        None,
        ("abroad",),
        None,
    )


def _brute_distance_m(index: RegionIndex, code: str, lat: float, lon: float) -> float:
    """Independent check: geodesic to the boundary densified to ~10 m vertices."""
    near = shapely.clip_by_rect(
        index.geometries[code].boundary, lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1
    )
    dense = shapely.segmentize(near, 0.0001)
    return min(float(geodesic((lat, lon), (y, x)).m) for x, y in shapely.get_coordinates(dense))


def test_point_in_the_caspian_snaps_to_mangystau(index: RegionIndex) -> None:
    lat, lon = 43.63, 51.12  # ~2-3 km off the Aktau shore
    assert index.locate(lat, lon, accuracy_m=10).code == "KZ-47"
    match = index.locate(lat, lon, accuracy_m=10)
    assert match.flags == ("nearest_region",)
    assert match.distance_m is not None and 1000 < match.distance_m < 5000
    expected = _brute_distance_m(index, "KZ-47", lat, lon)
    assert match.distance_m == pytest.approx(expected, rel=0.01)


def _outside_border_point(index: RegionIndex, km: float) -> tuple[float, float]:
    """A point ``km`` from the Kazakh border on the way from it to Bishkek."""
    border = index.geometries["KZ-31"].boundary
    line = shapely.shortest_line(border, shapely.Point(BISHKEK[1], BISHKEK[0]))
    x, y = line.coords[0]
    start = (y, x)
    bearing = _bearing(start, BISHKEK)
    dest = geodesic(kilometers=km).destination(start, bearing)
    return dest.latitude, dest.longitude


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    from geo.geodesy import initial_bearing_deg

    return initial_bearing_deg(a[0], a[1], b[0], b[1])


def test_a_few_km_across_the_border_snaps_back(index: RegionIndex) -> None:
    lat, lon = _outside_border_point(index, 3.0)
    match = index.locate(lat, lon, accuracy_m=15)
    assert match.code == "KZ-31"
    assert match.flags == ("nearest_region",)
    assert match.distance_m is not None
    assert match.distance_m == pytest.approx(_brute_distance_m(index, "KZ-31", lat, lon), rel=0.02)
    assert 2000 < match.distance_m <= 3100


def test_farther_across_the_border_is_abroad_unless_accuracy_says_otherwise(
    index: RegionIndex,
) -> None:
    lat, lon = _outside_border_point(index, 9.0)
    assert index.locate(lat, lon, accuracy_m=15).flags == ("abroad",)
    assert index.locate(lat, lon, accuracy_m=None).code is None
    wide = index.locate(lat, lon, accuracy_m=12_000)  # the fix itself may be in Kazakhstan
    assert (wide.code, wide.flags) == ("KZ-31", ("nearest_region",))


def test_snap_radius_is_capped(index: RegionIndex) -> None:
    # Bishkek is ~18 km from the border: a 1000 km accuracy must not route it to Jambyl.
    capped = RegionIndex(index.geometries, max_snap_m=10_000)
    assert capped.locate(*BISHKEK, accuracy_m=1_000_000).flags == ("abroad",)
    assert index.locate(*BISHKEK, accuracy_m=25_000).code == "KZ-31"


def test_near_border_distance_is_configurable(index: RegionIndex) -> None:
    lat, lon = _outside_border_point(index, 3.0)
    strict = RegionIndex(index.geometries, near_border_m=1000)
    assert strict.locate(lat, lon).flags == ("abroad",)


def test_regions_have_city_holes_but_the_city_wins_without_them(index: RegionIndex) -> None:
    # The amCharts file cuts the cities out of their regions...
    for region, city in (("KZ-19", "KZ-75"), ("KZ-11", "KZ-71"), ("KZ-61", "KZ-79")):
        assert len(shapely.get_interior_ring(index.geometries[region], 0).coords) > 0
        assert not index.geometries[region].contains(index.geometries[city].centroid)
    # ...but a file without holes must route the same: fill Almaty Region's hole.
    filled = dict(index.geometries)
    filled["KZ-19"] = shapely.Polygon(index.geometries["KZ-19"].exterior)
    assert filled["KZ-19"].contains(shapely.Point(76.89, 43.24))
    assert RegionIndex(filled).locate(43.24, 76.89).code == "KZ-75"


def test_locate_linear_baseline_agrees(index: RegionIndex) -> None:
    for code, point in INTERIOR.items():
        assert index.locate_linear(*point) == code
    assert index.locate_linear(*BISHKEK) is None


# --- boundary file validation -------------------------------------------------------------


def _collection(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(settings.geo.boundary_file.read_text(encoding="utf-8"))
    return data


def test_missing_code_fails_loudly(settings: Settings, tmp_path: Path) -> None:
    data = _collection(settings)
    data["features"] = [f for f in data["features"] if f["id"] != "KZ-62"]
    path = tmp_path / "no-ulytau.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BoundaryDataError, match="missing KZ-62"):
        RegionIndex.load(path)


def test_small_file_with_all_codes_loads(tmp_path: Path) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"id": code},  # the id may also live in the properties
            "geometry": mapping(shapely.box(i, 0, i + 1, 1)),
        }
        for i, code in enumerate(sorted(KZ_UNITS))
    ]
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    index = RegionIndex.load(path)
    assert index.locate(0.5, 0.5).code == sorted(KZ_UNITS)[0]
    assert index.locate(0.5, 19.5).code == sorted(KZ_UNITS)[19]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features[1:]}))
    with pytest.raises(BoundaryDataError, match=f"missing {sorted(KZ_UNITS)[0]}"):
        RegionIndex.load(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": {}}', "not a list"),
        ('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}', "has no id"),
        (
            '{"type": "FeatureCollection", "features": [{"id": "KZ-ALA", "geometry": null}]}',
            "KZ-ALA is not a current",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"id": "KZ-10", "geometry": '
            '{"type": "Point", "coordinates": [80, 50]}}]}',
            "not a polygon",
        ),
    ],
)
def test_bad_boundary_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(BoundaryDataError, match=message):
        RegionIndex.load(path)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(BoundaryDataError, match="cannot read"):
        RegionIndex.load(tmp_path / "absent.json")


def test_duplicate_code(settings: Settings, tmp_path: Path) -> None:
    data = _collection(settings)
    data["features"].append(data["features"][0])
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BoundaryDataError, match="appears twice"):
        RegionIndex.load(path)


# --- outlines for the console map ---------------------------------------------------------


def test_outlines_are_small_complete_and_cached(index: RegionIndex) -> None:
    outlines = index.outlines_geojson(0.01)
    size = len(json.dumps(outlines, separators=(",", ":")))
    assert size < 300_000
    assert outlines["type"] == "FeatureCollection"
    assert {f["properties"]["code"] for f in outlines["features"]} == set(KZ_UNITS)
    for feature in outlines["features"]:
        assert feature["properties"]["name"] == KZ_UNITS[feature["properties"]["code"]]
        geometry = shapely.geometry.shape(feature["geometry"])
        assert geometry.geom_type in ("Polygon", "MultiPolygon") and not geometry.is_empty
    almaty = next(f for f in outlines["features"] if f["id"] == "KZ-75")
    assert shapely.geometry.shape(almaty["geometry"]).contains(shapely.Point(76.89, 43.24))
    assert index.outlines_geojson(0.01) is outlines
