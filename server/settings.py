"""Settings: config.yaml, then environment overrides, validated loudly.

Environment overrides use ``E102__SECTION__KEY`` (double underscores), values parsed as YAML
scalars, e.g. ``E102__SERVER__PORT=9000`` or ``E102__LIVE_STATE__REDIS_URL=redis://...``.
``PORT`` and ``HOST`` are accepted as shorthands for the server section.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from domain.errors import ConfigError
from domain.routing import Centre, CentreDirectory

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config.yaml"
ENV_PREFIX = "E102__"


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    tls_cert: Path | None = None
    tls_key: Path | None = None
    static_dir: Path = ROOT / "static"
    node_modules: Path = ROOT / "node_modules"
    session_ttl_s: int = 12 * 3600
    max_event_bytes: int = 64 * 1024
    secure_cookies: bool = False
    # Extra browser origins allowed to open Socket.IO connections (pages served elsewhere);
    # empty: this server's own origin only.
    allowed_origins: tuple[str, ...] = ()
    # New calls per minute from one client address before `rate_limited` (flood guard).
    calls_per_min_per_address: int = 60


@dataclass(frozen=True)
class MediaSettings:
    ice_servers: tuple[dict[str, Any], ...] = ()
    # Addresses offered as host candidates besides those aioice discovers (it skips loopback).
    host_candidates: tuple[str, ...] = ()
    max_video_bitrate: int = 1_500_000
    offer_timeout_s: float = 20.0
    connect_timeout_s: float = 20.0
    # 0: media runs in the signaling process (tests, small sites); N: N worker processes
    # (config.yaml says "auto": one per core).
    workers: int = 0
    # A worker whose event loop lags more than this takes no new calls (they wait queued).
    max_loop_lag_ms: float = 100.0
    # A leg that sends no RTP for this long is treated as gone.
    rtp_timeout_s: float = 10.0


@dataclass(frozen=True)
class RecordingSettings:
    enabled: bool = True
    dir: Path = ROOT / "var/recordings"
    # Nothing is deleted before this many days have passed since the call ended.
    retention_days: int = 1825


@dataclass(frozen=True)
class EvidenceSettings:
    dir: Path = ROOT / "var/evidence"
    max_photo_bytes: int = 10 * 1024 * 1024
    max_video_bytes: int = 100 * 1024 * 1024
    max_attachments: int = 5
    # Status lookups by tracking link, per client address per minute.
    track_lookups_per_min: int = 30
    # Flood guard on submissions per client address: a burst, then this many a minute.
    submissions_burst: int = 10
    submissions_per_min: int = 6


@dataclass(frozen=True)
class GeoSettings:
    boundary_file: Path = (
        ROOT / "node_modules/@amcharts/amcharts5-geodata/json/kazakhstan2023High.json"
    )
    boundary_attribution: str = "Region outlines: amCharts geodata (amcharts.com)"
    max_fix_age_s: float = 120.0
    near_border_m: float = 5000.0
    low_accuracy_m: float = 1000.0
    tile_url: str | None = None
    tile_attribution: str = ""
    geocoder: str = "offline"  # offline | nominatim
    nominatim_domain: str | None = None
    nominatim_user_agent: str = "102-emergency-server"
    nominatim_min_delay_s: float = 1.0
    units_file: Path | None = ROOT / "geo/data/units.csv"


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    media: MediaSettings = field(default_factory=MediaSettings)
    geo: GeoSettings = field(default_factory=GeoSettings)
    recording: RecordingSettings = field(default_factory=RecordingSettings)
    evidence: EvidenceSettings = field(default_factory=EvidenceSettings)
    redis_url: str | None = None
    # Key prefix in Redis (and the Socket.IO channel name): several deployments, one Redis.
    redis_prefix: str = "102:"
    database_url: str = f"sqlite:///{ROOT / 'var/102.sqlite3'}"
    centres: CentreDirectory = field(
        default_factory=lambda: CentreDirectory([Centre("national", "National centre")], "national")
    )


def _path(value: Any, key: str) -> Path | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a path string, got {value!r}")
    path = Path(value)
    return path if path.is_absolute() else ROOT / path


def _typed(value: Any, kind: type, key: str) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{key} must be {kind.__name__}, got {value!r}")
    return value


def _origins(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(o, str) and o.startswith(("https://", "http://")) and o != "*" for o in value
    ):
        raise ConfigError("server.allowed_origins must be a list of https://host[:port] origins")
    return tuple(value)


def _workers(value: Any) -> int:
    """``auto``: one media worker process per core, so the signaling process carries no media."""
    if value == "auto":
        return max(1, os.cpu_count() or 1)
    return int(_typed(value, int, "media.workers"))


def _section(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    section = data.get(name) or {}
    if not isinstance(section, dict):
        raise ConfigError(f"section {name!r} must be a mapping")
    return section


def _check_keys(section: Mapping[str, Any], allowed: set[str], name: str) -> None:
    unknown = set(section) - allowed
    if unknown:
        raise ConfigError(f"unknown key(s) in {name}: {', '.join(sorted(unknown))}")


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for short, key in (("PORT", "port"), ("HOST", "host")):
        if env.get(short):
            data.setdefault("server", {})[key] = yaml.safe_load(env[short])
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX) :].split("__") if p]
        target = data
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ConfigError(f"{name} does not name a config section")
        target[parts[-1]] = yaml.safe_load(raw) if raw != "" else None


def _build_centres(raw: Mapping[str, Any]) -> CentreDirectory:
    items = raw.get("list")
    fallback = raw.get("fallback")
    if not isinstance(items, list) or not items or not isinstance(fallback, str):
        raise ConfigError("centres needs a 'fallback' id and a non-empty 'list'")
    centres = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ConfigError(f"bad centre entry {item!r}")
        codes = item.get("codes") or []
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"centre {item['id']}: codes must be a list of ISO 3166-2 codes")
        centres.append(Centre(item["id"], str(item.get("name", item["id"])), frozenset(codes)))
    return CentreDirectory(centres, fallback)


def load_settings(
    path: Path | None = None, env: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """Read ``path`` (default config.yaml), apply env overrides, validate everything."""
    env = os.environ if env is None else env
    config_path = path or Path(env.get("E102_CONFIG", DEFAULT_CONFIG))
    try:
        data = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {config_path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{config_path} must hold a mapping")
    _apply_env(data, env)
    _check_keys(
        data,
        {"server", "media", "geo", "live_state", "records", "centres", "recording", "evidence"},
        "config",
    )

    srv = _section(data, "server")
    _check_keys(srv, set(ServerSettings.__dataclass_fields__), "server")
    server = ServerSettings(
        host=_typed(srv.get("host", "127.0.0.1"), str, "server.host"),
        port=_typed(srv.get("port", 8080), int, "server.port"),
        tls_cert=_path(srv.get("tls_cert"), "server.tls_cert"),
        tls_key=_path(srv.get("tls_key"), "server.tls_key"),
        static_dir=_path(srv.get("static_dir", "static"), "server.static_dir") or ROOT / "static",
        node_modules=_path(srv.get("node_modules", "node_modules"), "server.node_modules")
        or ROOT / "node_modules",
        session_ttl_s=_typed(srv.get("session_ttl_s", 43200), int, "server.session_ttl_s"),
        max_event_bytes=_typed(srv.get("max_event_bytes", 65536), int, "server.max_event_bytes"),
        secure_cookies=_typed(srv.get("secure_cookies", False), bool, "server.secure_cookies"),
        allowed_origins=_origins(srv.get("allowed_origins") or []),
        calls_per_min_per_address=_typed(
            srv.get("calls_per_min_per_address", 60), int, "server.calls_per_min_per_address"
        ),
    )
    if not 0 < server.port < 65536:
        raise ConfigError(f"server.port out of range: {server.port}")
    if (server.tls_cert is None) != (server.tls_key is None):
        raise ConfigError("server.tls_cert and server.tls_key go together")

    med = _section(data, "media")
    _check_keys(med, set(MediaSettings.__dataclass_fields__), "media")
    ice = med.get("ice_servers") or []
    if not isinstance(ice, list) or not all(isinstance(s, dict) and "urls" in s for s in ice):
        raise ConfigError("media.ice_servers must be a list of {urls, username?, credential?}")
    hosts = med.get("host_candidates") or []
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise ConfigError("media.host_candidates must be a list of IP addresses")
    media = MediaSettings(
        ice_servers=tuple(ice),
        host_candidates=tuple(hosts),
        max_video_bitrate=_typed(
            med.get("max_video_bitrate", 1_500_000), int, "media.max_video_bitrate"
        ),
        offer_timeout_s=_typed(med.get("offer_timeout_s", 20.0), float, "media.offer_timeout_s"),
        connect_timeout_s=_typed(
            med.get("connect_timeout_s", 20.0), float, "media.connect_timeout_s"
        ),
        workers=_workers(med.get("workers", "auto")),
        max_loop_lag_ms=_typed(med.get("max_loop_lag_ms", 100.0), float, "media.max_loop_lag_ms"),
        rtp_timeout_s=_typed(med.get("rtp_timeout_s", 10.0), float, "media.rtp_timeout_s"),
    )
    if not 0 <= media.workers <= 256:
        raise ConfigError(f"media.workers must be 0..256, got {media.workers}")

    rec_cfg = _section(data, "recording")
    _check_keys(rec_cfg, set(RecordingSettings.__dataclass_fields__), "recording")
    recording = RecordingSettings(
        enabled=_typed(rec_cfg.get("enabled", True), bool, "recording.enabled"),
        dir=_path(rec_cfg.get("dir", "var/recordings"), "recording.dir") or ROOT / "var/recordings",
        retention_days=_typed(rec_cfg.get("retention_days", 1825), int, "recording.retention_days"),
    )
    if recording.retention_days < 1:
        raise ConfigError("recording.retention_days must be at least 1")

    ev = _section(data, "evidence")
    _check_keys(ev, set(EvidenceSettings.__dataclass_fields__), "evidence")
    evidence = EvidenceSettings(
        dir=_path(ev.get("dir", "var/evidence"), "evidence.dir") or ROOT / "var/evidence",
        max_photo_bytes=_typed(
            ev.get("max_photo_bytes", 10 << 20), int, "evidence.max_photo_bytes"
        ),
        max_video_bytes=_typed(
            ev.get("max_video_bytes", 100 << 20), int, "evidence.max_video_bytes"
        ),
        max_attachments=_typed(ev.get("max_attachments", 5), int, "evidence.max_attachments"),
        track_lookups_per_min=_typed(
            ev.get("track_lookups_per_min", 30), int, "evidence.track_lookups_per_min"
        ),
        submissions_burst=_typed(
            ev.get("submissions_burst", 10), int, "evidence.submissions_burst"
        ),
        submissions_per_min=_typed(
            ev.get("submissions_per_min", 6), int, "evidence.submissions_per_min"
        ),
    )
    if min(evidence.max_photo_bytes, evidence.max_video_bytes, evidence.max_attachments) < 1:
        raise ConfigError("evidence limits must be positive")

    g = _section(data, "geo")
    _check_keys(g, set(GeoSettings.__dataclass_fields__), "geo")
    defaults = GeoSettings()
    geocoder = g.get("geocoder", "offline")
    if geocoder not in ("offline", "nominatim"):
        raise ConfigError(f"geo.geocoder must be offline or nominatim, got {geocoder!r}")
    if geocoder == "nominatim" and not g.get("nominatim_domain"):
        raise ConfigError("geo.geocoder nominatim needs geo.nominatim_domain (your own server)")
    geo = GeoSettings(
        boundary_file=_path(g.get("boundary_file"), "geo.boundary_file") or defaults.boundary_file,
        boundary_attribution=str(g.get("boundary_attribution", defaults.boundary_attribution)),
        max_fix_age_s=_typed(g.get("max_fix_age_s", 120.0), float, "geo.max_fix_age_s"),
        near_border_m=_typed(g.get("near_border_m", 5000.0), float, "geo.near_border_m"),
        low_accuracy_m=_typed(g.get("low_accuracy_m", 1000.0), float, "geo.low_accuracy_m"),
        tile_url=g.get("tile_url") or None,
        tile_attribution=str(g.get("tile_attribution") or ""),
        geocoder=geocoder,
        nominatim_domain=g.get("nominatim_domain") or None,
        nominatim_user_agent=str(g.get("nominatim_user_agent", defaults.nominatim_user_agent)),
        nominatim_min_delay_s=_typed(
            g.get("nominatim_min_delay_s", 1.0), float, "geo.nominatim_min_delay_s"
        ),
        units_file=_path(g.get("units_file", "geo/data/units.csv"), "geo.units_file"),
    )

    live = _section(data, "live_state")
    _check_keys(live, {"redis_url", "prefix"}, "live_state")
    rec = _section(data, "records")
    _check_keys(rec, {"database_url"}, "records")
    redis_url = live.get("redis_url") or None
    if redis_url is not None and not str(redis_url).startswith(
        ("redis://", "rediss://", "unix://")
    ):
        raise ConfigError(f"live_state.redis_url must be a redis:// URL, got {redis_url!r}")
    database_url = rec.get("database_url") or f"sqlite:///{ROOT / 'var/102.sqlite3'}"
    if not str(database_url).startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ConfigError("records.database_url must be sqlite:///PATH or postgresql://...")
    if str(database_url).startswith("sqlite:///") and not str(database_url).startswith(
        "sqlite:////"
    ):
        # relative sqlite paths are relative to the project root, like every other path
        database_url = f"sqlite:///{ROOT / str(database_url)[len('sqlite:///') :]}"

    centres = _build_centres(_section(data, "centres"))
    settings = Settings(
        server=server,
        media=media,
        geo=geo,
        recording=recording,
        evidence=evidence,
        redis_url=redis_url,
        redis_prefix=_typed(live.get("prefix", "102:"), str, "live_state.prefix"),
        database_url=str(database_url),
        centres=centres,
    )
    if overrides:
        from dataclasses import replace

        settings = replace(settings, **overrides)
    return settings
