"""The pure core of 102: call lifecycle, queue, operator selection, routing.

Nothing in this package performs I/O or imports asyncio, aiohttp, socketio, aiortc or redis;
adapters parse input into these types, ask the domain, then do the I/O it decided.
"""
