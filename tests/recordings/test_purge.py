"""``python -m records purge-recordings`` deletes only what retention allows."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from aiohttp.test_utils import TestServer

from geo.service import GeoService
from records import CallRecord, RecordStore, open_store
from records.retention import purge_recordings
from server.app import create_app
from server.keys import RECORDS
from server.settings import ROOT, RecordingSettings, Settings

DAY = 86400.0
HASH = "ab" * 32


def write_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"webm")


def run_purge(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "records", "purge-recordings"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=30,
        check=False,
    )


async def add(store: RecordStore, call_id: str, path: Path, ended_days_ago: float) -> None:
    ended = time.time() - ended_days_ago * DAY
    write_file(path)
    await store.create_call(CallRecord(id=call_id, centre="c", media="video", created_at=ended))
    await store.save_recording(call_id, str(path), HASH, 4, ended - 60, ended)


async def test_purge_deletes_only_recordings_past_retention(
    record_store: RecordStore, tmp_path: Path
) -> None:
    settings = RecordingSettings(dir=tmp_path / "rec", retention_days=30)
    old, young = tmp_path / "rec" / "old.webm", tmp_path / "rec" / "young.webm"
    outside = tmp_path / "elsewhere" / "old2.webm"
    await add(record_store, "old", old, ended_days_ago=31)
    await add(record_store, "young", young, ended_days_ago=29)
    await add(record_store, "outside", outside, ended_days_ago=400)

    out = io.StringIO()
    await purge_recordings(record_store, settings, dry_run=True, out=out)
    assert old.exists() and "would delete" in out.getvalue()

    out = io.StringIO()
    await purge_recordings(record_store, settings, dry_run=False, out=out)
    assert not old.exists() and young.exists() and outside.exists()
    assert "1 recording(s) purged" in out.getvalue()
    purged = await record_store.get_recording("old")
    assert purged is not None and purged.purged_at is not None
    kept = await record_store.get_recording("young")
    assert kept is not None and kept.purged_at is None
    assert [e.action for e in await record_store.list_audit(subject="call:old")] == [
        "recording.purge"
    ]


async def test_purge_command_runs(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    store = await open_store(f"sqlite:///{db}")
    try:
        await add(store, "old", tmp_path / "rec" / "old.webm", ended_days_ago=2000)
    finally:
        await store.close()
    env = {
        **os.environ,
        "E102__RECORDS__DATABASE_URL": f"sqlite:///{db}",
        "E102__RECORDING__DIR": str(tmp_path / "rec"),
    }
    done = run_purge(env)
    assert done.returncode == 0, done.stderr
    assert "1 recording(s) purged" in done.stdout
    assert not (tmp_path / "rec" / "old.webm").exists()


async def test_the_server_purges_on_its_own(
    app_settings: Settings, geo_service: GeoService, tmp_path: Path
) -> None:
    settings = replace(app_settings, recording=replace(app_settings.recording, retention_days=30))
    old = settings.recording.dir / "old.webm"
    young = settings.recording.dir / "young.webm"
    store = await open_store(settings.database_url)
    try:
        await add(store, "old", old, ended_days_ago=31)
        await add(store, "young", young, ended_days_ago=29)
    finally:
        await store.close()
    server = TestServer(create_app(settings, geo=geo_service), host="127.0.0.1")
    await server.start_server()
    try:
        for _ in range(50):
            if not old.exists():
                break
            await asyncio.sleep(0.05)
        assert not old.exists() and young.exists()
        entries = await server.app[RECORDS].list_audit(subject="call:old")
        assert [e.action for e in entries] == ["recording.purge"]
        assert entries[0].actor == "system:retention"
    finally:
        await server.close()
