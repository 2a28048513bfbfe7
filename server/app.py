"""The composition root: ``create_app(settings)`` wires every component, once.

Each resource is set up and torn down as a pair in ``cleanup_ctx`` (records, live state, geo
data, the peer-connection registry, the call core), so nothing outlives the app and tests can
build as many apps as they like in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import platform
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import socketio
from aiohttp import web

import cases
from domain.errors import Error102
from geo.nominatim import NominatimGeocoder
from geo.service import GeoService
from live import open_live_state
from live.base import LiveState
from live.node_bus import RedisNodeBus
from live.redis_state import RedisLiveState
from media.registry import PeerRegistry
from media.workers import MediaPath, WorkerPool
from operator_console import recordings as recording_routes
from operator_console import routes as console_routes
from records import open_store
from records.base import RecordStore
from records.retention import purge_recordings
from server import auth
from server.http_errors import error_middleware
from server.keys import CORE, GEO, LIVE, MEDIA, RECORDS, SETTINGS, SIGNALING, SIO
from server.log import SERVER
from server.settings import Settings
from signaling.core import CallCore
from signaling.media_router import MediaRouter
from signaling.namespaces import Signaling
from signaling.notifier import SocketNotifier
from signaling.ports import AddressRefiner
from signaling.sweeper import DeadNodeSweeper

RETENTION_INTERVAL_S = 24 * 3600

VENDOR = {
    # URL prefix under /vendor -> directory inside node_modules (installed at setup).
    "socket.io-client": "socket.io-client/dist",
    "leaflet": "leaflet/dist",
}


def _socketio_server(settings: Settings) -> socketio.AsyncServer:
    manager = (
        socketio.AsyncRedisManager(settings.redis_url, channel=f"{settings.redis_prefix}socketio")
        if settings.redis_url
        else None
    )
    return socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        # None: only this server's own origin (scheme://host of the request) may open a socket
        # from a browser; apps send no Origin. Beware: engineio reads [] as "no check at all".
        cors_allowed_origins=list(settings.server.allowed_origins) or None,
        # Refused logins must fail the handshake itself (connect_error), not connect and drop.
        always_connect=False,
        max_http_buffer_size=settings.server.max_event_bytes * 2,
        ping_interval=10,
        ping_timeout=10,
        logger=False,
        engineio_logger=False,
    )


async def _close_socketio_redis(sio: socketio.AsyncServer) -> None:
    """Stop python-socketio's Redis listener and close its clients: the library leaves them
    open at shutdown (its `shutdown()` stops only engine.io's tasks)."""
    manager = sio.manager
    listener = getattr(manager, "thread", None)
    if isinstance(listener, asyncio.Task):
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
    for name in ("pubsub", "redis"):
        client = getattr(manager, name, None)
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()


def _page(path: Path) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(path, headers={"Cache-Control": "no-cache"})

    return handler


async def health(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    await request.app[LIVE].list_operators("__health__")
    return web.json_response(
        {
            "ok": True,
            "node": platform.node(),
            "live_state": "redis" if settings.redis_url else "memory",
            "records": "postgresql" if settings.database_url.startswith("postgres") else "sqlite",
        }
    )


async def client_config(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    return web.json_response(
        {
            "ice_servers": list(settings.media.ice_servers),
            "max_event_bytes": settings.server.max_event_bytes,
            "languages": ["kk", "ru", "en"],
            # citizen pages: the map pin and upload checks before sending anything
            "tile_url": settings.geo.tile_url,
            "tile_attribution": settings.geo.tile_attribution,
            "boundary_attribution": settings.geo.boundary_attribution,
            "evidence": {
                "max_attachments": settings.evidence.max_attachments,
                "max_photo_bytes": settings.evidence.max_photo_bytes,
                "max_video_bytes": settings.evidence.max_video_bytes,
            },
        }
    )


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path in ("/", "/console", "/supervisor", *cases.PAGES) or request.path.startswith(
        "/track/"
    ):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob:; "
            "connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
            "frame-ancestors 'none'",
        )
    return response


def create_app(
    settings: Settings,
    *,
    live_state: LiveState | None = None,
    record_store: RecordStore | None = None,
    geo: GeoService | None = None,
    caller_grace_s: float = 30.0,
    operator_grace_s: float = 10.0,
    address_refiner: AddressRefiner | None = None,
    sweep_interval_s: float = 5.0,
) -> web.Application:
    """Build the application. Injected backends are used as given and not closed by the app."""
    app = web.Application(
        middlewares=[security_headers, error_middleware],
        client_max_size=settings.server.max_event_bytes * 4,
    )
    app[SETTINGS] = settings
    sio = _socketio_server(settings)
    sio.attach(app)
    app[SIO] = sio
    signaling = Signaling(
        sio, settings.server.max_event_bytes, settings.server.calls_per_min_per_address
    )
    app[SIGNALING] = signaling

    async def records_ctx(app: web.Application) -> AsyncIterator[None]:
        store = record_store or await open_store(settings.database_url)
        app[RECORDS] = store
        yield
        if record_store is None:
            await store.close()

    async def live_ctx(app: web.Application) -> AsyncIterator[None]:
        live = live_state or open_live_state(settings.redis_url, settings.redis_prefix)
        if isinstance(live, RedisLiveState):
            await live.ping()  # a missing Redis fails start-up, not the first emergency call
        app[LIVE] = live
        yield
        if live_state is None:
            await live.close()

    async def geo_ctx(app: web.Application) -> AsyncIterator[None]:
        # Loading boundaries and gazetteer is CPU work: keep the loop free while it runs.
        loop = asyncio.get_running_loop()
        app[GEO] = (
            geo
            if geo is not None
            else await loop.run_in_executor(
                None, GeoService.from_settings, settings.geo, settings.centres
            )
        )
        yield

    async def media_ctx(app: web.Application) -> AsyncIterator[None]:
        registry: MediaPath
        if settings.media.workers > 0:
            registry = WorkerPool(settings.media, settings.recording)
            await registry.start()
        else:
            registry = PeerRegistry(settings.media, settings.recording)
        app[MEDIA] = registry
        yield
        await registry.close_all()

    async def core_ctx(app: web.Application) -> AsyncIterator[None]:
        node = uuid.uuid4().hex[:12]
        # Calls whose legs are split over nodes: media operations go to the node holding it.
        media = MediaRouter(app[MEDIA], app[LIVE], node)
        bus: RedisNodeBus | None = None
        if settings.redis_url:
            bus = RedisNodeBus(settings.redis_url, settings.redis_prefix, node, media.handlers())
            await bus.start()
            media.bus = bus
        refiner = address_refiner
        if refiner is None and settings.geo.geocoder == "nominatim":
            assert settings.geo.nominatim_domain is not None  # settings validated this
            refiner = NominatimGeocoder(
                settings.geo.nominatim_domain,
                settings.geo.nominatim_user_agent,
                settings.geo.nominatim_min_delay_s,
                regions=app[GEO].regions,
            )
        core = CallCore(
            settings,
            app[LIVE],
            app[RECORDS],
            app[GEO],
            media,
            SocketNotifier(sio),
            caller_grace_s=caller_grace_s,
            operator_grace_s=operator_grace_s,
            refiner=refiner,
            node=node,
        )
        app[CORE] = core
        signaling.attach_core(core)
        app[MEDIA].on_party_lost(core.media_lost)
        sweeper: asyncio.Task[None] | None = None
        if settings.redis_url:  # only several nodes can lose one of them
            sweeper = asyncio.create_task(
                DeadNodeSweeper(core, sweep_interval_s).run(), name="dead-node-sweeper"
            )
        SERVER.info(
            "102 ready: live state %s, records %s, %d centres",
            "redis" if settings.redis_url else "memory",
            settings.database_url.split(":", 1)[0],
            len(settings.centres.centres),
        )
        yield
        signaling.attach_core(None)
        if sweeper is not None:
            sweeper.cancel()
            await asyncio.gather(sweeper, return_exceptions=True)
        await core.close(state_dies_with_us=not settings.redis_url)
        if bus is not None:
            await bus.close()
        if refiner is not None and address_refiner is None:
            await refiner.close()

    async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
        # Recordings past retention are deleted daily (never younger ones: see
        # records.retention); `python -m records purge-recordings` does the same by hand.
        async def daily() -> None:
            while True:
                report = io.StringIO()
                try:
                    purged = await purge_recordings(app[RECORDS], settings.recording, False, report)
                    if purged:
                        SERVER.info("retention: %s", report.getvalue().strip())
                except Error102:
                    SERVER.exception("retention purge failed; will retry")
                await asyncio.sleep(RETENTION_INTERVAL_S)

        task = asyncio.create_task(daily(), name="retention")
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def socketio_ctx(app: web.Application) -> AsyncIterator[None]:
        yield
        if settings.redis_url:  # last: the core's final events go out before this
            await _close_socketio_redis(sio)

    for ctx in (socketio_ctx, records_ctx, live_ctx, geo_ctx, media_ctx, core_ctx, retention_ctx):
        app.cleanup_ctx.append(ctx)

    async def close_sockets(app: web.Application) -> None:
        # A stopping node never ends calls through drop timers: with one node the core records
        # them as failed (server_shutdown); with several, the survivors carry them on.
        signaling.attach_core(None)
        # Open websockets would otherwise hold shutdown until aiohttp's timeout.
        if sio.eio.sockets:  # engineio's disconnect-all fails on an empty set
            await sio.eio.disconnect()  # every client, every namespace
        await sio.shutdown()

    app.on_shutdown.append(close_sockets)

    static = settings.server.static_dir
    app.router.add_get("/", _page(static / "index.html"))
    app.router.add_get("/console", _page(static / "console.html"))
    app.router.add_get("/supervisor", _page(static / "supervisor.html"))
    app.router.add_static("/static", static, follow_symlinks=False)
    for prefix, folder in VENDOR.items():
        app.router.add_static(f"/vendor/{prefix}", settings.server.node_modules / folder)
    app.router.add_get("/api/health", health)
    app.router.add_get("/api/client-config", client_config)
    auth.setup(app)
    console_routes.setup(app)
    recording_routes.setup(app)
    cases.setup(app)
    return app
