"""Structural promises: the domain core does no I/O, every module imports on its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "domain",
    "geo",
    "live",
    "records",
    "media",
    "signaling",
    "server",
    "operator_console",
    "cases",
    "evidence",
]
IO_MODULES = ["asyncio", "aiohttp", "socketio", "aiortc", "redis", "asyncpg", "aiosqlite", "av"]


def project_modules() -> list[str]:
    found = []
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if path.name == "__main__.py":
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_domain_imports_nothing_that_does_io() -> None:
    modules = [m for m in project_modules() if m.split(".")[0] == "domain"]
    loaded = json.loads(
        run(
            "import importlib, json, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            f"print(json.dumps(sorted(m for m in {IO_MODULES!r} if m in sys.modules)))"
        )
    )
    assert len(modules) >= 6
    assert loaded == []


def test_every_module_imports_on_its_own() -> None:
    """A fresh import of each module first catches import cycles hidden by import order."""
    modules = project_modules()
    failures = json.loads(
        run(
            "import importlib, json, sys\n"
            "failures = {}\n"
            f"for name in {modules!r}:\n"
            "    for loaded in [m for m in sys.modules if m.split('.')[0] in "
            f"{PACKAGES!r}]:\n"
            "        del sys.modules[loaded]\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except Exception as exc:\n"
            "        failures[name] = repr(exc)\n"
            "print(json.dumps(failures))"
        )
    )
    assert len(modules) > 40
    assert failures == {}
