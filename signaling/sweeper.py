"""What a node does for the calls of nodes that died (several nodes sharing Redis).

A caller's drop timer and an operator's drop timer run on the node their socket was on; if
that node dies hard, the timers die with it. Every node therefore beats a heartbeat into the
live state, and one node at a time (a lease) looks for callers and operators whose node has
stopped beating, and starts the same drop path for them as if their socket had just closed:
the caller has the usual grace period to resume (on any node) before the call is recorded as
abandoned or ended; an operator's call goes back to the queue.
"""

from __future__ import annotations

import asyncio
import logging

from domain.roles import Role
from signaling.core import CallCore
from signaling.operators import OperatorCalls, StaffUser
from signaling.service import CitizenCalls

log = logging.getLogger("102.sweeper")


class DeadNodeSweeper:
    def __init__(self, core: CallCore, interval_s: float = 5.0) -> None:
        self.core = core
        self.interval_s = interval_s
        # (who, connection) already handed to a drop timer: a new connection is a new case.
        self._handled: set[tuple[str, str]] = set()

    async def run(self) -> None:
        while True:
            try:
                await self.core.live.node_heartbeat(self.core.node, 3 * self.interval_s)
                if await self.core.live.try_lock("sweeper", self.core.node, self.interval_s):
                    await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:  # the sweeper must outlive a Redis hiccup
                log.exception("dead-node sweep failed; will retry")
            await asyncio.sleep(self.interval_s)

    async def _gone(self, node: str | None) -> bool:
        if not node or node == self.core.node:
            return False  # this node's own drops have their own timers
        return not await self.core.live.node_alive(node)

    async def sweep(self) -> None:
        core = self.core
        for call in await core.live.list_calls(None):
            case = (f"call:{call.id}", call.caller_connection)
            if call.state.terminal or case in self._handled:
                continue
            if await self._gone(call.caller_node):
                self._handled.add(case)
                log.warning("call %s: caller's node %s is gone", call.id, call.caller_node)
                await CitizenCalls(core).disconnected(call.id, call.caller_connection)
        for presence in await core.live.list_operators(None):
            case = (f"op:{presence.operator_id}", presence.connection)
            if case in self._handled:
                continue
            if await self._gone(presence.node):
                self._handled.add(case)
                log.warning("operator %s: node %s is gone", presence.operator_id, presence.node)
                user = StaffUser(
                    presence.operator_id, "", Role.OPERATOR, presence.centre, presence.display_name
                )
                await OperatorCalls(core).disconnected(user, presence.connection)
