"""Functional tests open servers, sockets, peers and Redis clients: collect garbage after each,
so a resource one of them leaks fails that test, not whichever test the collector runs in."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def collect_leaks() -> Iterator[None]:
    yield
    gc.collect()
