"""A real 102 server on a random port, and Socket.IO clients that record what they receive."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer

from domain.roles import Role
from geo.service import GeoService
from server.app import create_app
from server.keys import RECORDS
from server.settings import Settings, load_settings
from tests.media.clients import Client as PeerClient

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def geo_service() -> GeoService:
    """Boundaries and gazetteer load once per test session (about a second)."""
    settings = load_settings(env={})
    return GeoService.from_settings(settings.geo, settings.centres)


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    base = load_settings(env={})
    return replace(
        base,
        database_url=f"sqlite:///{tmp_path / 'records.sqlite3'}",
        redis_url=None,
        # In-process media: fast to start; tests/media/test_workers.py covers worker processes.
        media=replace(base.media, host_candidates=("127.0.0.1",), offer_timeout_s=5.0, workers=0),
        recording=replace(base.recording, dir=tmp_path / "recordings"),
        evidence=replace(base.evidence, dir=tmp_path / "evidence"),
    )


class Running:
    """A started server: its URL, app, and helpers to create staff and sign them in."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.app: web.Application = server.app
        self.url = str(server.make_url("")).rstrip("/")

    async def add_user(
        self, username: str, role: Role = Role.OPERATOR, centre: str | None = "almaty-city"
    ) -> str:
        user = await self.app[RECORDS].create_user(
            username, PASSWORD, role, centre, username.title()
        )
        return user.id

    async def login(self, username: str, password: str = PASSWORD) -> str:
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{self.url}/api/auth/login", json={"username": username, "password": password}
            ) as response:
                assert response.status == 200, await response.text()
                return str(response.cookies["sid"].value)


@pytest.fixture
async def running(app_settings: Settings, geo_service: GeoService) -> AsyncIterator[Running]:
    app = create_app(app_settings, geo=geo_service, caller_grace_s=1.0, operator_grace_s=1.0)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Running(server)
    finally:
        await server.close()


@dataclass
class Received:
    event: str
    data: Any


class Client:
    """A Socket.IO client on one namespace that queues every event it receives."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.inbox: dict[str, asyncio.Queue[Any]] = {}

        async def any_event(event: str, data: Any = None) -> None:
            self.inbox.setdefault(event, asyncio.Queue()).put_nowait(data)

        self.sio.on("*", any_event, namespace=namespace)

    async def connect(self, url: str, **kwargs: Any) -> None:
        await self.sio.connect(
            url, namespaces=[self.namespace], transports=["websocket"], wait_timeout=5, **kwargs
        )

    async def call(self, event: str, data: Any = None, timeout: float = 15.0) -> dict[str, Any]:
        ack = await self.sio.call(event, data, namespace=self.namespace, timeout=timeout)
        assert isinstance(ack, dict), ack
        return ack

    async def next(
        self, event: str, where: Callable[[Any], bool] = lambda _: True, timeout: float = 10.0
    ) -> Any:
        """The next ``event`` matching ``where`` (earlier non-matching ones are dropped)."""
        queue = self.inbox.setdefault(event, asyncio.Queue())
        async with asyncio.timeout(timeout):
            while True:
                data = await queue.get()
                if where(data):
                    return data

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()
        # python-socketio's client leaves its aiohttp session to the garbage collector.
        http = getattr(self.sio.eio, "http", None)
        if http is not None and not http.closed:
            await http.close()


@pytest.fixture
async def clients() -> AsyncIterator[Callable[[str], Client]]:
    made: list[Client] = []

    def make(namespace: str) -> Client:
        client = Client(namespace)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


def location(lat: float, lon: float, accuracy: float = 15.0, **extra: Any) -> dict[str, Any]:
    import time

    return {"lat": lat, "lon": lon, "accuracy_m": accuracy, "fixed_at": time.time(), **extra}


@pytest.fixture
def unique() -> Iterator[Callable[[str], str]]:
    yield lambda prefix: f"{prefix}{secrets.token_hex(3)}"


@pytest.fixture
async def browsers() -> AsyncIterator[Callable[[tuple[int, int]], PeerClient]]:
    """aiortc peers standing in for browsers (VP8 picture of the given size + Opus tone)."""
    made: list[PeerClient] = []

    def make(size: tuple[int, int]) -> PeerClient:
        peer = PeerClient(video_size=size)
        made.append(peer)
        return peer

    yield make
    for peer in made:
        await peer.close()
