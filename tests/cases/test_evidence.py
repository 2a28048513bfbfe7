"""The evidence store on its own: streaming, hashing, limits, content addresses, cleanup."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from domain.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from evidence.store import EvidenceLimits, EvidenceStore
from tests.cases.conftest import jpeg, mp4


class Chunks:
    """An upload arriving in pieces; ``fail_after`` drops the connection midway."""

    def __init__(self, data: bytes, piece: int = 7000, fail_after: int | None = None) -> None:
        self.data, self.piece, self.fail_after, self.sent = data, piece, fail_after, 0

    async def read_chunk(self, size: int = 65536) -> bytes:
        if self.fail_after is not None and self.sent >= self.fail_after:
            raise ConnectionResetError("client went away")
        chunk = self.data[self.sent : self.sent + min(size, self.piece)]
        self.sent += len(chunk)
        return chunk


@pytest.fixture
async def store(tmp_path: Path) -> EvidenceStore:
    made = EvidenceStore(tmp_path / "ev", EvidenceLimits(100_000, 3_000_000, 5))
    await made.prepare()
    return made


def files(store: EvidenceStore) -> list[Path]:
    return sorted(p for p in store.root.rglob("*") if p.is_file())


async def test_stage_and_commit_by_content(store: EvidenceStore) -> None:
    video = mp4(2_500_000)
    staged = await store.stage(Chunks(video))
    assert staged.sha256 == hashlib.sha256(video).hexdigest() and staged.size == len(video)
    assert staged.media.mime == "video/mp4" and staged.temp_path.exists()
    stored = await store.commit(staged)
    assert stored.created and stored.path == store.path_of(staged.sha256)
    assert stored.path.read_bytes() == video and not staged.temp_path.exists()

    again = await store.commit(await store.stage(Chunks(video, piece=997)))
    assert not again.created and files(store) == [stored.path]
    await store.discard([again])  # not created by it: stays for the first case
    assert stored.path.exists()
    await store.discard([stored])
    assert files(store) == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"hello, this is text" * 10, UnsupportedMediaType),
        (jpeg(100_001), PayloadTooLarge),
        (mp4(3_000_001), PayloadTooLarge),
        (b"", InvalidInput),
    ],
)
async def test_refusals_leave_nothing(store: EvidenceStore, data: bytes, error: type) -> None:
    with pytest.raises(error):
        await store.stage(Chunks(data))
    assert files(store) == []


async def test_interruption_leaves_nothing(store: EvidenceStore) -> None:
    with pytest.raises(ConnectionResetError):
        await store.stage(Chunks(mp4(2_000_000), fail_after=1_500_000))
    assert files(store) == [] and store.temp_files() == []


async def test_oversize_is_refused_as_soon_as_it_is_known(store: EvidenceStore) -> None:
    source = Chunks(jpeg(2_000_000))
    with pytest.raises(PayloadTooLarge):
        await store.stage(source)
    assert source.sent < 100_000 + 65536  # stopped reading right after the limit


def test_path_of_refuses_anything_but_a_digest(store: EvidenceStore) -> None:
    with pytest.raises(InvalidInput):
        store.path_of("../../etc/passwd")
