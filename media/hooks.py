"""Every use of aiortc's and aioice's private names, in one module.

aiortc has no public way to forward encoded media (its maintainers say so: issues #449, #544,
#1015, #1155), nor to offer loopback host candidates. The hooks below are per object (no module
globals are patched), check that the names they need exist, and are covered by
tests/media/test_hooks.py and the end-to-end tests. aiortc==1.16.0 and aioice==0.13.0 are pinned
in pyproject.toml for this reason; re-read the names below before moving either pin.

Names used:
- ``RTCRtpReceiver._RTCRtpReceiver__decoder_queue`` (receive side tap),
- ``RTCRtpReceiver._RTCRtpReceiver__jitter_buffer`` (audio without prefetch),
- ``RTCRtpReceiver._send_rtcp_pli`` (keyframe request upstream),
- ``RTCRtpSender._send_keyframe`` (keyframe request from a viewer),
- ``RTCIceGatherer._connection``, aioice ``Connection._local_candidates`` (extra host candidates).
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable, Iterable
from typing import Any

from aioice import Connection
from aioice.ice import get_host_addresses
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from media.forward import EncodedFrame, is_vp8_keyframe

logger = logging.getLogger(__name__)

_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"

FrameSink = Callable[[EncodedFrame], None]


def _require(obj: object, name: str) -> None:
    if not hasattr(obj, name):
        raise RuntimeError(
            f"{type(obj).__name__} has no {name}: the aiortc/aioice pins in pyproject.toml moved"
        )


class _DecoderBypass(queue.Queue[Any]):
    """Stands in for a receiver's decoder queue.

    ``RTCRtpReceiver._handle_rtp_packet`` runs on the event loop and, for each whole frame the
    jitter buffer releases, calls ``decoder_queue.put((codec, JitterFrame))`` for the decoder
    thread. Here that put hands the frame to ``sink`` right away, on the loop, and nothing is
    queued: the receiver's decoder thread sits idle in ``get()`` and never creates a decoder.
    The ``None`` that stops the thread still goes through, so the receiver shuts down normally.
    """

    def __init__(self, sink: FrameSink, on_end: Callable[[], None]) -> None:
        super().__init__()
        self._sink = sink
        self._on_end = on_end

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            super().put(None)
            self._on_end()
            return
        codec, jitter_frame = item
        try:
            self._sink(_encoded(codec, jitter_frame))
        except Exception:  # the RTP receive path must survive a bug downstream
            logger.exception("forwarding an encoded %s frame failed", codec.name)


def _encoded(codec: RTCRtpCodecParameters, frame: JitterFrame) -> EncodedFrame:
    if codec.name.upper() == "VP8":
        keyframe = is_vp8_keyframe(frame.data)
    else:
        keyframe = codec.mimeType.lower().startswith("audio/")
    return EncodedFrame(frame.data, frame.timestamp, codec.clockRate, keyframe)


def tap_receiver(
    receiver: RTCRtpReceiver,
    kind: str,
    sink: FrameSink,
    on_end: Callable[[], None] = lambda: None,
) -> None:
    """Deliver the receiver's encoded frames to ``sink`` instead of decoding them.

    Must run before ``receive()`` starts the decoder thread, i.e. before the connection is
    established: right after ``addTransceiver`` is the natural place.
    """
    _require(receiver, _DECODER_QUEUE)
    current = getattr(receiver, _DECODER_QUEUE)
    if isinstance(current, _DecoderBypass):
        raise RuntimeError("receiver is already tapped")
    if not isinstance(current, queue.Queue) or current.qsize():
        raise RuntimeError("receiver already started decoding")
    setattr(receiver, _DECODER_QUEUE, _DecoderBypass(sink, on_end))
    if kind == "audio":
        _shorten_audio_buffer(receiver)


def is_tapped(receiver: RTCRtpReceiver) -> bool:
    return isinstance(getattr(receiver, _DECODER_QUEUE, None), _DecoderBypass)


def _shorten_audio_buffer(receiver: RTCRtpReceiver) -> None:
    # aiortc holds 4 audio frames (80 ms) back to smooth its own decoding. We do not decode: the
    # browser at the other end has its own jitter buffer, so release each frame as soon as the
    # next one starts (still reordering within the 16-packet window).
    _require(receiver, _JITTER_BUFFER)
    buffer = getattr(receiver, _JITTER_BUFFER)
    if isinstance(buffer, JitterBuffer):
        setattr(receiver, _JITTER_BUFFER, JitterBuffer(capacity=buffer.capacity, prefetch=0))


async def send_pli(receiver: RTCRtpReceiver, media_ssrc: int) -> None:
    """Ask the browser sending to ``receiver`` for a keyframe (RTCP PLI to ``media_ssrc``).

    A no-op until the receiver knows its RTCP ssrc; send errors are swallowed by aiortc.
    """
    _require(receiver, "_send_rtcp_pli")
    await receiver._send_rtcp_pli(media_ssrc)


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` when a PLI or FIR for ``sender`` arrives from its viewer.

    ``RTCRtpSender._handle_rtcp_packet`` calls ``self._send_keyframe()``, which only sets a flag
    for aiortc's encoder, unused when forwarding. Shadowing it on this instance is enough.
    """
    _require(sender, "_send_keyframe")
    setattr(sender, "_send_keyframe", callback)  # noqa: B010 - assigning to a method on purpose


def _ice_connections(pc: RTCPeerConnection) -> list[Connection]:
    found: dict[int, Connection] = {}
    for transceiver in pc.getTransceivers():
        gatherer = transceiver.receiver.transport.transport.iceGatherer
        _require(gatherer, "_connection")
        if gatherer.state == "new":
            connection = gatherer._connection
            found[id(connection)] = connection
    return list(found.values())


async def add_host_candidates(pc: RTCPeerConnection, addresses: Iterable[str]) -> None:
    """Offer host candidates on ``addresses`` too (aioice skips 127.0.0.1 and ::1).

    Call after ``setRemoteDescription`` (bundling has dropped the unused transports) and before
    ``setLocalDescription`` (which gathers the rest). Sockets are bound with aioice's own
    ``get_component_candidates``, so they belong to the connection and close with it. Only this
    connection is touched; the alternative, replacing ``aioice.ice.get_host_addresses``, would
    change every peer connection of the process for as long as it is patched.
    """
    discovered = set(get_host_addresses(use_ipv4=True, use_ipv6=True))
    extra = [a for a in dict.fromkeys(addresses) if a not in discovered]
    if not extra:
        return
    for connection in _ice_connections(pc):
        _require(connection, "_local_candidates")
        # Host candidates only: no STUN binding or TURN allocation from these sockets (a
        # loopback socket cannot reach a STUN server and would hold gathering up for 5 s).
        stun, turn = connection.stun_server, connection.turn_server
        connection.stun_server = connection.turn_server = None
        try:
            # component 1 only: aiortc always multiplexes RTCP (rtcp-mux)
            candidates = await connection.get_component_candidates(component=1, addresses=extra)
            connection._local_candidates += candidates
        finally:
            connection.stun_server, connection.turn_server = stun, turn
