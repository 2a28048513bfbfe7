"""Token buckets: a client may burst, then is held to a steady rate."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class TokenBucket:
    rate_per_s: float
    burst: float
    tokens: float = -1.0
    updated: float = 0.0

    def take(self, now: float, cost: float = 1.0) -> bool:
        if self.tokens < 0:
            self.tokens, self.updated = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate_per_s)
        self.updated = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


class RateLimiter:
    """One bucket per key (socket id, client address), forgotten when idle long enough."""

    def __init__(
        self, rate_per_s: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, key: str) -> bool:
        now = self.clock()
        if len(self._buckets) > 10_000:
            self._forget_idle(now)
        bucket = self._buckets.setdefault(key, TokenBucket(self.rate_per_s, self.burst))
        return bucket.take(now)

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.rate_per_s
        for key in [k for k, b in self._buckets.items() if now - b.updated > full_after]:
            del self._buckets[key]
