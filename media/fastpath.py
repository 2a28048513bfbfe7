"""Cheaper stand-ins for two per-packet parts of aiortc's RTP receiver, same behaviour.

Profiling a media worker (py-spy, BENCHMARKS.md "Relay") showed two receiver helpers whose
cost grows with trouble, which is the worst time to get slower:

- ``NackGenerator.truncate`` walks every missing sequence number on every packet (aiortc
  ``rtcrtpreceiver.py``): with some loss, up to 128 ``uint16_gt`` calls per packet.
  `LeanNackGenerator` keeps the same ``missing`` set and answers, but only prunes it when the
  highest sequence number moves and something is missing.
- ``RateCounter`` (``rate.py``, the incoming-bitrate counter of the REMB estimator) keeps 1,000
  one-millisecond buckets and walks them one millisecond at a time: after a stall of s seconds
  the next packet walks s*1000 buckets, and every reset allocates 1,000 objects.
  `LeanRateCounter` keeps (ms, bytes) entries in a deque: same window, same rate.

`tune_receiver` installs both on one receiver (no module globals are patched). Private names,
like those in `media.hooks`, with aiortc pinned at 1.16.0; tests/media/test_fastpath.py checks
the stand-ins against aiortc's originals packet by packet.

Names used: ``RTCRtpReceiver._RTCRtpReceiver__nack_generator``,
``RTCRtpReceiver._RTCRtpReceiver__remote_bitrate_estimator``,
``RemoteBitrateEstimator.incoming_bitrate``.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

from aiortc import RTCRtpReceiver
from aiortc.rate import RateCounter
from aiortc.rtcrtpreceiver import NackGenerator
from aiortc.rtp import RTP_HISTORY_SIZE

_NACK_GENERATOR = "_RTCRtpReceiver__nack_generator"
_BITRATE_ESTIMATOR = "_RTCRtpReceiver__remote_bitrate_estimator"
_HALF = 0x8000


class _Sequenced(Protocol):
    @property
    def sequence_number(self) -> int: ...


class LeanNackGenerator:
    """aiortc's `NackGenerator` (same attributes, same answers), pruned only when needed."""

    def __init__(self) -> None:
        self.max_seq: int | None = None
        self.missing: set[int] = set()

    def add(self, packet: _Sequenced) -> bool:
        """Note a received packet; True if it revealed newly missing ones."""
        seq = packet.sequence_number
        last = self.max_seq
        if last is None:
            self.max_seq = seq
            return False
        ahead = (seq - last) & 0xFFFF
        if 0 < ahead < _HALF:  # uint16_gt(seq, max_seq)
            missed = ahead > 1
            if missed:
                self.missing.update((last + i) & 0xFFFF for i in range(1, ahead))
            self.max_seq = seq
            if self.missing:
                self.truncate()
            return missed
        # Late or repeated: the set only shrinks, so nothing can have become too old.
        self.missing.discard(seq)
        return False

    def truncate(self) -> None:
        """Forget missing packets more than `RTP_HISTORY_SIZE` behind the newest."""
        if self.max_seq is None:
            return
        oldest = (self.max_seq - RTP_HISTORY_SIZE) & 0xFFFF
        # uint16_gt(oldest, seq) for each seq, without a call per element
        stale = {s for s in self.missing if 0 < ((oldest - s) & 0xFFFF) < _HALF}
        self.missing -= stale


class LeanRateCounter:
    """aiortc's `RateCounter` (``window_size`` ms, ``scale`` per unit) over a deque."""

    def __init__(self, window_size: int, scale: int = 8000) -> None:
        self._window_size = window_size
        self._scale = scale
        self.reset()

    def reset(self) -> None:
        self._entries: deque[tuple[int, int]] = deque()
        self._origin_ms: int | None = None
        self._count = 0
        self._value = 0

    def add(self, value: int, now_ms: int) -> None:
        if self._origin_ms is None:
            self._origin_ms = now_ms
        else:
            self._erase_old(now_ms)
        self._entries.append((now_ms, value))
        self._count += 1
        self._value += value

    def rate(self, now_ms: int) -> int | None:
        if self._origin_ms is not None:
            self._erase_old(now_ms)
            active_window_size = now_ms - self._origin_ms + 1
            if self._count > 0 and active_window_size > 1:
                return round(self._scale * self._value / active_window_size)
        return None

    def _erase_old(self, now_ms: int) -> None:
        new_origin_ms = now_ms - self._window_size + 1
        assert self._origin_ms is not None
        if self._origin_ms >= new_origin_ms:
            return
        self._origin_ms = new_origin_ms
        entries = self._entries
        while entries and entries[0][0] < new_origin_ms:
            _, value = entries.popleft()
            self._count -= 1
            self._value -= value


def _require(obj: object, name: str) -> None:
    if not hasattr(obj, name):
        raise RuntimeError(f"{type(obj).__name__} has no {name}: the aiortc pin moved")


def tune_receiver(receiver: RTCRtpReceiver) -> None:
    """Install the lean helpers on a (video) receiver; audio receivers have neither helper.

    Call right after ``addTransceiver``, before any packet arrives.
    """
    _require(receiver, _NACK_GENERATOR)
    _require(receiver, _BITRATE_ESTIMATOR)
    if isinstance(getattr(receiver, _NACK_GENERATOR), NackGenerator):
        setattr(receiver, _NACK_GENERATOR, LeanNackGenerator())
    estimator = getattr(receiver, _BITRATE_ESTIMATOR)
    if estimator is not None:
        _require(estimator, "incoming_bitrate")
        counter = estimator.incoming_bitrate
        if isinstance(counter, RateCounter):
            estimator.incoming_bitrate = LeanRateCounter(counter._window_size, counter._scale)


def is_tuned(receiver: RTCRtpReceiver) -> bool:
    return isinstance(getattr(receiver, _NACK_GENERATOR, None), LeanNackGenerator)
