"""Queries for call recordings: file, hash, size, retention (issue 4)."""

from __future__ import annotations

from records.primitives import SqlPrimitives


class RecordingQueries(SqlPrimitives):
    """Mixed into SqlRecordStore; tables in records/schema_recordings.py."""
