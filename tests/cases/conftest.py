"""Cases fixtures: a server whose evidence lives in tmp_path with small limits, and files."""

from __future__ import annotations

import io
import json
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from domain.roles import Role
from evidence.store import EvidenceStore
from server.keys import EVIDENCE
from server.settings import Settings
from tests.fixtures_app import Running

PHOTO_LIMIT = 256 * 1024
VIDEO_LIMIT = 1024 * 1024
ALMATY = {"lat": 43.2389, "lon": 76.8897, "accuracy_m": 12.0, "source": "manual"}
ASTANA = {"lat": 51.1282, "lon": 71.4304, "accuracy_m": 12.0, "source": "manual"}


def jpeg(size: int = 2048, seed: int = 0) -> bytes:
    body = bytes((i * 7 + seed) % 256 for i in range(size - 4))
    return b"\xff\xd8\xff\xe0" + body


def png(size: int = 2048) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * (size - 8)


def mp4(size: int = 64 * 1024) -> bytes:
    return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x01" * (size - 24)


@pytest.fixture
def app_settings(app_settings: Settings, tmp_path: Path) -> Settings:
    return replace(
        app_settings,
        evidence=replace(
            app_settings.evidence,
            dir=tmp_path / "evidence",
            max_photo_bytes=PHOTO_LIMIT,
            max_video_bytes=VIDEO_LIMIT,
            max_attachments=5,
            track_lookups_per_min=30,
            submissions_burst=1000,  # these tests file many cases; the flood test sets its own
        ),
    )


def form(fields: dict[str, str], files: Sequence[tuple[str, bytes]] = ()) -> aiohttp.FormData:
    data = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields.items():
        data.add_field(name, value)
    for filename, content in files:
        # A stream, as a browser sends a file (aiohttp warns about large raw bytes bodies).
        data.add_field(
            "attachments",
            io.BytesIO(content),
            filename=filename,
            content_type="application/octet-stream",
        )
    return data


def report_fields(**extra: str) -> dict[str, str]:
    return {
        "category": "traffic_violation",
        "description": "A car parked on the tram line",
        "occurred_at": str(time.time() - 600),
        "location": json.dumps(ALMATY),
        "lang": "en",
        **extra,
    }


@dataclass
class Api:
    """HTTP helpers against a running server."""

    running: Running
    http: aiohttp.ClientSession

    @property
    def evidence(self) -> EvidenceStore:
        return self.running.app[EVIDENCE]

    async def post_form(
        self, path: str, fields: dict[str, str], files: Sequence[tuple[str, bytes]] = ()
    ) -> tuple[int, dict[str, Any]]:
        async with self.http.post(self.running.url + path, data=form(fields, files)) as resp:
            return resp.status, await resp.json()

    async def staff(self, username: str, role: Role, centre: str | None = "almaty-city") -> str:
        await self.running.add_user(username, role, centre)
        return await self.running.login(username)

    async def get(self, path: str, token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.get(self.running.url + path, headers=headers) as resp:
            body = await resp.read()
            if resp.content_type == "application/json":
                return resp.status, json.loads(body)
            return resp.status, body

    async def post_json(self, path: str, data: Any, token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.post(self.running.url + path, json=data, headers=headers) as resp:
            return resp.status, await resp.json()

    def evidence_files(self) -> list[Path]:
        root = self.evidence.root
        return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
async def api(running: Running) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as http:
        yield Api(running, http)
