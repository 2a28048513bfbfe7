"""Tables for reports, appeals, complaints and their attachments ({serial}/{json} as in schema).

The tracking token is never stored, only its SHA-256 (a leaked database gives no links).
``change_id`` is a random value written with every status change, so the history row of
that change is inserted in the same transaction only if that very update happened.
Anonymous complaints have ``contact`` NULL; no table has a column for an IP or user agent.
"""

TABLES = """
CREATE TABLE IF NOT EXISTS case_numbers (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'appeal', 'complaint')),
    category TEXT,
    status TEXT NOT NULL
        CHECK (status IN ('received', 'assigned', 'in_progress', 'answered', 'closed')),
    centre TEXT NOT NULL,
    region_code TEXT,
    tracking_hash TEXT NOT NULL UNIQUE,
    lang TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    content {json} NOT NULL,
    contact {json},
    anonymous BOOLEAN NOT NULL,
    location {json},
    geo {json},
    answer TEXT,
    answered_at DOUBLE PRECISION,
    answered_by TEXT,
    change_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_kind_created ON cases (kind, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS cases_kind_centre_created
    ON cases (kind, centre, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS case_history (
    id {serial},
    case_id TEXT NOT NULL REFERENCES cases (id),
    status TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL,
    actor TEXT NOT NULL,
    note TEXT,
    change_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_history_case ON case_history (case_id, id);
CREATE TABLE IF NOT EXISTS case_attachments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'video')),
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS case_attachments_case ON case_attachments (case_id, position);
CREATE INDEX IF NOT EXISTS case_attachments_sha256 ON case_attachments (sha256);
CREATE TABLE IF NOT EXISTS case_links (
    id {serial},
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('call', 'incident')),
    ref TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_links_case ON case_links (case_id, id);
"""
