"""What the call service needs from the outside, as protocols (injected by create_app)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Notifier(Protocol):
    """Delivers server -> client events (Socket.IO rooms in production, lists in unit tests)."""

    async def citizen(self, call_id: str, event: str, data: dict[str, Any]) -> None: ...

    async def operator(self, operator_id: str, event: str, data: dict[str, Any]) -> None: ...

    async def centre(self, centre: str, event: str, data: dict[str, Any]) -> None: ...

    async def supervisors(self, event: str, data: dict[str, Any]) -> None: ...


class MediaPort(Protocol):
    async def answer(self, call_id: str, party: str, offer_sdp: str) -> str: ...

    async def close_party(self, call_id: str, party: str) -> None: ...

    async def close_call(self, call_id: str) -> object: ...

    async def set_barge(self, call_id: str, active: bool) -> None: ...

    def calls(self) -> list[str]: ...

    def on_party_lost(self, callback: Callable[[str, str], Any]) -> object: ...


class GeoAnswerLike(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class RefinedAddress(Protocol):
    text: str
    text_ru: str
    text_kk: str
    source: str
    flags: tuple[str, ...]


class AddressRefiner(Protocol):
    """An online geocoder (Nominatim on the deployment's own server) that improves the
    instant offline address; it may raise GeocoderError / GeocoderRateLimited."""

    async def describe_async(self, lat: float, lon: float) -> Any: ...

    async def close(self) -> None: ...


class GeoPort(Protocol):
    def locate(self, lat: float, lon: float, accuracy_m: float | None = None) -> Any: ...
