"""Tables for call recordings ({serial}/{json} as in schema)."""

TABLES = ""
