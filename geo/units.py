"""Police stations and patrol posts nearest to a caller.

The table is a CSV (``geo/data/units.csv``: id, name, centre, lat, lon, kind; ``#`` lines are
comments). A few hundred rows at most, so a linear equirectangular pass ranks them in
microseconds; only the top few get the exact WGS84 geodesic (geopy), which is what the
dispatcher sees.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from geopy.distance import geodesic

from domain.errors import ConfigError
from geo.geodesy import compass_point, equirect_m2, initial_bearing_deg

COLUMNS = ("id", "name", "centre", "lat", "lon", "kind")
# The equirectangular ranking is within ~1 % of the geodesic over a region's extent; units
# ranked within this factor of the n-th are measured exactly too, as they may swap places.
NEAR_TIE = 1.02
# One instance: geodesic(a, b) would rebuild the ellipsoid model on every call.
_GEODESIC = geodesic()


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    name: str
    centre: str
    lat: float
    lon: float
    kind: str


@dataclass(frozen=True, slots=True)
class UnitDistance:
    id: str
    name: str
    centre: str
    kind: str
    lat: float
    lon: float
    distance_m: float  # WGS84 geodesic
    bearing: str  # 8-point compass FROM the unit TO the caller: the way the crew drives

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_units(path: Path | str, centres: Collection[str] | None = None) -> list[Unit]:
    """Read and check the CSV; ``centres`` (known centre ids) rejects typos loudly."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            lines = [line for line in handle if line.strip() and not line.startswith("#")]
    except OSError as exc:
        raise ConfigError(f"cannot read units file {path}: {exc}") from exc
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or not set(COLUMNS) <= set(reader.fieldnames):
        raise ConfigError(f"{path}: header must have columns {', '.join(COLUMNS)}")
    units: list[Unit] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=1):
        where = f"{path} row {number}"
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: lat/lon must be numbers") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ConfigError(f"{where}: coordinates out of range")
        unit_id, centre = (row["id"] or "").strip(), (row["centre"] or "").strip()
        if not unit_id or unit_id in seen:
            raise ConfigError(f"{where}: missing or duplicate id {unit_id!r}")
        if centres is not None and centre not in centres:
            raise ConfigError(f"{where}: unknown centre {centre!r}")
        seen.add(unit_id)
        units.append(
            Unit(unit_id, (row["name"] or unit_id).strip(), centre, lat, lon, row["kind"] or "")
        )
    return units


class NearestUnits:
    def __init__(self, units: Iterable[Unit]) -> None:
        self.units = list(units)

    @classmethod
    def load(cls, path: Path | str, centres: Collection[str] | None = None) -> NearestUnits:
        return cls(load_units(path, centres))

    def nearest(
        self, lat: float, lon: float, n: int = 3, centre: str | None = None
    ) -> list[UnitDistance]:
        """The ``n`` closest units (optionally of one centre), nearest first."""
        if n <= 0:
            return []
        coslat = math.cos(math.radians(lat))
        ranked = sorted(
            (
                (equirect_m2(lat, lon, u.lat, u.lon, coslat), u)
                for u in self.units
                if centre is None or u.centre == centre
            ),
            key=lambda pair: pair[0],  # Units do not order: equal distances must not compare them
        )
        if not ranked:
            return []
        # geopy's geodesic costs ~0.1 ms a call, so only the first n and whatever is within
        # NEAR_TIE of the n-th (where the cheap ranking could be wrong) get one.
        cutoff = ranked[min(n, len(ranked)) - 1][0] * NEAR_TIE**2
        exact = [
            UnitDistance(
                u.id,
                u.name,
                u.centre,
                u.kind,
                u.lat,
                u.lon,
                _GEODESIC.measure((u.lat, u.lon), (lat, lon)) * 1000.0,
                compass_point(initial_bearing_deg(u.lat, u.lon, lat, lon)),
            )
            for rank, (d2, u) in enumerate(ranked)
            if rank < n or d2 <= cutoff
        ]
        exact.sort(key=lambda d: d.distance_m)
        return exact[:n]
