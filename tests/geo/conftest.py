"""Shared, load-once fixtures: the real boundary file, settlements and units of the repo."""

from __future__ import annotations

import pytest

from geo.geocoder import OfflineGeocoder
from geo.regions import RegionIndex
from geo.service import GeoService
from server.settings import Settings, load_settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(env={})


@pytest.fixture(scope="session")
def index(settings: Settings) -> RegionIndex:
    return RegionIndex.load(settings.geo.boundary_file, near_border_m=settings.geo.near_border_m)


@pytest.fixture(scope="session")
def geocoder() -> OfflineGeocoder:
    return OfflineGeocoder.load()


@pytest.fixture(scope="session")
def service(settings: Settings) -> GeoService:
    return GeoService.from_settings(settings.geo, settings.centres)
