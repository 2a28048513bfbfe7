"""What a file is, from its first bytes: the accepted photo and video types, nothing else.

The name and the declared Content-Type of an upload are the sender's claims; the magic bytes
are what a viewer will actually decode, so only they decide.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# Enough for every signature below (WebM's DocType sits within the first ~40 bytes).
HEAD_BYTES = 64


class MediaKind(enum.StrEnum):
    PHOTO = "photo"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class MediaType:
    kind: MediaKind
    mime: str


JPEG = MediaType(MediaKind.PHOTO, "image/jpeg")
PNG = MediaType(MediaKind.PHOTO, "image/png")
WEBP = MediaType(MediaKind.PHOTO, "image/webp")
HEIC = MediaType(MediaKind.PHOTO, "image/heic")
MP4 = MediaType(MediaKind.VIDEO, "video/mp4")
MOV = MediaType(MediaKind.VIDEO, "video/quicktime")
WEBM = MediaType(MediaKind.VIDEO, "video/webm")
THREE_GP = MediaType(MediaKind.VIDEO, "video/3gpp")

# ISO base media "ftyp" major brands. Audio-only brands (M4A, M4B) are deliberately absent.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
_MP4_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
        b"M4V ", b"M4VH", b"M4VP", b"dash", b"MSNV", b"mmp4", b"XAVC", b"f4v ", b"NDSC",
        b"NDSH", b"NDSM", b"NDSP", b"NDSS", b"NDXC", b"NDXH", b"NDXM", b"NDXP", b"NDXS",
    }
)  # fmt: skip
# QuickTime files from before "ftyp" (they start straight with a moov/mdat/wide atom) are
# refused: those atom names at offset 4 are too easily matched by arbitrary data.


def sniff(head: bytes) -> MediaType | None:
    """The accepted type these leading bytes start, or None (refuse the file)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # EBML: WebM is the Matroska profile whose DocType says "webm".
        return WEBM if b"webm" in head[:HEAD_BYTES] else None
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return HEIC
        if brand == b"qt  ":
            return MOV
        if brand.startswith((b"3gp", b"3g2")):
            return THREE_GP
        if brand in _MP4_BRANDS:
            return MP4
        return None
    return None
