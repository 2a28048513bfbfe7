"""Which of Kazakhstan's 20 first-level units a point lies in.

The boundary file is a GeoJSON FeatureCollection with one feature per ISO 3166-2:KZ code
(``id`` or ``properties.id``), coordinates [lon, lat]. The default is amCharts'
``kazakhstan2023High.json``: the three cities of republican significance (Astana, Almaty,
Shymkent) are separate features and their surrounding regions have matching holes, but the
lookup does not rely on that: when a point is inside two polygons the smaller one (the city)
wins, so a boundary file without holes routes the same way.

Lookup: one vectorised ``contains_xy`` over the 20 prepared polygons (GEOS rejects most by
envelope, then uses its prepared edge index). With only 20 candidates that measured 2.5x
faster than an STRtree envelope query plus the same prepared test (bench/geo). A point
outside every polygon (at sea, abroad, or a GPS fix scattered across a border) is given the
nearest region when it is within max(accuracy, near_border_m) of it, else flagged ``abroad``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from domain.errors import BoundaryDataError
from domain.routing import KZ_UNITS
from geo.geodesy import METRES_PER_DEGREE
from geo.names import REGION_NAMES

DEFAULT_NEAR_BORDER_M = 5_000.0
# A fix may claim 100 km accuracy; snapping across that much border would route a caller in
# Bishkek to Almaty. Beyond this, "abroad" plus low_accuracy is the honest answer.
DEFAULT_MAX_SNAP_M = 50_000.0

NEAREST_REGION = "nearest_region"
ABROAD = "abroad"


@dataclass(frozen=True, slots=True)
class RegionMatch:
    code: str | None  # ISO 3166-2:KZ, None when the point is in no region
    name: str | None  # English, from domain.routing.KZ_UNITS
    flags: tuple[str, ...] = ()  # () inside; ("nearest_region",) or ("abroad",)
    # 0 inside a region; metres to the nearest region outside (None: farther than max_snap_m)
    distance_m: float | None = 0.0

    @property
    def name_ru(self) -> str | None:
        return REGION_NAMES[self.code].ru if self.code else None

    @property
    def name_kk(self) -> str | None:
        return REGION_NAMES[self.code].kk if self.code else None


def _feature_code(feature: Mapping[str, Any]) -> str | None:
    code = feature.get("id")
    props = feature.get("properties")
    if not isinstance(code, str) and isinstance(props, Mapping):
        code = props.get("id") or props.get("iso_3166_2")
    return code if isinstance(code, str) else None


def _polygonal(geometry: BaseGeometry, code: str) -> BaseGeometry:
    if not geometry.is_valid:
        # Repair rather than refuse: a self-touching ring in upstream data must not stop
        # emergency routing. Only the polygonal part of the repaired geometry is kept.
        geometry = shapely.make_valid(geometry)
        if geometry.geom_type == "GeometryCollection":
            polys = [g for g in geometry.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            geometry = shapely.union_all(polys)
    if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise BoundaryDataError(f"{code}: geometry is {geometry.geom_type}, not a polygon")
    return geometry


def parse_boundaries(data: Any, source: str = "boundary data") -> dict[str, BaseGeometry]:
    """ISO code -> polygon for every KZ unit; BoundaryDataError unless all 20 are present."""
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise BoundaryDataError(f"{source}: not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise BoundaryDataError(f"{source}: 'features' is not a list")
    geometries: dict[str, BaseGeometry] = {}
    for number, feature in enumerate(features):
        if not isinstance(feature, Mapping):
            raise BoundaryDataError(f"{source}: feature #{number} is not an object")
        code = _feature_code(feature)
        if code is None:
            raise BoundaryDataError(f"{source}: feature #{number} has no id")
        if code not in KZ_UNITS:
            raise BoundaryDataError(f"{source}: {code} is not a current ISO 3166-2:KZ unit")
        if code in geometries:
            raise BoundaryDataError(f"{source}: {code} appears twice")
        try:
            geometry = shape(feature.get("geometry"))
        except Exception as exc:  # shapely raises several types for malformed GeoJSON
            raise BoundaryDataError(f"{source}: {code} has a bad geometry: {exc}") from exc
        geometries[code] = _polygonal(geometry, code)
    missing = sorted(set(KZ_UNITS) - set(geometries))
    if missing:
        raise BoundaryDataError(f"{source}: missing {', '.join(missing)}")
    return geometries


class RegionIndex:
    """Point -> region over the 20 unit polygons; build once, query from any thread."""

    def __init__(
        self,
        geometries: Mapping[str, BaseGeometry],
        *,
        near_border_m: float = DEFAULT_NEAR_BORDER_M,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
    ) -> None:
        self.near_border_m = near_border_m
        self.max_snap_m = max(max_snap_m, near_border_m)
        self.codes: tuple[str, ...] = tuple(sorted(geometries))
        # The originals stay unprepared (outlines, benchmarks); the lookup copies are prepared.
        self.geometries: Mapping[str, BaseGeometry] = dict(geometries)
        self._geoms = np.array([shapely.from_wkb(geometries[c].wkb) for c in self.codes])
        shapely.prepare(self._geoms)
        self._areas = [float(g.area) for g in self._geoms]
        self._borders = _BorderIndex(self._geoms)
        self._outlines: dict[tuple[float, int], dict[str, Any]] = {}

    @classmethod
    def load(
        cls,
        path: Path | str,
        *,
        near_border_m: float = DEFAULT_NEAR_BORDER_M,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
    ) -> RegionIndex:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise BoundaryDataError(f"cannot read boundary file {path}: {exc}") from exc
        return cls(
            parse_boundaries(data, str(path)), near_border_m=near_border_m, max_snap_m=max_snap_m
        )

    def locate(self, lat: float, lon: float, accuracy_m: float | None = None) -> RegionMatch:
        # One vectorised call over the 20 prepared polygons: GEOS rejects most by envelope and
        # answers the rest from its prepared edge index. Measured at ~2 us, this beats an
        # STRtree envelope query (~12 us with the Point it needs) for only 20 candidates.
        hits = np.flatnonzero(shapely.contains_xy(self._geoms, lon, lat))
        if len(hits):
            # Enclaves: the smaller polygon is the city inside its region.
            best = int(min(hits, key=lambda i: self._areas[int(i)]))
            code = self.codes[best]
            return RegionMatch(code, KZ_UNITS[code], (), 0.0)
        # Search only as far as a snap could reach: the cost grows with the border length
        # inside the search box, and "abroad" needs no distance.
        radius = min(max(accuracy_m or 0.0, self.near_border_m), self.max_snap_m)
        nearest = self._borders.nearest(lat, lon, radius)
        if nearest is None:
            return RegionMatch(None, None, (ABROAD,), None)
        distance, index = nearest
        code = self.codes[index]
        return RegionMatch(code, KZ_UNITS[code], (NEAREST_REGION,), distance)

    def locate_linear(self, lat: float, lon: float) -> str | None:
        """Baseline for the benchmark: test every unprepared polygon in turn, no index."""
        point = shapely.Point(lon, lat)
        hits = [c for c, g in self.geometries.items() if g.contains(point)]
        return min(hits, key=lambda c: self.geometries[c].area) if hits else None

    def outlines_geojson(self, tolerance: float = 0.01, digits: int = 3) -> dict[str, Any]:
        """Simplified FeatureCollection (props: code, name, name_ru, name_kk) for the map.

        ``tolerance`` is in degrees (0.01 ~ 1 km); coordinates are rounded to ``digits``
        decimals (3 ~ 100 m) because the console only draws the outlines.
        """
        key = (float(tolerance), digits)
        cached = self._outlines.get(key)
        if cached is not None:
            return cached
        originals = [self.geometries[c] for c in self.codes]
        try:
            # Simplifying the regions as one coverage keeps shared borders identical, so the
            # map shows no slivers or overlaps between neighbours.
            simplified: Sequence[BaseGeometry] = list(
                shapely.coverage_simplify(np.array(originals), tolerance)
            )
        except Exception:  # invalid coverage in a custom boundary file: simplify one by one
            simplified = [g.simplify(tolerance, preserve_topology=True) for g in originals]
        features = []
        for code, geometry in zip(self.codes, simplified, strict=True):
            names = REGION_NAMES[code]
            features.append(
                {
                    "type": "Feature",
                    "id": code,
                    "properties": {
                        "code": code,
                        "name": names.en,
                        "name_ru": names.ru,
                        "name_kk": names.kk,
                    },
                    "geometry": _rounded(mapping(geometry), digits),
                }
            )
        result: dict[str, Any] = {"type": "FeatureCollection", "features": features}
        self._outlines[key] = result
        return result


class _BorderIndex:
    """Nearest region border to a point outside every polygon, in metres.

    Border segments are bucketed in a 0.25-degree grid (each under every cell its envelope
    touches). A lookup reads the cells under a box of half-size ``max_m`` around the point,
    projects those segments to a local equirectangular plane (< 0.5 % error at 50 km) and
    measures point-to-segment distances with numpy. Far from any border (most of the world)
    that is one or two empty dict lookups; GEOS distance to a whole 9,000-vertex polygon costs
    50-100 us, and an STRtree query needs a box geometry built per call (~6 us together).
    """

    CELL = 0.25

    def __init__(self, geoms: np.ndarray[Any, Any]) -> None:
        starts, ends, owners = [], [], []
        for index, geom in enumerate(geoms):
            for ring in shapely.get_rings(shapely.get_parts(geom)):
                xy = shapely.get_coordinates(ring)
                starts.append(xy[:-1])
                ends.append(xy[1:])
                owners.append(np.full(len(xy) - 1, index))
        a, b = np.concatenate(starts), np.concatenate(ends)
        self._ax, self._ay = a[:, 0].copy(), a[:, 1].copy()
        self._bx, self._by = b[:, 0].copy(), b[:, 1].copy()
        self._owner = np.concatenate(owners)
        lo = np.floor(np.minimum(a, b) / self.CELL).astype(np.int64)
        hi = np.floor(np.maximum(a, b) / self.CELL).astype(np.int64)
        buckets: dict[tuple[int, int], list[int]] = {}
        # Most segments are short and sit in one cell: grouped with numpy, not a Python loop.
        single = np.flatnonzero((lo == hi).all(axis=1))
        order = single[np.lexsort((lo[single, 1], lo[single, 0]))]
        keys = lo[order]
        cuts = np.flatnonzero((np.diff(keys, axis=0) != 0).any(axis=1)) + 1
        for group in np.split(order, cuts):
            if len(group):
                key = (int(lo[group[0], 1]), int(lo[group[0], 0]))  # (row=lat, col=lon)
                buckets.setdefault(key, []).extend(group.tolist())
        for seg in np.flatnonzero(~(lo == hi).all(axis=1)).tolist():
            for row in range(int(lo[seg, 1]), int(hi[seg, 1]) + 1):
                for col in range(int(lo[seg, 0]), int(hi[seg, 0]) + 1):
                    buckets.setdefault((row, col), []).append(seg)
        self._cells = {key: np.array(v, dtype=np.int64) for key, v in buckets.items()}

    def nearest(self, lat: float, lon: float, max_m: float) -> tuple[float, int] | None:
        """(metres, polygon index) of the nearest border within ``max_m``, else None."""
        coslat = max(math.cos(math.radians(lat)), 0.01)
        dlat = max_m / METRES_PER_DEGREE
        dlon = dlat / coslat
        cell = self.CELL
        found = [
            self._cells[key]
            for row in range(math.floor((lat - dlat) / cell), math.floor((lat + dlat) / cell) + 1)
            for col in range(math.floor((lon - dlon) / cell), math.floor((lon + dlon) / cell) + 1)
            if (key := (row, col)) in self._cells
        ]
        if not found:
            return None
        segs = found[0] if len(found) == 1 else np.concatenate(found)
        kx = coslat * METRES_PER_DEGREE
        ky = METRES_PER_DEGREE
        ax = (self._ax[segs] - lon) * kx
        ay = (self._ay[segs] - lat) * ky
        dx = (self._bx[segs] - lon) * kx - ax
        dy = (self._by[segs] - lat) * ky - ay
        length2 = dx * dx + dy * dy
        length2[length2 == 0.0] = 1.0  # a repeated vertex: t=0 below, the vertex itself
        t = np.clip(-(ax * dx + ay * dy) / length2, 0.0, 1.0)
        px = ax + t * dx
        py = ay + t * dy
        dist2 = px * px + py * py
        best = int(np.argmin(dist2))
        distance = math.sqrt(float(dist2[best]))
        if distance > max_m:
            return None
        return distance, int(self._owner[segs[best]])


def _rounded(value: Any, digits: int) -> Any:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, list | tuple):
        return [_rounded(v, digits) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    return value
