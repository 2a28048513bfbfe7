"""HTTP routes the operator console reads besides Socket.IO: configuration, map, call records."""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from domain.errors import Forbidden, InvalidInput, UnknownCall
from domain.roles import Role
from server.auth import current_staff
from server.keys import GEO, RECORDS, SETTINGS

CONSOLE_ROLES = (Role.OPERATOR, Role.SUPERVISOR)
LIST_ROLES = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)
MAX_CALLS_LISTED = 200


async def console_config(request: web.Request) -> web.Response:
    user = await current_staff(request, CONSOLE_ROLES)
    settings = request.app[SETTINGS]
    centre = settings.centres.get(user.centre or "")
    return web.json_response(
        {
            "ok": True,
            "centre": {"id": centre.id, "name": centre.name} if centre else None,
            "centres": [
                {"id": c.id, "name": c.name, "region_codes": sorted(c.region_codes)}
                for c in settings.centres.centres
            ],
            "tile_url": settings.geo.tile_url,
            "tile_attribution": settings.geo.tile_attribution,
            "boundary_attribution": settings.geo.boundary_attribution,
        }
    )


async def region_outlines(request: web.Request) -> web.Response:
    # Public: the outlines are published map data, and citizens pin places on the same map.
    return web.json_response(
        request.app[GEO].region_outlines(), headers={"Cache-Control": "public, max-age=86400"}
    )


async def call_record(request: web.Request) -> web.Response:
    user = await current_staff(request, CONSOLE_ROLES)
    call_id = request.match_info["call_id"]
    record = await request.app[RECORDS].get_call(call_id)
    if record is None:
        raise UnknownCall(f"no call {call_id}")
    if user.role is Role.OPERATOR and record.centre != user.centre:
        raise Forbidden("the call belongs to another centre")
    await request.app[RECORDS].audit(user.id, "read_call", f"call:{call_id}", {})
    return web.json_response({"ok": True, "call": asdict(record)})


def _limit(raw: str | None) -> int:
    if raw is None:
        return 50
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_CALLS_LISTED:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_CALLS_LISTED}")
    return int(raw)


async def list_calls(request: web.Request) -> web.Response:
    """Recent calls, newest first (live and ended), without trails: the recordings list."""
    user = await current_staff(request, LIST_ROLES)
    limit = _limit(request.query.get("limit"))
    centre = request.query.get("centre") or None
    if user.role is Role.OPERATOR:
        if centre not in (None, user.centre):
            raise Forbidden("operators see the calls of their own centre only")
        centre = user.centre
    elif centre is not None and centre not in request.app[SETTINGS].centres:
        raise InvalidInput(f"unknown centre {centre!r}")
    store = request.app[RECORDS]
    calls = await store.list_calls(centre, limit)
    names: dict[str, str | None] = {}
    for operator_id in {c.operator_id for c in calls} - {None}:
        assert operator_id is not None
        operator = await store.get_user(operator_id)
        names[operator_id] = operator.display_name if operator else None
    await store.audit(user.id, "list_calls", None, {"centre": centre, "limit": limit})
    return web.json_response(
        {
            "ok": True,
            "calls": [
                {
                    **{k: v for k, v in asdict(c).items() if k != "trail"},
                    "operator_name": names.get(c.operator_id or ""),
                }
                for c in calls
            ],
        }
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/api/console/config", console_config)
    app.router.add_get("/api/geo/regions", region_outlines)
    app.router.add_get(r"/api/calls/{call_id:[0-9a-f]{32}}", call_record)
    app.router.add_get("/api/calls", list_calls)
