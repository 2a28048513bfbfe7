"""Small distance and bearing helpers shared by the geo modules.

Everything here is plain ``math`` so a lookup costs microseconds: the spherical formulas are
within ~0.5 % of the WGS84 ellipsoid, which is far below the accuracy of a phone fix. Where
an exact figure is shown to a dispatcher (nearest units) the caller uses geopy's geodesic.
"""

from __future__ import annotations

import math

# IUGG mean Earth radius: minimises the spherical error over all latitudes.
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180.0

COMPASS_POINTS: tuple[str, ...] = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def equirect_m2(lat1: float, lon1: float, lat2: float, lon2: float, coslat: float) -> float:
    """Squared equirectangular distance in m^2; ``coslat`` is cos of the reference latitude.

    Only for ranking nearby candidates: no trigonometry per candidate.
    """
    dx = (lon2 - lon1) * coslat
    dy = lat2 - lat1
    return (dx * dx + dy * dy) * (METRES_PER_DEGREE * METRES_PER_DEGREE)


def initial_bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle bearing from point 1 to point 2, degrees in [0, 360)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlmb = math.radians(lon2 - lon1)
    y = math.sin(dlmb) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlmb)
    return math.degrees(math.atan2(y, x)) % 360.0


def compass_point(bearing_deg: float) -> str:
    """8-point compass name for a bearing (N covers 337.5..22.5)."""
    return COMPASS_POINTS[int(((bearing_deg % 360.0) + 22.5) // 45.0) % 8]
