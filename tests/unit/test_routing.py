"""Centre routing from ISO 3166-2 codes, with the national fallback."""

from __future__ import annotations

import pytest

from domain.errors import ConfigError
from domain.routing import KZ_UNITS, Centre, CentreDirectory
from server.settings import load_settings


def test_config_serves_all_twenty_units() -> None:
    centres = load_settings().centres
    assert len(KZ_UNITS) == 20
    assert centres.unserved() == []
    assert centres.route("KZ-75").centre == "almaty-city"
    assert centres.route("KZ-19").centre == "almaty-region"


def test_no_region_goes_to_fallback_flagged() -> None:
    centres = load_settings().centres
    route = centres.route(None, ["abroad"])
    assert route.centre == centres.fallback
    assert route.flags == ("abroad", "fallback_centre") and route.fallback


def test_code_served_twice_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        CentreDirectory(
            [Centre("a", "A", frozenset({"KZ-75"})), Centre("b", "B", frozenset({"KZ-75"}))], "a"
        )


def test_unknown_fallback_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        CentreDirectory([Centre("a", "A")], "zzz")
