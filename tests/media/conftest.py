"""Fixtures of the media tests: browser stand-ins, and a spy on every decoder aiortc creates."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiortc.codecs
import aiortc.rtcrtpreceiver
import pytest

from tests.media.clients import Client


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(**kwargs: Any) -> Client:
        made.append(Client(**kwargs))
        return made[-1]

    yield make
    for client in made:
        await client.close()


@pytest.fixture
def decoders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every decoder aiortc creates in this process (clients and server alike)."""
    created: list[str] = []
    real = aiortc.codecs.get_decoder  # rtcrtpreceiver imported this one

    def spy(codec: Any) -> Any:
        created.append(codec.name)
        return real(codec)

    monkeypatch.setattr(aiortc.rtcrtpreceiver, "get_decoder", spy)
    return created
