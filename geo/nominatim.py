"""Optional online reverse geocoding through a (self-hosted) Nominatim server, via geopy.

The only asynchronous module of geo/. It refines the offline address with street-level detail
when configured (``geo.geocoder: nominatim``); a failure never blocks a call, because the
offline address is already there. Failures are raised, not swallowed, so the caller can log
them and keep the offline text:

* a call sooner than ``min_delay_s`` after the previous one -> GeocoderRateLimited (an
  emergency call must not queue behind a geocoder; it uses the offline address instead);
* HTTP 429 / quota from the server -> GeocoderRateLimited;
* any other geopy or network error -> GeocoderError.

Nominatim's ``ISO3166-2-lvl4`` is cross-checked against the boundary polygons: a disagreement
(old OSM data, a point on the border) is flagged ``geocoder_region_mismatch`` for the operator.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Sequence
from typing import Any

import geopy.exc
from geopy.geocoders import Nominatim

from domain.errors import GeocoderError, GeocoderRateLimited
from geo.geocoder import Address, coordinates_address
from geo.geodesy import compass_point, haversine_m, initial_bearing_deg
from geo.regions import RegionIndex

REGION_MISMATCH = "geocoder_region_mismatch"
SETTLEMENT_KEYS = ("city", "town", "village", "hamlet", "suburb", "municipality")


class NominatimGeocoder:
    def __init__(
        self,
        domain: str,
        user_agent: str,
        min_delay_s: float = 1.0,
        geolocator: Any | None = None,
        *,
        regions: RegionIndex | None = None,
        scheme: str = "https",
        timeout_s: float = 5.0,
        languages: Sequence[str] = ("en", "ru", "kk"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``geolocator``: anything with geopy's ``reverse()`` (sync or async); tests inject
        a fake. Without one, a geopy Nominatim on aiohttp is created on first use."""
        self.domain = domain
        self.user_agent = user_agent
        self.min_delay_s = min_delay_s
        self.regions = regions
        self.scheme = scheme
        self.timeout_s = timeout_s
        self.languages = tuple(languages) or ("en",)
        self._geolocator = geolocator
        self._owns_geolocator = geolocator is None
        self._clock = clock
        self._last_request: float | None = None

    def _get_geolocator(self) -> Any:
        if self._geolocator is None:
            from geopy.adapters import AioHTTPAdapter

            self._geolocator = Nominatim(
                domain=self.domain,
                scheme=self.scheme,
                user_agent=self.user_agent,
                timeout=self.timeout_s,
                adapter_factory=AioHTTPAdapter,
            )
        return self._geolocator

    def _claim_slot(self) -> None:
        # Check and set with no await in between: atomic on one event loop.
        now = self._clock()
        if self._last_request is not None:
            wait = self.min_delay_s - (now - self._last_request)
            if wait > 0:
                raise GeocoderRateLimited(f"geocoder busy; next request allowed in {wait:.2f} s")
        self._last_request = now

    async def _reverse(self, lat: float, lon: float, language: str) -> Any:
        try:
            result = self._get_geolocator().reverse(
                (lat, lon), exactly_one=True, language=language, addressdetails=True
            )
            if inspect.isawaitable(result):
                result = await result
        except (geopy.exc.GeocoderRateLimited, geopy.exc.GeocoderQuotaExceeded) as exc:
            raise GeocoderRateLimited(f"Nominatim rate limit: {exc}") from exc
        except (TimeoutError, geopy.exc.GeopyError, OSError) as exc:
            raise GeocoderError(f"Nominatim failed: {type(exc).__name__}: {exc}") from exc
        return result

    async def describe_async(self, lat: float, lon: float) -> Address:
        self._claim_slot()
        results = await asyncio.gather(*(self._reverse(lat, lon, lang) for lang in self.languages))
        by_lang = dict(zip(self.languages, results, strict=True))
        primary = by_lang[self.languages[0]]
        if primary is None:
            # At sea or in a data gap: an address made of coordinates, but say where it came from.
            return coordinates_address(lat, lon, "nominatim")
        try:
            raw: dict[str, Any] = dict(primary.raw)
            details: dict[str, Any] = dict(raw.get("address") or {})
            found_lat, found_lon = float(raw["lat"]), float(raw["lon"])
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise GeocoderError(f"Nominatim answer not understood: {exc}") from exc

        def text(lang: str) -> str:
            result = by_lang.get(lang) or primary
            return str(getattr(result, "address", "") or raw.get("display_name", ""))

        region_code = details.get("ISO3166-2-lvl4")
        flags: tuple[str, ...] = ()
        if self.regions is not None and region_code:
            polygon_code = self.regions.locate(lat, lon).code
            if polygon_code is not None and polygon_code != region_code:
                flags = (REGION_MISMATCH,)
        settlement = next((str(details[k]) for k in SETTLEMENT_KEYS if details.get(k)), None)
        country = details.get("country_code")
        return Address(
            text=text("en"),
            text_ru=text("ru"),
            text_kk=text("kk"),
            settlement=settlement,
            settlement_country=str(country).upper() if country else None,
            distance_m=haversine_m(found_lat, found_lon, lat, lon),
            bearing=compass_point(initial_bearing_deg(found_lat, found_lon, lat, lon)),
            source="nominatim",
            region_code=str(region_code) if region_code else None,
            flags=flags,
        )

    async def close(self) -> None:
        """Close the aiohttp session of a geolocator this object created."""
        geolocator = self._geolocator
        if self._owns_geolocator and geolocator is not None:
            self._geolocator = None
            adapter = getattr(geolocator, "adapter", None)
            closer = getattr(adapter, "__aexit__", None)
            if closer is not None:
                await closer(None, None, None)
