"""Where a call's media lives, across server nodes.

All legs of a call must terminate in one process (forwarding happens in memory), but its
caller and operator may be connected to different nodes. The first node to answer an offer
for a call claims it (``LiveCall.media_node``, compare-and-set in the shared live state); an
offer, hang-up or barge arriving at another node is sent to that node over the node bus and
answered from there. With one node (no Redis) everything is local.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from domain.errors import Error102, MediaNodeGone, UnknownCall
from live.base import LiveState
from media.rpc import error_from_wire
from signaling.ports import MediaPort


class NodeBus(Protocol):
    async def request(self, node: str, method: str, *args: Any) -> Any: ...


class MediaRouter:
    """A MediaPort that sends each call's media operations to the node holding its media."""

    def __init__(self, local: MediaPort, live: LiveState, node: str) -> None:
        self.local = local
        self.live = live
        self.node = node
        self.bus: NodeBus | None = None  # set when several nodes share Redis

    # Served to other nodes through the bus.
    def handlers(self) -> dict[str, Callable[..., Any]]:
        return {
            "answer": self.local.answer,
            "close_party": self.local.close_party,
            "close_call": self.local.close_call,
            "set_barge": self.local.set_barge,
        }

    async def _home(self, call_id: str, *, claim: bool) -> str | None:
        """The node holding the call's media; with ``claim``, this node if nobody yet."""
        while True:
            call = await self.live.get_call(call_id)
            if call is None:
                if claim:
                    raise UnknownCall(f"no live call {call_id}")
                return None
            if call.media_node is not None or not claim:
                return call.media_node
            if await self.live.replace_call(call.bump(media_node=self.node)):
                return self.node

    async def _remote(self, node: str, method: str, *args: Any) -> Any:
        assert self.bus is not None
        try:
            return await self.bus.request(node, method, *args)
        except Error102:
            raise
        except Exception as exc:
            error = getattr(exc, "error", None)
            if isinstance(error, dict):
                raise error_from_wire(error) from None  # the same domain error as there
            raise

    async def answer(self, call_id: str, party: str, offer_sdp: str) -> str:
        home = await self._home(call_id, claim=True) if self.bus else self.node
        if home != self.node:
            assert home is not None
            try:
                answer: str = await self._remote(home, "answer", call_id, party, offer_sdp)
                return answer
            except MediaNodeGone:
                # That node died with the call's legs: take the call's media over here. The
                # other party's client re-offers too (after reconnecting) and lands here.
                await self._reclaim(call_id, home)
        return await self.local.answer(call_id, party, offer_sdp)

    async def _reclaim(self, call_id: str, dead: str) -> None:
        while True:
            call = await self.live.get_call(call_id)
            if call is None:
                raise UnknownCall(f"no live call {call_id}")
            if call.media_node != dead:
                if call.media_node == self.node:
                    return
                raise MediaNodeGone("the call's media moved while reclaiming; offer again")
            if await self.live.replace_call(call.bump(media_node=self.node)):
                return

    async def _route(self, call_id: str, method: str, *args: Any) -> Any:
        home = await self._home(call_id, claim=False) if self.bus else self.node
        if home in (None, self.node):
            return await getattr(self.local, method)(call_id, *args)
        try:
            return await self._remote(home, method, call_id, *args)
        except MediaNodeGone:
            return None  # its legs died with that node: nothing is left to close or mix

    async def close_party(self, call_id: str, party: str) -> None:
        await self._route(call_id, "close_party", party)

    async def close_call(self, call_id: str) -> object:
        return await self._route(call_id, "close_call")

    async def set_barge(self, call_id: str, active: bool) -> None:
        await self._route(call_id, "set_barge", active)

    def calls(self) -> list[str]:
        return self.local.calls()

    def on_party_lost(self, callback: Callable[[str, str], Any]) -> object:
        return self.local.on_party_lost(callback)
