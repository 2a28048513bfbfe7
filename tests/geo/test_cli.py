from __future__ import annotations

import json
import subprocess
import sys

import pytest

from server.settings import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def test_locate_almaty() -> None:
    done = run("locate", "43.24", "76.89")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert data["region_code"] == "KZ-75"
    assert data["centre"] == "almaty-city"
    assert data["region_name"] == "Almaty"
    assert "of Almaty" in data["address"]
    assert data["flags"] == ["no_accuracy"]
    assert len(data["nearest_units"]) == 3


def test_locate_abroad_with_accuracy_and_config() -> None:
    done = run(
        "locate", "42.87", "74.59", "--accuracy", "25", "--config", str(ROOT / "config.yaml")
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["region_code"] is None
    assert data["centre"] == "national"
    assert data["flags"] == ["abroad", "fallback_centre"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("locate", "95", "76.89"), "outside [-90, 90]"),
        (("locate", "nan", "76.89"), "finite"),
        (("locate", "43.2", "76.89", "--accuracy", "-3"), "accuracy_m"),
        (("locate", "north", "76.89"), "invalid float value"),
        (("locate", "43.2"), "required"),
    ],
)
def test_bad_input_exits_2(args: tuple[str, ...], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr


def test_bad_config_exits_1() -> None:
    done = run("locate", "43.24", "76.89", "--config", "/nonexistent/config.yaml")
    assert done.returncode == 1
    assert "cannot read" in done.stderr
