"""Named, cancellable one-shot timers owned by the app (offer timeouts, drop grace periods)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("102.signaling")


class Timers:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, key: str, delay_s: float, action: Callable[[], Awaitable[None]]) -> None:
        """Run ``action`` after ``delay_s`` unless cancelled; replaces a timer of the same key."""
        self.cancel(key)

        async def run() -> None:
            await asyncio.sleep(delay_s)
            self._tasks.pop(key, None)
            try:
                await action()
            except asyncio.CancelledError:
                raise
            except Exception:  # a timer must never take the server down with it
                log.exception("timer %s failed", key)

        self._tasks[key] = asyncio.create_task(run(), name=f"timer:{key}")

    def cancel(self, key: str) -> None:
        task = self._tasks.pop(key, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    def pending(self, key: str) -> bool:
        return key in self._tasks

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
