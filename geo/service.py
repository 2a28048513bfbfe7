"""GeoService: everything the call flow asks about a position, in one synchronous call.

Loaded once at start-up (boundaries, settlements, units: well under a second) and then pure
CPU, microseconds per lookup, so signaling can call it inline without a thread pool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from domain.errors import InvalidLocation
from domain.routing import CentreDirectory
from geo.geocoder import Address, OfflineGeocoder, ReverseGeocoder
from geo.regions import RegionIndex, RegionMatch
from geo.units import NearestUnits, UnitDistance

if TYPE_CHECKING:  # settings imports yaml; geo must not need it at run time
    from server.settings import GeoSettings

LOW_ACCURACY = "low_accuracy"
NO_ACCURACY = "no_accuracy"
OUTLINE_TOLERANCE_DEG = 0.01  # ~1 km: invisible at the zoom a whole region is shown


@dataclass(frozen=True, slots=True)
class GeoAnswer:
    lat: float
    lon: float
    accuracy_m: float | None
    region: RegionMatch
    centre: str
    centre_name: str
    address: Address
    flags: tuple[str, ...]
    nearest_units: list[UnitDistance] = field(default_factory=list)

    @property
    def region_code(self) -> str | None:
        return self.region.code

    def to_dict(self) -> dict[str, Any]:
        inside = self.region.code is not None and not self.region.flags
        return {
            "lat": self.lat,
            "lon": self.lon,
            "accuracy_m": self.accuracy_m,
            "region_code": self.region.code,
            "region_name": self.region.name,
            "region_name_ru": self.region.name_ru,
            "region_name_kk": self.region.name_kk,
            "centre": self.centre,
            "centre_name": self.centre_name,
            "address": self.address.text,
            "address_ru": self.address.text_ru,
            "address_kk": self.address.text_kk,
            "address_detail": self.address.to_dict(),
            "flags": list(self.flags),
            "distance_to_region_m": None if inside else self.region.distance_m,
            "nearest_units": [u.to_dict() for u in self.nearest_units],
        }


class GeoService:
    def __init__(
        self,
        regions: RegionIndex,
        geocoder: ReverseGeocoder,
        units: NearestUnits,
        centres: CentreDirectory,
        *,
        low_accuracy_m: float = 1000.0,
        boundary_attribution: str = "",
        nearest_units_n: int = 3,
    ) -> None:
        self.regions = regions
        self.geocoder = geocoder
        self.units = units
        self.centres = centres
        self.low_accuracy_m = low_accuracy_m
        self.boundary_attribution = boundary_attribution
        self.nearest_units_n = nearest_units_n
        self._outlines: dict[str, Any] | None = None

    @classmethod
    def from_settings(cls, geo_settings: GeoSettings, centres: CentreDirectory) -> GeoService:
        """Load boundaries, settlements and units; ConfigError/BoundaryDataError if bad.

        The address is always the offline one: it is instant and never fails. An online
        Nominatim lookup (geo.nominatim) is an optional asynchronous refinement on top.
        """
        regions = RegionIndex.load(
            geo_settings.boundary_file, near_border_m=geo_settings.near_border_m
        )
        units = (
            NearestUnits.load(geo_settings.units_file, {c.id for c in centres.centres})
            if geo_settings.units_file is not None
            else NearestUnits([])
        )
        return cls(
            regions,
            OfflineGeocoder.load(),
            units,
            centres,
            low_accuracy_m=geo_settings.low_accuracy_m,
            boundary_attribution=geo_settings.boundary_attribution,
        )

    def locate(self, lat: float, lon: float, accuracy_m: float | None = None) -> GeoAnswer:
        # Callers pass a validated Location, but a NaN here would silently route to the
        # fallback centre, so the cheap range check is repeated.
        if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
            raise InvalidLocation(f"not a position: {lat!r}, {lon!r}")
        match = self.regions.locate(lat, lon, accuracy_m)
        flags = list(match.flags)
        if accuracy_m is None:
            flags.append(NO_ACCURACY)
        elif accuracy_m > self.low_accuracy_m:
            flags.append(LOW_ACCURACY)
        route = self.centres.route(match.code, flags)
        centre = self.centres.get(route.centre)
        return GeoAnswer(
            lat=lat,
            lon=lon,
            accuracy_m=accuracy_m,
            region=match,
            centre=route.centre,
            centre_name=centre.name if centre else route.centre,
            address=self.geocoder.describe(lat, lon),
            flags=route.flags,
            nearest_units=self.units.nearest(lat, lon, self.nearest_units_n),
        )

    def region_outlines(self) -> dict[str, Any]:
        """Simplified region outlines for the console map (~150 KB of JSON), built once."""
        if self._outlines is None:
            outlines = dict(self.regions.outlines_geojson(OUTLINE_TOLERANCE_DEG))
            # A foreign member of the FeatureCollection: the map must credit the data source.
            outlines["attribution"] = self.boundary_attribution
            self._outlines = outlines
        return self._outlines
