from __future__ import annotations

from pathlib import Path

import pytest
from geopy.distance import geodesic

from domain.errors import ConfigError
from domain.routing import KZ_UNITS
from geo.geocoder import (
    DEFAULT_SETTLEMENTS,
    MAX_DESCRIBE_M,
    OfflineGeocoder,
    format_distance,
    load_settlements,
)
from geo.geodesy import compass_point, haversine_m
from geo.settlements_build import pick_names

KONAEV = (43.86681, 77.06304)


def _offset(origin: tuple[float, float], km: float, bearing: float) -> tuple[float, float]:
    p = geodesic(kilometers=km).destination(origin, bearing)
    return p.latitude, p.longitude


def test_three_km_ne_of_konaev(geocoder: OfflineGeocoder) -> None:
    address = geocoder.describe(*_offset(KONAEV, 3.2, 45))
    assert address.text == "3.2 km NE of Konaev, Almaty Region"
    assert address.text_ru == "3,2 км к северо-востоку от Конаев, Алматинская область"
    assert address.text_kk.startswith("Қонаев елді мекенінен солтүстік-шығысқа қарай 3,2 км")
    assert address.text_kk.endswith("Алматы облысы")
    assert (address.settlement, address.settlement_country, address.bearing) == (
        "Konaev",
        "KZ",
        "NE",
    )
    assert address.region_code == "KZ-19"
    assert address.source == "offline"
    assert address.distance_m == pytest.approx(3200, rel=0.01)


@pytest.mark.parametrize(
    ("bearing", "word", "ru"),
    [
        (0, "N", "к северу"),
        (135, "SE", "к юго-востоку"),
        (180, "S", "к югу"),
        (270, "W", "к западу"),
    ],
)
def test_bearing_is_from_the_settlement_to_the_point(
    geocoder: OfflineGeocoder, bearing: float, word: str, ru: str
) -> None:
    address = geocoder.describe(*_offset(KONAEV, 2.5, bearing))
    assert address.bearing == word
    assert f"{word} of Konaev" in address.text
    assert f"{ru} от Конаев" in address.text_ru


def test_within_200_m_is_in_the_settlement(geocoder: OfflineGeocoder) -> None:
    address = geocoder.describe(*_offset(KONAEV, 0.15, 300))
    assert address.text == "in Konaev, Almaty Region"
    assert address.text_ru == "Конаев, Алматинская область"
    assert address.text_kk == "Қонаев, Алматы облысы"
    assert address.bearing is None


def test_city_of_republican_significance_has_no_stuttering_suffix(
    geocoder: OfflineGeocoder,
) -> None:
    address = geocoder.describe(43.24, 76.89)
    assert address.text.endswith("of Almaty")
    assert address.text_ru.endswith("от Алматы")


def test_abroad_names_the_country(geocoder: OfflineGeocoder) -> None:
    address = geocoder.describe(42.87, 74.59)
    assert address.text == "in Bishkek, Kyrgyzstan"
    assert address.text_ru == "Бишкек, Кыргызстан"
    assert address.settlement_country == "KG"
    assert address.region_code is None


def test_far_from_everything_falls_back_to_coordinates(geocoder: OfflineGeocoder) -> None:
    address = geocoder.describe(0.0, 0.0)
    assert address.settlement is None and address.distance_m is None
    assert address.text == address.text_ru == "0.00000, 0.00000"


def test_grid_search_matches_brute_force(geocoder: OfflineGeocoder) -> None:
    import random

    rng = random.Random(7)
    for _ in range(300):
        lat, lon = rng.uniform(40.5, 55.5), rng.uniform(46.5, 87.3)
        found = geocoder.nearest(lat, lon)
        best = min(geocoder.settlements, key=lambda s: haversine_m(s.lat, s.lon, lat, lon))
        expected = haversine_m(best.lat, best.lon, lat, lon)
        if expected > MAX_DESCRIBE_M:
            assert found is None
            continue
        assert found is not None
        assert found[1] == pytest.approx(expected, rel=0.005)


def test_distance_formatting() -> None:
    assert format_distance(449) == ("450", "m")
    assert format_distance(3249) == ("3.2", "km")
    assert format_distance(3249, ",") == ("3,2", "km")
    assert format_distance(27_400) == ("27", "km")
    assert [compass_point(b) for b in (0, 22.4, 22.6, 90, 200, 337.6, 359)] == [
        "N",
        "N",
        "NE",
        "E",
        "S",
        "N",
        "N",
    ]


def test_settlement_table_is_consistent() -> None:
    places = load_settlements(DEFAULT_SETTLEMENTS)
    kz = [p for p in places if p.country == "KZ"]
    assert len(kz) > 300
    assert {p.country for p in places} >= {"KZ", "KG", "UZ", "TM", "RU", "CN"}
    assert all(p.admin in KZ_UNITS for p in kz)
    assert {p.admin for p in kz} == set(KZ_UNITS)  # every unit has a named settlement
    assert all(p.names.ru and p.names.kk for p in places)


def test_name_picking_from_untagged_alternates() -> None:
    assert pick_names("KZ", "Konayev", []) == ("Konaev", "Конаев", "Қонаев")  # curated
    en, ru, kk = pick_names("KZ", "Aksu", ["Aksu", "Аксу", "Ақсу", "Аксуў"])
    assert (en, ru, kk) == ("Aksu", "Аксу", "Ақсу")
    assert pick_names("RU", "Marfino", ["Марфино"]) == ("Marfino", "Марфино", "Марфино")
    assert pick_names("CN", "Kax", []) == ("Kax", "Kax", "Kax")


def test_bad_settlement_table(tmp_path: Path) -> None:
    path = tmp_path / "s.tsv"
    path.write_text("name\tlat\nX\tnorth\n")
    with pytest.raises(ConfigError, match="settlements"):
        OfflineGeocoder.load(path)
    with pytest.raises(ConfigError):
        OfflineGeocoder.load(tmp_path / "absent.tsv")
