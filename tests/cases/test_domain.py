"""The pure parts: status table, visibility rule, numbers, magic-byte sniffing (no I/O)."""

from __future__ import annotations

import itertools

import pytest

from domain.cases import (
    TRANSITIONS,
    CaseKind,
    CaseStatus,
    case_number,
    may_read,
    next_status,
    number_year,
    path_to,
    readable_kinds,
    summary,
)
from domain.errors import IllegalTransition
from domain.roles import Role
from evidence.sniff import MediaKind, sniff

S = CaseStatus
LEGAL = {
    (S.RECEIVED, S.ASSIGNED),
    (S.ASSIGNED, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.ANSWERED),
    (S.ANSWERED, S.CLOSED),
    (S.RECEIVED, S.CLOSED),
    (S.ASSIGNED, S.CLOSED),
    (S.IN_PROGRESS, S.CLOSED),
    (S.ANSWERED, S.IN_PROGRESS),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_pair_of_statuses(current: CaseStatus, target: CaseStatus) -> None:
    if (current, target) in LEGAL:
        assert next_status(current, target) is target
    else:
        with pytest.raises(IllegalTransition):
            next_status(current, target)


def test_table_is_exactly_the_contract() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == LEGAL


def test_answer_walks_the_legal_path() -> None:
    assert path_to(S.RECEIVED, S.ANSWERED) == [S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED]
    assert path_to(S.IN_PROGRESS, S.ANSWERED) == [S.ANSWERED]
    for stuck in (S.ANSWERED, S.CLOSED):
        with pytest.raises(IllegalTransition):
            path_to(stuck, S.ANSWERED)


def test_who_may_read_what() -> None:
    for role in (Role.OPERATOR, Role.SUPERVISOR):
        for kind in (CaseKind.REPORT, CaseKind.APPEAL):
            assert may_read(role, kind, "almaty-city", "almaty-city")
            assert not may_read(role, kind, "astana", "almaty-city")
            assert not may_read(role, kind, None, "almaty-city")
        assert not may_read(role, CaseKind.COMPLAINT, "almaty-city", "almaty-city")
    assert may_read(Role.INTERNAL_SECURITY, CaseKind.COMPLAINT, None, "astana")
    assert not may_read(Role.INTERNAL_SECURITY, CaseKind.REPORT, "astana", "astana")
    for role in (Role.ADMIN, Role.CITIZEN):
        assert readable_kinds(role) == frozenset()
        assert not any(may_read(role, kind, "astana", "astana") for kind in CaseKind)


def test_numbers_and_years() -> None:
    assert case_number(CaseKind.REPORT, 2026, 123) == "R-2026-000123"
    assert case_number(CaseKind.COMPLAINT, 2026, 1_000_000) == "C-2026-1000000"
    # 2025-12-31 20:00 UTC is already 2026-01-01 01:00 in Kazakhstan.
    assert number_year(1767211200.0) == 2026
    assert summary("x" * 300) == "x" * 200


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"\xff\xd8\xff\xe1" + b"\x00" * 60, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 56, "image/png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 48, "image/webp"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 52, "image/heic"),
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 52, "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 52, "video/quicktime"),
        (b"\x00\x00\x00\x14ftyp3gp4" + b"\x00" * 52, "video/3gpp"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 48, "video/webm"),
    ],
)
def test_sniffing_accepts_photos_and_videos(head: bytes, mime: str) -> None:
    found = sniff(head)
    assert found is not None and found.mime == mime
    assert found.kind is (MediaKind.PHOTO if mime.startswith("image/") else MediaKind.VIDEO)


@pytest.mark.parametrize(
    "head",
    [
        b"just some text, honestly a photo\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.7\n",
        b"GIF89a" + b"\x00" * 58,
        b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 52,  # audio only
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska" + b"\x00" * 40,
        b"PK\x03\x04",
        b"",
    ],
)
def test_sniffing_refuses_everything_else(head: bytes) -> None:
    assert sniff(head) is None
