"""One validated position fix, as received from a citizen's device.

The wire form is a JSON object (Unix seconds, WGS84 degrees)::

    {"lat": 43.24, "lon": 76.89, "accuracy_m": 25, "fixed_at": 1700000000.0,
     "source": "browser", "altitude_m": null, "altitude_accuracy_m": null,
     "heading_deg": null, "speed_mps": null}

Anything a device or an attacker can send is checked here, once, so routing and storage never
see NaN, strings or out-of-range numbers.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidLocation

# Anything worse than 1000 km says nothing about where the caller is (cell-ID fixes are ~km).
MAX_ACCURACY_M = 1_000_000.0
# Clocks drift; a fix from more than a minute in the future is forged or from a broken clock.
MAX_FUTURE_S = 60.0
# Faster than an airliner (~250 m/s) is a broken sensor, not a caller.
MAX_SPEED_MPS = 350.0
# Below the Dead Sea shore to above any mountain or cruising aircraft.
MIN_ALTITUDE_M, MAX_ALTITUDE_M = -1_000.0, 20_000.0


class LocationSource(enum.StrEnum):
    BROWSER = "browser"  # navigator.geolocation
    GNSS = "gnss"  # a native app reading the receiver directly
    NETWORK = "network"  # cell / Wi-Fi positioning
    MANUAL = "manual"  # picked on a map by the caller or the operator
    PHOTO_EXIF = "photo_exif"  # GPS tags of a photo the caller sent
    AML = "aml"  # Advanced Mobile Location SMS/HTTPS from the handset


def _number(data: Mapping[str, Any], key: str, *, required: bool) -> float | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidLocation(f"{key} is required")
        return None
    # bool is an int subclass: True must not become latitude 1.0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidLocation(f"{key} must be a number, got {type(value).__name__}")
    number = float(value)
    if math.isnan(number):
        raise InvalidLocation(f"{key} is NaN")
    if math.isinf(number):
        raise InvalidLocation(f"{key} is infinite")
    return number


_FLOAT_FIELDS = (
    "lat",
    "lon",
    "accuracy_m",
    "fixed_at",
    "altitude_m",
    "altitude_accuracy_m",
    "heading_deg",
    "speed_mps",
)


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float
    accuracy_m: float | None  # None: the device did not say (flagged no_accuracy downstream)
    fixed_at: float  # Unix seconds when the device took the fix
    source: LocationSource = LocationSource.BROWSER
    altitude_m: float | None = None
    altitude_accuracy_m: float | None = None
    heading_deg: float | None = None
    speed_mps: float | None = None

    def __post_init__(self) -> None:
        # Range checks live here so a Location built directly in code is as safe as a parsed one.
        for key in _FLOAT_FIELDS:
            value = getattr(self, key)
            if value is not None and not math.isfinite(value):
                raise InvalidLocation(f"{key} is {value} (must be a finite number)")
        if not -90.0 <= self.lat <= 90.0:
            raise InvalidLocation(f"lat {self.lat} is outside [-90, 90]")
        if not -180.0 <= self.lon <= 180.0:
            raise InvalidLocation(f"lon {self.lon} is outside [-180, 180]")
        if self.accuracy_m is not None and not 0.0 < self.accuracy_m <= MAX_ACCURACY_M:
            raise InvalidLocation(
                f"accuracy_m {self.accuracy_m} must be > 0 and <= {MAX_ACCURACY_M:.0f} m"
            )
        if not self.fixed_at > 0.0:
            raise InvalidLocation(f"fixed_at {self.fixed_at} is not a Unix time")
        if self.altitude_m is not None and not MIN_ALTITUDE_M <= self.altitude_m <= MAX_ALTITUDE_M:
            raise InvalidLocation(f"altitude_m {self.altitude_m} is not plausible")
        if self.altitude_accuracy_m is not None and not (
            0.0 < self.altitude_accuracy_m <= MAX_ACCURACY_M
        ):
            raise InvalidLocation(f"altitude_accuracy_m {self.altitude_accuracy_m} must be > 0")
        if self.heading_deg is not None and not 0.0 <= self.heading_deg < 360.0:
            raise InvalidLocation(f"heading_deg {self.heading_deg} is outside [0, 360)")
        if self.speed_mps is not None:
            if self.speed_mps < 0.0:
                raise InvalidLocation(f"speed_mps {self.speed_mps} is negative")
            if self.speed_mps > MAX_SPEED_MPS:
                raise InvalidLocation(f"speed_mps {self.speed_mps} is not plausible")

    @classmethod
    def from_payload(cls, data: Mapping[str, Any], *, now: float) -> Location:
        """Parse the wire form; raises InvalidLocation naming the first bad field."""
        if not isinstance(data, Mapping):
            raise InvalidLocation(f"location must be an object, got {type(data).__name__}")
        lat = _number(data, "lat", required=True)
        lon = _number(data, "lon", required=True)
        fixed_at = _number(data, "fixed_at", required=True)
        assert lat is not None and lon is not None and fixed_at is not None  # required=True
        if fixed_at > now + MAX_FUTURE_S:
            raise InvalidLocation(
                f"fixed_at is {fixed_at - now:.0f} s in the future (max {MAX_FUTURE_S:.0f} s)"
            )
        raw_source = data.get("source", LocationSource.BROWSER.value)
        if raw_source is None:
            raw_source = LocationSource.BROWSER.value
        if not isinstance(raw_source, str) or raw_source not in LocationSource._value2member_map_:
            allowed = ", ".join(s.value for s in LocationSource)
            raise InvalidLocation(f"source {raw_source!r} is not one of {allowed}")
        return cls(
            lat=lat,
            lon=lon,
            accuracy_m=_number(data, "accuracy_m", required=False),
            fixed_at=fixed_at,
            source=LocationSource(raw_source),
            altitude_m=_number(data, "altitude_m", required=False),
            altitude_accuracy_m=_number(data, "altitude_accuracy_m", required=False),
            heading_deg=_number(data, "heading_deg", required=False),
            speed_mps=_number(data, "speed_mps", required=False),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "lat": self.lat,
            "lon": self.lon,
            "accuracy_m": self.accuracy_m,
            "altitude_m": self.altitude_m,
            "altitude_accuracy_m": self.altitude_accuracy_m,
            "heading_deg": self.heading_deg,
            "speed_mps": self.speed_mps,
            "fixed_at": self.fixed_at,
            "source": self.source.value,
        }

    def age_s(self, now: float) -> float:
        return now - self.fixed_at

    def is_stale(self, now: float, max_age_s: float) -> bool:
        """True when the fix is older than ``max_age_s`` (the caller may have moved)."""
        return self.age_s(now) > max_age_s
