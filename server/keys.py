"""Typed application state keys: the only way components find each other at run time."""

from __future__ import annotations

import socketio
from aiohttp import web

from evidence.store import EvidenceStore
from geo.service import GeoService
from live.base import LiveState
from media.workers import MediaPath
from records.base import RecordStore
from server.settings import Settings
from signaling.core import CallCore
from signaling.namespaces import Signaling
from signaling.ratelimit import RateLimiter

SETTINGS = web.AppKey("settings", Settings)
LIVE = web.AppKey("live_state", LiveState)
RECORDS = web.AppKey("records", RecordStore)
GEO = web.AppKey("geo", GeoService)
MEDIA = web.AppKey("media", MediaPath)
CORE = web.AppKey("call_core", CallCore)
SIO = web.AppKey("sio", socketio.AsyncServer)
SIGNALING = web.AppKey("signaling", Signaling)
EVIDENCE = web.AppKey("evidence", EvidenceStore)
TRACK_LIMITER = web.AppKey("track_limiter", RateLimiter)
SUBMIT_LIMITER = web.AppKey("submit_limiter", RateLimiter)
