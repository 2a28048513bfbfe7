"""Settings load from config.yaml, take environment overrides, and fail loudly on bad values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from domain.errors import ConfigError
from server.settings import DEFAULT_CONFIG, load_settings


def test_defaults_are_embedded_and_offline() -> None:
    settings = load_settings(env={})
    assert settings.redis_url is None
    assert settings.database_url.startswith("sqlite:///")
    assert settings.media.ice_servers == ()
    assert settings.server.port == 8080
    # media in worker processes, one per core: the signaling process carries none
    assert settings.media.workers == max(1, os.cpu_count() or 1)
    assert load_settings(env={"E102__MEDIA__WORKERS": "0"}).media.workers == 0


def test_environment_overrides() -> None:
    settings = load_settings(
        env={
            "PORT": "9001",
            "E102__LIVE_STATE__REDIS_URL": "redis://127.0.0.1:6379/3",
            "E102__MEDIA__HOST_CANDIDATES": "[127.0.0.1]",
        }
    )
    assert settings.server.port == 9001
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert settings.media.host_candidates == ("127.0.0.1",)


@pytest.mark.parametrize(
    "env",
    [
        {"PORT": "http"},
        {"PORT": "70000"},
        {"E102__LIVE_STATE__REDIS_URL": "http://nope"},
        {"E102__RECORDS__DATABASE_URL": "mysql://x"},
        {"E102__SERVER__BOGUS": "1"},
        {"E102__GEO__GEOCODER": "google"},
        {"E102__MEDIA__ICE_SERVERS": "[stun.example]"},
        {"E102__MEDIA__WORKERS": "many"},
        {"E102__MEDIA__WORKERS": "-1"},
    ],
)
def test_bad_values_fail_loudly(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_settings(env=env)


def test_unreadable_config_fails(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_settings(tmp_path / "missing.yaml", env={})
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT_CONFIG.read_text().replace("fallback: national", "fallback: nowhere"))
    with pytest.raises(ConfigError):
        load_settings(bad, env={})
