"""Geo benchmark: ``python -m bench.geo [--points N] [--seed S]``, prints one JSON line.

Measures, in one process:
* load: RegionIndex + OfflineGeocoder + NearestUnits from the configured files (seconds);
* memory: RSS before/after loading (/proc/self/statm; GEOS memory is invisible to
  tracemalloc, which is reported too for the Python-side share);
* per-call latency (median, p95, microseconds) of routing + reverse geocoding over N random
  points inside Kazakhstan, and over N points of its bounding box (~45 % abroad/near-border);
* baselines on the same points: the naive linear scan over the 20 unprepared polygons, and an
  STRtree envelope query + prepared contains_xy, each as a ratio to the routing used;
* the full GeoService.locate (adds nearest units with exact geodesics) for reference.

Goals: <= 50 us per lookup (routing + reverse geocode), <= 60 MB, <= 1 s load.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

_IMPORT_START = time.perf_counter()
import shapely  # noqa: E402 - timed: the libraries' import cost is part of start-up

from geo.geocoder import OfflineGeocoder  # noqa: E402
from geo.regions import RegionIndex  # noqa: E402
from geo.service import GeoService  # noqa: E402
from geo.units import NearestUnits  # noqa: E402
from server.settings import load_settings  # noqa: E402

IMPORT_S = time.perf_counter() - _IMPORT_START

BBOX = (40.56, 46.49, 55.45, 87.32)  # lat_min, lon_min, lat_max, lon_max of Kazakhstan
GOALS = {"lookup_us": 50.0, "memory_mb": 60.0, "load_s": 1.0}


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(fn: Callable[[float, float], Any], points: Sequence[tuple[float, float]]) -> list[float]:
    """Per-call wall time in microseconds (perf_counter_ns costs ~0.1 us, included)."""
    out = []
    clock = time.perf_counter_ns
    for lat, lon in points:
        start = clock()
        fn(lat, lon)
        out.append((clock() - start) / 1000)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_us": round(statistics.median(ordered), 2),
        "p95_us": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "mean_us": round(statistics.fmean(ordered), 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.geo")
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=102)
    args = parser.parse_args(argv)
    settings = load_settings(env={})
    geo = settings.geo

    assert geo.units_file is not None
    units_file = geo.units_file
    centre_ids = {c.id for c in settings.centres.centres}

    gc.collect()
    rss0 = rss_mb()
    t0 = time.perf_counter()
    index = RegionIndex.load(geo.boundary_file, near_border_m=geo.near_border_m)
    t1 = time.perf_counter()
    geocoder = OfflineGeocoder.load()
    t2 = time.perf_counter()
    units = NearestUnits.load(units_file, centre_ids)
    t3 = time.perf_counter()
    gc.collect()
    rss1 = rss_mb()
    # A second, traced load: tracemalloc slows allocation ~3x, so it is kept out of the timing.
    tracemalloc.start()
    traced = (
        RegionIndex.load(geo.boundary_file),
        OfflineGeocoder.load(),
        NearestUnits.load(units_file),
    )
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del traced
    service = GeoService(
        index, geocoder, units, settings.centres, low_accuracy_m=geo.low_accuracy_m
    )

    rng = random.Random(args.seed)
    kazakhstan = shapely.union_all(list(index.geometries.values()))
    shapely.prepare(kazakhstan)
    lat0, lon0, lat1, lon1 = BBOX
    inside: list[tuple[float, float]] = []
    while len(inside) < args.points:
        lat, lon = rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)
        if shapely.contains_xy(kazakhstan, lon, lat):
            inside.append((lat, lon))
    bbox = [(rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)) for _ in range(args.points)]

    def lookup(lat: float, lon: float) -> None:
        index.locate(lat, lon, 20.0)
        geocoder.describe(lat, lon)

    # The alternative the module does not use: STRtree envelope query, then prepared test.
    tree = shapely.STRtree(index._geoms)
    geoms = index._geoms

    def strtree_prepared(lat: float, lon: float) -> None:
        for i in tree.query(shapely.Point(lon, lat)):
            shapely.contains_xy(geoms[int(i)], lon, lat)

    for lat, lon in inside[:500]:  # warm caches and lazy imports
        lookup(lat, lon)
        service.locate(lat, lon, 20.0)

    lookup_in = timed(lookup, inside)
    route_in = timed(lambda la, lo: index.locate(la, lo, 20.0), inside)
    describe_in = timed(geocoder.describe, inside)
    lookup_bbox = timed(lookup, bbox)
    route_bbox = timed(lambda la, lo: index.locate(la, lo, 20.0), bbox)
    linear_in = timed(index.locate_linear, inside)
    strtree_in = timed(strtree_prepared, inside)
    service_in = timed(lambda la, lo: service.locate(la, lo, 20.0), inside)

    route_median = statistics.median(route_in)
    result = {
        "bench": "geo",
        "python": platform.python_version(),
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "cpus": os.cpu_count(),
        "points": args.points,
        "import_s": round(IMPORT_S, 3),
        "load_s": {
            "regions": round(t1 - t0, 3),
            "geocoder": round(t2 - t1, 3),
            "units": round(t3 - t2, 3),
            "total": round(t3 - t0, 3),
        },
        "memory_mb": {
            "rss_before": round(rss0, 1),
            "rss_after": round(rss1, 1),
            "rss_delta": round(rss1 - rss0, 1),
            "tracemalloc_peak": round(traced_peak / 2**20, 1),
        },
        "settlements": len(geocoder.settlements),
        "lookup_inside": summary(lookup_in),
        "route_inside": summary(route_in),
        "describe_inside": summary(describe_in),
        "lookup_bbox": summary(lookup_bbox),
        "route_bbox": summary(route_bbox),
        "baseline_linear_inside": summary(linear_in),
        "baseline_strtree_prepared_inside": summary(strtree_in),
        "linear_over_route_median": round(statistics.median(linear_in) / route_median, 1),
        "strtree_over_route_median": round(statistics.median(strtree_in) / route_median, 1),
        "service_locate_inside": summary(service_in),
    }
    worst_p95 = max(result["lookup_inside"]["p95_us"], result["lookup_bbox"]["p95_us"])
    result["goals_met"] = {
        "lookup_p95_le_50us": worst_p95 <= GOALS["lookup_us"],
        "memory_le_60mb": rss1 - rss0 <= GOALS["memory_mb"],
        "load_le_1s": t3 - t0 <= GOALS["load_s"],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
