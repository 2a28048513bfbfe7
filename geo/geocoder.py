"""Reverse geocoding: "3.2 km NE of Konaev, Almaty Region" in English, Russian and Kazakh.

The offline geocoder names the nearest settlement of a table built from GeoNames
(``geo/data/settlements.tsv``, see geo/settlements_build.py): Kazakhstan plus its neighbours'
settlements near the border. It needs no network, so it works when the uplink is down and
leaks no caller positions to a third party. ``geo/nominatim.py`` holds the optional online
adapter for a self-hosted Nominatim server.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from domain.errors import ConfigError
from geo.geodesy import (
    EARTH_RADIUS_M,
    compass_point,
    equirect_m2,
    haversine_m,
    initial_bearing_deg,
)
from geo.names import CITY_CODES, COMPASS_KK, COMPASS_RU, COUNTRY_NAMES, REGION_NAMES, Names

DEFAULT_SETTLEMENTS = Path(__file__).resolve().parent / "data" / "settlements.tsv"
# Closer than this the caller is "in" the settlement: GeoNames points are town centres and a
# phone fix is rarely better than tens of metres.
IN_SETTLEMENT_M = 200.0
# Farther than this a settlement name does not help a patrol find the caller.
MAX_DESCRIBE_M = 300_000.0
CELL_DEG = 0.5


@dataclass(frozen=True, slots=True)
class Address:
    text: str  # English
    text_ru: str
    text_kk: str
    settlement: str | None  # English name of the reference settlement
    settlement_country: str | None  # ISO 3166-1 alpha-2
    distance_m: float | None  # from the settlement to the point
    bearing: str | None  # 8-point compass, FROM the settlement TO the point
    source: str  # "offline" | "nominatim"
    region_code: str | None = None  # the settlement's KZ unit (offline) or Nominatim's
    flags: tuple[str, ...] = ()  # e.g. ("geocoder_region_mismatch",)

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "text_ru": self.text_ru,
            "text_kk": self.text_kk,
            "settlement": self.settlement,
            "settlement_country": self.settlement_country,
            "distance_m": self.distance_m,
            "bearing": self.bearing,
            "source": self.source,
            "region_code": self.region_code,
            "flags": list(self.flags),
        }


class ReverseGeocoder(Protocol):
    def describe(self, lat: float, lon: float) -> Address: ...


@dataclass(frozen=True, slots=True)
class Settlement:
    names: Names
    country: str
    admin: str  # KZ unit code for Kazakh settlements, "" abroad
    lat: float
    lon: float
    population: int

    @property
    def area_names(self) -> Names | None:
        """Region (Kazakhstan) or country (abroad) that follows the settlement name."""
        if self.country == "KZ":
            region = REGION_NAMES.get(self.admin)
            # "of Almaty, Almaty" is a stutter; a district of the city keeps the suffix.
            if region is None or (self.admin in CITY_CODES and region.en == self.names.en):
                return None
            return region
        return COUNTRY_NAMES.get(self.country)


def format_distance(metres: float, decimal: str = ".") -> tuple[str, str]:
    """(number, unit key) — "450"/"m", "3.2"/"km", "27"/"km"."""
    if metres < 1000:
        return f"{round(metres, -1):.0f}", "m"
    if metres < 10_000:
        return f"{metres / 1000:.1f}".replace(".", decimal), "km"
    return f"{metres / 1000:.0f}", "km"


def describe_texts(place: Settlement, distance_m: float, bearing: str) -> tuple[str, str, str]:
    """English, Russian and Kazakh phrases for a point ``distance_m`` ``bearing`` of place."""
    area = place.area_names
    en_place = place.names.en + (f", {area.en}" if area else "")
    ru_place = place.names.ru + (f", {area.ru}" if area else "")
    kk_place = place.names.kk + (f", {area.kk}" if area else "")
    if distance_m <= IN_SETTLEMENT_M:
        return f"in {en_place}", ru_place, kk_place
    number, unit = format_distance(distance_m)
    number_c, _ = format_distance(distance_m, decimal=",")
    unit_cyr = "км" if unit == "km" else "м"
    en = f"{number} {unit} {bearing} of {en_place}"
    ru = f"{number_c} {unit_cyr} {COMPASS_RU[bearing]} от {ru_place}"
    # "<place> елді мекенінен" (from the settlement <place>) avoids guessing the vowel-harmony
    # ablative suffix of an arbitrary proper name.
    kk_area = f", {area.kk}" if area else ""
    kk = (
        f"{place.names.kk} елді мекенінен {COMPASS_KK[bearing]} қарай "
        f"{number_c} {unit_cyr}{kk_area}"
    )
    return en, ru, kk


def _unit_vectors(lats: np.ndarray[Any, Any], lons: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    phi, lmb = np.radians(lats), np.radians(lons)
    return np.column_stack((np.cos(phi) * np.cos(lmb), np.cos(phi) * np.sin(lmb), np.sin(phi)))


def _angle(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    angles: np.ndarray[Any, Any] = np.arccos(np.clip(np.einsum("ij,ij->i", a, b), -1.0, 1.0))
    return angles


def coordinates_address(lat: float, lon: float, source: str) -> Address:
    text = f"{lat:.5f}, {lon:.5f}"
    return Address(text, text, text, None, None, None, None, source)


def load_settlements(path: Path | str = DEFAULT_SETTLEMENTS) -> list[Settlement]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            lines = (line for line in handle if not line.startswith("#"))
            rows = list(csv.DictReader(lines, delimiter="\t"))
        return [
            Settlement(
                Names(row["name"], row["name_ru"] or row["name"], row["name_kk"] or row["name"]),
                row["country"],
                row["admin"],
                float(row["lat"]),
                float(row["lon"]),
                int(row["population"] or 0),
            )
            for row in rows
        ]
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"cannot read settlements table {path}: {exc}") from exc


class OfflineGeocoder:
    """Nearest settlement through a precomputed candidate grid: one list lookup per call.

    For every 0.5-degree cell the table keeps only the settlements that can be nearest to some
    point of the cell: if the settlement nearest to the cell centre is d away and the cell
    diagonal is D, any point's nearest settlement lies within d + D of the centre (triangle
    inequality). In the steppe that is one or two names, in the Almaty and Fergana valleys a
    few dozen, so a lookup costs a few microseconds wherever the caller is. A ring search over
    a plain grid was ~40 us at p95 in the empty steppe, where the nearest town is 100 km away.
    """

    def __init__(self, settlements: Iterable[Settlement]) -> None:
        self.settlements = list(settlements)
        if not self.settlements:
            raise ConfigError("the offline geocoder needs at least one settlement")
        lats = np.array([p.lat for p in self.settlements])
        lons = np.array([p.lon for p in self.settlements])
        # Beyond MAX_DESCRIBE_M of every settlement there is nothing to say: margins of 3
        # degrees of latitude and 6 of longitude (>= 300 km up to 60 N) bound the grid.
        self._lat0 = math.floor((lats.min() - 3.0) / CELL_DEG) * CELL_DEG
        self._lon0 = math.floor((lons.min() - 6.0) / CELL_DEG) * CELL_DEG
        self._rows = math.ceil((lats.max() + 3.0 - self._lat0) / CELL_DEG)
        self._cols = math.ceil((lons.max() + 6.0 - self._lon0) / CELL_DEG)
        self._cells = self._build_cells(lats, lons)

    def _build_cells(
        self, lats: np.ndarray[Any, Any], lons: np.ndarray[Any, Any]
    ) -> list[tuple[Settlement, ...]]:
        places = _unit_vectors(lats, lons)  # (S, 3)
        rows, cols = np.divmod(np.arange(self._rows * self._cols), self._cols)
        c_lat = self._lat0 + (rows + 0.5) * CELL_DEG
        c_lon = self._lon0 + (cols + 0.5) * CELL_DEG
        centres = _unit_vectors(c_lat, c_lon)  # (C, 3)
        # Cell diagonal as an angle, +1 % for the sphere vs the flat-cell reasoning.
        diag = 1.01 * _angle(
            _unit_vectors(c_lat - CELL_DEG / 2, c_lon - CELL_DEG / 2),
            _unit_vectors(c_lat + CELL_DEG / 2, c_lon + CELL_DEG / 2),
        )
        max_angle = MAX_DESCRIBE_M / EARTH_RADIUS_M
        cells: list[tuple[Settlement, ...]] = []
        for first in range(0, len(centres), 1024):  # chunks keep the matrix ~10 MB
            chunk = centres[first : first + 1024]
            # Cosines of the centre-place angles. Written out rather than `chunk @ places.T`:
            # the first BLAS call of a process can spend 100+ ms starting its thread pool.
            cos = sum(chunk[:, k : k + 1] * places[:, k] for k in range(3))
            nearest = np.arccos(np.clip(cos.max(axis=1), -1.0, 1.0))
            limit = nearest + diag[first : first + 1024]
            limit[nearest > max_angle + diag[first : first + 1024]] = -1.0  # nothing in reach
            mask = cos >= np.cos(np.minimum(limit, math.pi))[:, None]
            mask[limit < 0] = False
            # One nonzero() per chunk, split per cell: far cheaper than one call per cell.
            cell_ids, place_ids = np.nonzero(mask)
            bounds = np.searchsorted(cell_ids, np.arange(len(mask) + 1))
            picked = [self.settlements[i] for i in place_ids.tolist()]
            cells.extend(tuple(picked[a:b]) for a, b in pairwise(bounds.tolist()))
        return cells

    @classmethod
    def load(cls, path: Path | str = DEFAULT_SETTLEMENTS) -> OfflineGeocoder:
        return cls(load_settlements(path))

    def nearest(self, lat: float, lon: float) -> tuple[Settlement, float] | None:
        """The nearest settlement within MAX_DESCRIBE_M and its great-circle distance."""
        row = math.floor((lat - self._lat0) / CELL_DEG)
        col = math.floor((lon - self._lon0) / CELL_DEG)
        if not (0 <= row < self._rows and 0 <= col < self._cols):
            return None
        candidates = self._cells[row * self._cols + col]
        if not candidates:
            return None
        coslat = math.cos(math.radians(lat))
        best = min(candidates, key=lambda p: equirect_m2(lat, lon, p.lat, p.lon, coslat))
        distance = haversine_m(best.lat, best.lon, lat, lon)
        return (best, distance) if distance <= MAX_DESCRIBE_M else None

    def describe(self, lat: float, lon: float) -> Address:
        found = self.nearest(lat, lon)
        if found is None:
            return coordinates_address(lat, lon, "offline")
        place, distance = found
        bearing = compass_point(initial_bearing_deg(place.lat, place.lon, lat, lon))
        en, ru, kk = describe_texts(place, distance, bearing)
        return Address(
            text=en,
            text_ru=ru,
            text_kk=kk,
            settlement=place.names.en,
            settlement_country=place.country,
            distance_m=distance,
            bearing=None if distance <= IN_SETTLEMENT_M else bearing,
            source="offline",
            region_code=place.admin or None,
        )
