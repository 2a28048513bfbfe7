"""The named loggers of 102 and the one place logging is configured."""

from __future__ import annotations

import logging

SERVER = logging.getLogger("102.server")
CALLS = logging.getLogger("102.calls")
SIGNALING = logging.getLogger("102.signaling")
MEDIA = logging.getLogger("102.media")
AUDIT = logging.getLogger("102.audit")


def configure(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # aiortc/aioice log every packet-level event at INFO/DEBUG; keep them to warnings.
    for noisy in ("aiortc", "aioice", "engineio.server", "socketio.server"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
