"""Evidence files on disk: streamed in, hashed while streaming, stored by SHA-256.

An upload is written to ``<dir>/tmp/<random>.part`` as it arrives (at most ``WRITE_BYTES``
of it in memory at a time), its type decided from its first bytes and its size checked
against that type's limit as it grows. Only a complete file becomes evidence: ``commit``
hard-links it to ``<dir>/<aa>/<bb>/<sha256>`` (never over an existing file) and removes the
temporary name. Anything that goes wrong on the way (a refused type, a file over its limit,
a client that disconnects, a full disk) removes the temporary file before the error leaves.

Identical content is stored once; ``StoredFile.created`` tells whether this upload put the
file there, so a submission that fails later removes only what it created.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

from domain.errors import InvalidInput, PayloadTooLarge, StorageError, UnsupportedMediaType
from evidence.sniff import HEAD_BYTES, MediaKind, MediaType, sniff

READ_BYTES = 64 * 1024
# Bytes gathered before one write in a worker thread: the memory one upload may hold.
WRITE_BYTES = 1024 * 1024
# Temporary files older than this are leftovers of a crash, removed at start-up.
STALE_TEMP_S = 24 * 3600
SHA256_HEX = re.compile(r"[0-9a-f]{64}")

T = TypeVar("T")


class ChunkSource(Protocol):
    """Where an upload's bytes come from (aiohttp's BodyPartReader is one)."""

    async def read_chunk(self, size: int = ...) -> bytes: ...


@dataclass(frozen=True, slots=True)
class EvidenceLimits:
    max_photo_bytes: int
    max_video_bytes: int
    max_attachments: int

    def max_bytes(self, kind: MediaKind | None) -> int:
        if kind is MediaKind.PHOTO:
            return self.max_photo_bytes
        if kind is MediaKind.VIDEO:
            return self.max_video_bytes
        return max(self.max_photo_bytes, self.max_video_bytes)  # type not known yet


@dataclass(frozen=True, slots=True)
class StagedFile:
    """A complete upload under its temporary name, not yet evidence."""

    temp_path: Path
    sha256: str
    size: int
    media: MediaType


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    size: int
    media: MediaType
    path: Path
    created: bool  # False: identical bytes were already stored (for another case)


async def _disk(operation: Callable[[], T]) -> T:
    # Disk I/O runs in a worker thread; its errors become StorageError here, where it is
    # called, so they are never mistaken for the client's connection dropping.
    try:
        return await asyncio.to_thread(operation)
    except OSError as exc:
        raise StorageError(f"evidence storage failed: {exc.strerror or exc}") from exc


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


class EvidenceStore:
    def __init__(self, root: Path, limits: EvidenceLimits) -> None:
        self.root = root
        self.limits = limits
        self._tmp = root / "tmp"

    async def prepare(self) -> None:
        """Create the directories and remove temporary files a crash left behind."""

        def prepare() -> None:
            self._tmp.mkdir(parents=True, exist_ok=True)
            cutoff = time.time() - STALE_TEMP_S
            for leftover in self._tmp.glob("*.part"):
                with contextlib.suppress(FileNotFoundError):
                    if leftover.stat().st_mtime < cutoff:
                        leftover.unlink()

        await _disk(prepare)

    def path_of(self, sha256: str) -> Path:
        if not SHA256_HEX.fullmatch(sha256):
            raise InvalidInput("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def temp_files(self) -> list[Path]:
        """Uploads in progress (or leaked ones: tests assert there are none)."""
        return sorted(self._tmp.glob("*.part")) if self._tmp.exists() else []

    async def stage(self, source: ChunkSource) -> StagedFile:
        """Stream one upload to a temporary file; UnsupportedMediaType, PayloadTooLarge."""
        temp = self._tmp / f"{secrets.token_hex(16)}.part"
        handle: BinaryIO = await _disk(lambda: temp.open("xb"))
        try:
            staged = await self._receive(source, handle, temp)
        except BaseException:
            # Synchronous on purpose: this also runs when the task is being cancelled.
            handle.close()
            _remove(temp)
            raise
        return staged

    async def _receive(self, source: ChunkSource, handle: BinaryIO, temp: Path) -> StagedFile:
        digest = hashlib.sha256()
        size = 0
        head = b""
        media: MediaType | None = None
        limit = self.limits.max_bytes(None)
        pending = bytearray()
        while chunk := await source.read_chunk(READ_BYTES):
            size += len(chunk)
            if media is None:
                head += chunk[: HEAD_BYTES - len(head)]
                if len(head) >= HEAD_BYTES:
                    media = _identify(head)
                    limit = self.limits.max_bytes(media.kind)
            if size > limit:
                raise PayloadTooLarge(f"a file is larger than the {limit} bytes allowed")
            digest.update(chunk)
            pending += chunk
            if len(pending) >= WRITE_BYTES:
                write = functools.partial(handle.write, bytes(pending))
                pending.clear()
                await _disk(write)
        if size == 0:
            raise InvalidInput("an attachment is empty")
        if media is None:  # shorter than HEAD_BYTES
            media = _identify(head)
            limit = self.limits.max_bytes(media.kind)
            if size > limit:
                raise PayloadTooLarge(f"a file is larger than the {limit} bytes allowed")
        block = bytes(pending)

        def finish() -> None:
            handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())  # evidence must survive a power cut once accepted
            handle.close()

        await _disk(finish)
        return StagedFile(temp, digest.hexdigest(), size, media)

    async def commit(self, staged: StagedFile) -> StoredFile:
        """Give a complete upload its content address (never overwriting stored evidence)."""
        final = self.path_of(staged.sha256)

        def link() -> bool:
            final.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(staged.temp_path, final)
                created = True
            except FileExistsError:
                created = False
            if created:
                final.chmod(0o440)
            staged.temp_path.unlink()
            return created

        try:
            created = await _disk(link)
        except BaseException:
            _remove(staged.temp_path)
            raise
        return StoredFile(staged.sha256, staged.size, staged.media, final, created)

    async def discard(self, files: list[StagedFile | StoredFile]) -> None:
        """Remove uploads of a submission that failed: temporary files, new evidence files."""
        for item in files:
            if isinstance(item, StagedFile):
                _remove(item.temp_path)
            elif item.created:
                _remove(item.path)


def _identify(head: bytes) -> MediaType:
    media = sniff(head)
    if media is None:
        raise UnsupportedMediaType(
            "an attachment is not a photo (JPEG, PNG, WebP, HEIC) or video (MP4, MOV, WebM, 3GP)"
        )
    return media
