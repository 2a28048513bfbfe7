"""Load-generator process: the citizen and operator peers of some calls, talking JSON lines.

``python -m bench.relay.generator LOOPS_FILE CALL_ID...`` (run pinned with taskset by the
driver). For each call it makes two aiortc peers that send the pre-encoded loops (no encoding
here) and count what they receive through `media.hooks.tap_receiver` (no decoding here either).

stdout, one JSON object a line: ``offer {call, party, sdp}``, ``connected``, ``report {...}``.
stdin: ``answer {call, party, sdp}``, ``mark`` (start of the measured window), ``report``,
``stop``.

Latency: every video frame of the loop is distinct, so a received frame's bytes say which loop
index it is; its sender noted when that index last left (a 2-second loop, far longer than any
delay here), and the difference is the end-to-end delay through the server.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription

from bench.relay.media_loop import AUDIO_RATE, VIDEO_FPS, PacketLoop
from media import fastpath, hooks
from media.forward import EncodedFrame

PARTIES = ("citizen", "operator")


class Peer:
    def __init__(self, call_id: str, party: str, loops: dict[str, list[bytes]]) -> None:
        self.call_id, self.party = call_id, party
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video_sent_at = [0.0] * len(loops["video"])
        self.video = PacketLoop("video", loops["video"], VIDEO_FPS, 90000, self._video_sent)
        self.audio = PacketLoop("audio", loops["audio"], 50, AUDIO_RATE)
        self.index_of = {data: i for i, data in enumerate(loops["video"])}
        self.partner: Peer | None = None
        self.received = {"video": 0, "audio": 0}
        self.latencies_ms: list[float] = []
        self.measuring = False
        self.connected = asyncio.Event()
        self.pc.on("connectionstatechange", self._state)

    def _video_sent(self, index: int) -> None:
        self.video_sent_at[index] = time.monotonic()

    def _state(self) -> None:
        if self.pc.connectionState == "connected":
            self.connected.set()

    async def offer(self) -> str:
        for track in (self.audio, self.video):
            transceiver = self.pc.addTransceiver(track, direction="sendrecv")
            wanted = {"audio": "audio/opus", "video": "video/vp8"}[track.kind]
            codecs = RTCRtpSender.getCapabilities(track.kind).codecs
            transceiver.setCodecPreferences([c for c in codecs if c.mimeType.lower() == wanted])
            hooks.tap_receiver(transceiver.receiver, track.kind, self._sink(track.kind))
            fastpath.tune_receiver(transceiver.receiver)  # the load must stay light too
            if track.kind == "video":
                hooks.on_keyframe_request(transceiver.sender, self.video.restart)
        await hooks.add_host_candidates(self.pc, ["127.0.0.1"])
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp: str = self.pc.localDescription.sdp
        return sdp

    def _sink(self, kind: str) -> Any:
        received = self.received

        def count(frame: EncodedFrame) -> None:
            received[kind] += 1
            if kind == "video" and self.measuring and self.partner is not None:
                index = self.index_of.get(frame.data)
                if index is not None:
                    sent = self.partner.video_sent_at[index]
                    self.latencies_ms.append((time.monotonic() - sent) * 1000)

        return count

    async def rtp(self) -> dict[str, tuple[int, int]]:
        """(packets received, packets lost) per kind, from aiortc's receiver statistics."""
        out = {}
        for transceiver in self.pc.getTransceivers():
            report = await transceiver.receiver.getStats()
            got = lost = 0
            for stats in report.values():
                if getattr(stats, "type", None) == "inbound-rtp":
                    got += stats.packetsReceived
                    lost += stats.packetsLost
            out[transceiver.kind] = (got, lost)
        return out


class Generator:
    def __init__(self, call_ids: list[str], loops: dict[str, list[bytes]]) -> None:
        self.peers: dict[tuple[str, str], Peer] = {}
        for call_id in call_ids:
            citizen, operator = (Peer(call_id, p, loops) for p in PARTIES)
            citizen.partner, operator.partner = operator, citizen
            self.peers[(call_id, "citizen")], self.peers[(call_id, "operator")] = citizen, operator
        self.marked: dict[str, Any] = {}

    async def snapshot(self) -> dict[str, Any]:
        rtp = {key: await peer.rtp() for key, peer in self.peers.items()}
        return {
            "at": time.monotonic(),
            "sent": {k: (p.video.sent, p.audio.sent) for k, p in self.peers.items()},
            "received": {k: dict(p.received) for k, p in self.peers.items()},
            "rtp": rtp,
        }

    async def mark(self) -> None:
        self.marked = await self.snapshot()
        for peer in self.peers.values():
            peer.measuring = True

    async def report(self) -> dict[str, Any]:
        end = await self.snapshot()
        start = self.marked
        seconds = end["at"] - start["at"]
        totals = {"video_sent": 0, "video_received": 0, "audio_sent": 0, "audio_received": 0}
        packets = lost = 0
        worst_call_fps_ratio = 1.0
        for key, peer in self.peers.items():
            assert peer.partner is not None
            partner = (peer.call_id, peer.partner.party)
            video_sent = end["sent"][partner][0] - start["sent"][partner][0]
            audio_sent = end["sent"][partner][1] - start["sent"][partner][1]
            video_got = end["received"][key]["video"] - start["received"][key]["video"]
            audio_got = end["received"][key]["audio"] - start["received"][key]["audio"]
            totals["video_sent"] += video_sent
            totals["audio_sent"] += audio_sent
            totals["video_received"] += video_got
            totals["audio_received"] += audio_got
            worst_call_fps_ratio = min(worst_call_fps_ratio, video_got / max(1, video_sent))
            for kind, (got, miss) in end["rtp"][key].items():
                got0, miss0 = start["rtp"][key].get(kind, (0, 0))
                packets += got - got0
                lost += max(0, miss - miss0)
        latencies = [round(v, 1) for p in self.peers.values() for v in p.latencies_ms]
        return {
            "seconds": seconds,
            **totals,
            "rtp_received": packets,
            "rtp_lost": lost,
            "worst_leg_fps_ratio": worst_call_fps_ratio,
            "latencies_ms": latencies,
        }

    async def close(self) -> None:
        await asyncio.gather(*(p.pc.close() for p in self.peers.values()))


def emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main(loops: dict[str, list[bytes]], call_ids: list[str]) -> None:
    generator = Generator(call_ids, loops)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    for (call_id, party), peer in generator.peers.items():
        emit({"type": "offer", "call": call_id, "party": party, "sdp": await peer.offer()})
    waiting = asyncio.create_task(
        asyncio.wait_for(
            asyncio.gather(*(p.connected.wait() for p in generator.peers.values())), 60
        )
    )
    waiting.add_done_callback(lambda t: emit({"type": "connected", "ok": not t.exception()}))
    while line := await reader.readline():
        message = json.loads(line)
        kind = message["type"]
        if kind == "answer":
            peer = generator.peers[(message["call"], message["party"])]
            await peer.pc.setRemoteDescription(
                RTCSessionDescription(sdp=message["sdp"], type="answer")
            )
        elif kind == "mark":
            await generator.mark()
        elif kind == "report":
            emit({"type": "report", **await generator.report()})
        elif kind == "stop":
            break
    await generator.close()


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(pickle.loads(Path(sys.argv[1]).read_bytes()), sys.argv[2:]))
