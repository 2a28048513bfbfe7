"""Tables for call recordings ({serial}/{json} as in schema).

One row per call: the WebM file's path, its SHA-256 and size when the call closed (the chain of
custody starts there), and when it was purged after retention (the row itself stays).
"""

TABLES = """
CREATE TABLE IF NOT EXISTS call_recordings (
    call_id TEXT PRIMARY KEY REFERENCES calls (id),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    size BIGINT NOT NULL CHECK (size >= 0),
    started_at DOUBLE PRECISION NOT NULL,
    ended_at DOUBLE PRECISION NOT NULL,
    stored_at DOUBLE PRECISION NOT NULL,
    purged_at DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS call_recordings_ended ON call_recordings (ended_at);
"""
