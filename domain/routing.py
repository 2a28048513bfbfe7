"""Which control centre takes a call, from the region the geo module found."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from domain.errors import ConfigError

# Kazakhstan's 20 current first-level units (ISO 3166-2:KZ, after the 2022 reform).
KZ_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "KZ-10": "Abai Region",
        "KZ-11": "Akmola Region",
        "KZ-15": "Aktobe Region",
        "KZ-19": "Almaty Region",
        "KZ-23": "Atyrau Region",
        "KZ-27": "West Kazakhstan Region",
        "KZ-31": "Jambyl Region",
        "KZ-33": "Jetisu Region",
        "KZ-35": "Karaganda Region",
        "KZ-39": "Kostanay Region",
        "KZ-43": "Kyzylorda Region",
        "KZ-47": "Mangystau Region",
        "KZ-55": "Pavlodar Region",
        "KZ-59": "North Kazakhstan Region",
        "KZ-61": "Turkistan Region",
        "KZ-62": "Ulytau Region",
        "KZ-63": "East Kazakhstan Region",
        "KZ-71": "Astana",
        "KZ-75": "Almaty",
        "KZ-79": "Shymkent",
    }
)


@dataclass(frozen=True, slots=True)
class Centre:
    id: str
    name: str
    region_codes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Route:
    centre: str
    region_code: str | None
    flags: tuple[str, ...]  # e.g. ("no_location",), ("abroad",), ("nearest_region",)

    @property
    def fallback(self) -> bool:
        return "fallback_centre" in self.flags


class CentreDirectory:
    """Centres and the ISO codes each serves, plus the national fallback."""

    def __init__(self, centres: Iterable[Centre], fallback: str) -> None:
        self._centres = {c.id: c for c in centres}
        if fallback not in self._centres:
            raise ConfigError(f"fallback centre {fallback!r} is not among the centres")
        self.fallback = fallback
        self._by_code: dict[str, str] = {}
        for centre in self._centres.values():
            for code in centre.region_codes:
                if code in self._by_code:
                    raise ConfigError(
                        f"{code} is served by both {self._by_code[code]} and {centre.id}"
                    )
                self._by_code[code] = centre.id

    def __contains__(self, centre_id: object) -> bool:
        return centre_id in self._centres

    def get(self, centre_id: str) -> Centre | None:
        return self._centres.get(centre_id)

    @property
    def centres(self) -> list[Centre]:
        return list(self._centres.values())

    def unserved(self, codes: Iterable[str] = KZ_UNITS) -> list[str]:
        return sorted(set(codes) - set(self._by_code))

    def route(self, region_code: str | None, geo_flags: Iterable[str] = ()) -> Route:
        flags = list(geo_flags)
        centre = self._by_code.get(region_code) if region_code else None
        if centre is None:
            flags.append("fallback_centre")
            centre = self.fallback
        return Route(centre=centre, region_code=region_code, flags=tuple(dict.fromkeys(flags)))
