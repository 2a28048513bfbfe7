"""Server -> client events over Socket.IO rooms (shared across nodes by the Redis manager)."""

from __future__ import annotations

from typing import Any

import socketio

CITIZEN_NS = "/citizen"
OPERATOR_NS = "/operator"
SUPERVISOR_NS = "/supervisor"


def call_room(call_id: str) -> str:
    return f"call:{call_id}"


def operator_room(operator_id: str) -> str:
    return f"op:{operator_id}"


def centre_room(centre: str) -> str:
    return f"centre:{centre}"


SUPERVISORS_ROOM = "supervisors"


class SocketNotifier:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def citizen(self, call_id: str, event: str, data: dict[str, Any]) -> None:
        await self.sio.emit(event, data, room=call_room(call_id), namespace=CITIZEN_NS)

    async def operator(self, operator_id: str, event: str, data: dict[str, Any]) -> None:
        await self.sio.emit(event, data, room=operator_room(operator_id), namespace=OPERATOR_NS)

    async def centre(self, centre: str, event: str, data: dict[str, Any]) -> None:
        await self.sio.emit(event, data, room=centre_room(centre), namespace=OPERATOR_NS)

    async def supervisors(self, event: str, data: dict[str, Any]) -> None:
        await self.sio.emit(event, data, room=SUPERVISORS_ROOM, namespace=SUPERVISOR_NS)
