"""Relay benchmark (python -m bench.relay): forwarding media worker vs decode/re-encode relay."""
