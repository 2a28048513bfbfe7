"""Evidence files: streamed to disk, type sniffed from magic bytes, stored by SHA-256."""

from evidence.sniff import MediaKind, MediaType, sniff
from evidence.store import EvidenceLimits, EvidenceStore, StagedFile, StoredFile

__all__ = [
    "EvidenceLimits",
    "EvidenceStore",
    "MediaKind",
    "MediaType",
    "StagedFile",
    "StoredFile",
    "sniff",
]
