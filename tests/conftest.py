"""Root fixtures: real backends (tests.conftest_backends) and a fully wired 102 app."""

from __future__ import annotations

pytest_plugins = ["tests.conftest_backends", "tests.fixtures_app"]
