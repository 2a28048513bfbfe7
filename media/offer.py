"""What we accept in a browser's SDP offer, and what we add to our answer. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass

from aiortc import sdp

from domain.errors import InvalidSdp

MAX_SDP_BYTES = 32 * 1024  # a browser's audio+video offer is 4-8 KB
REQUIRED_CODEC = {"audio": "opus", "video": "VP8"}
KINDS = ("audio", "video")


@dataclass(frozen=True)
class MediaLine:
    kind: str
    mid: str
    direction: str
    # The ssrc keyframe requests go to: the first of `a=ssrc-group:FID` (not the RTX ssrc).
    primary_ssrc: int | None


@dataclass(frozen=True)
class Offer:
    sdp: str
    lines: dict[str, MediaLine]  # the first m-line of each kind
    media: tuple[MediaLine, ...] = ()  # every m-line, in order


def primary_ssrc(media: sdp.MediaDescription) -> int | None:
    for group in media.ssrc_group:
        if group.semantic == "FID" and group.items:
            return int(group.items[0])
    if media.ssrc:
        return int(media.ssrc[0].ssrc)
    return None


def parse_offer(text: object, layout: tuple[str, ...] | None = None) -> Offer:
    """Validate a browser's offer for one call leg; `InvalidSdp` says what is wrong.

    Without ``layout``: one audio and one video m-line, in any order. With it: exactly these
    kinds in this order (the supervisor's ``("audio", "video", "audio")``).
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidSdp("offer SDP is empty")
    size = len(text.encode("utf-8"))
    if size > MAX_SDP_BYTES:
        raise InvalidSdp(f"offer SDP is {size} bytes, the limit is {MAX_SDP_BYTES}")
    if not text.lstrip().startswith("v=0"):
        raise InvalidSdp("offer SDP must start with v=0")
    try:
        description = sdp.SessionDescription.parse(text)
    except Exception as exc:  # aiortc's parser raises whatever its parsing hits
        raise InvalidSdp(f"malformed offer SDP: {type(exc).__name__} {exc}".strip()) from exc

    lines: dict[str, MediaLine] = {}
    ordered: list[MediaLine] = []
    for media in description.media:
        if media.kind not in KINDS:
            raise InvalidSdp(f"unsupported m-line {media.kind!r}: only audio and video")
        if media.kind in lines and layout is None:
            raise InvalidSdp(f"more than one {media.kind} m-line")
        wanted = REQUIRED_CODEC[media.kind]
        if not any(c.name.lower() == wanted.lower() for c in media.rtp.codecs):
            raise InvalidSdp(f"{media.kind} m-line does not offer {wanted}")
        if media.ice is None or not media.ice.usernameFragment or not media.ice.password:
            raise InvalidSdp(f"{media.kind} m-line lacks ICE credentials")
        if not media.dtls or not media.dtls.fingerprints:
            raise InvalidSdp(f"{media.kind} m-line lacks a DTLS fingerprint")
        if not media.rtcp_mux:
            raise InvalidSdp(f"{media.kind} m-line does not use rtcp-mux")
        if not media.rtp.muxId:
            raise InvalidSdp(f"{media.kind} m-line has no a=mid")
        line = MediaLine(
            media.kind, media.rtp.muxId, media.direction or "sendrecv", primary_ssrc(media)
        )
        lines.setdefault(media.kind, line)
        ordered.append(line)
    if layout is not None:
        found = tuple(line.kind for line in ordered)
        if found != layout:
            raise InvalidSdp(
                f"offer m-lines are {', '.join(found) or 'none'}; expected {', '.join(layout)}"
            )
    missing = [kind for kind in KINDS if kind not in lines]
    if missing:
        raise InvalidSdp(f"offer has no {' or '.join(missing)} m-line")
    return Offer(text, lines, tuple(ordered))


def cap_video_bitrate(answer_sdp: str, bitrate: int) -> str:
    """Add `b=AS` (kbit/s) and `b=TIAS` (bit/s) to the video m-section of our answer.

    Forwarded video reaches the viewer as the sender encoded it and the viewer's bandwidth
    feedback (REMB) stops at our sender, so the only cap is the one the sending browser applies:
    browsers honour `b=AS`/`b=TIAS` in the remote description as their maximum send bitrate.
    """
    lines = answer_sdp.split("\r\n")
    out: list[str] = []
    section: str | None = None
    pending = False
    for line in lines:
        if line.startswith("m="):
            section = line[2:].split(" ", 1)[0]
            pending = section == "video"
            out.append(line)
            continue
        if pending and section == "video" and not line.startswith(("i=", "c=")):
            out += [f"b=AS:{max(1, bitrate // 1000)}", f"b=TIAS:{bitrate}"]
            pending = False
        out.append(line)
    return "\r\n".join(out)
