"""Tables for reports, appeals, complaints and their attachments ({serial}/{json} as in schema)."""

TABLES = ""
