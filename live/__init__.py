"""Live state: the queue, operator presence, sessions and leases, shared between nodes.

``open_live_state(None)`` gives the in-process backend (one node); a ``redis://`` URL gives
the Redis backend. Both implement ``LiveState`` and pass the same contract suite
(tests/contract/test_live_state.py).
"""

from __future__ import annotations

from live.base import LiveState
from live.memory import MemoryLiveState
from live.redis_state import RedisLiveState

__all__ = ["LiveState", "MemoryLiveState", "RedisLiveState", "open_live_state"]


def open_live_state(redis_url: str | None, prefix: str = "102:") -> LiveState:
    """The Redis backend for a URL, else the in-memory one.

    Connecting is lazy: the first operation raises StorageError if Redis is down; call
    ``RedisLiveState.ping()`` at startup to fail early.
    """
    if redis_url:
        return RedisLiveState(redis_url, prefix=prefix)
    return MemoryLiveState()
