"""Queries for citizen reports, appeals and internal-security complaints (issue 5)."""

from __future__ import annotations

from records.primitives import SqlPrimitives


class CaseQueries(SqlPrimitives):
    """Mixed into SqlRecordStore; tables in records/schema_cases.py."""
