"""HTTP routes the operator console reads besides Socket.IO: configuration, map, call records."""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from domain.errors import Forbidden, UnknownCall
from domain.roles import Role
from server.auth import current_staff
from server.keys import GEO, RECORDS, SETTINGS

CONSOLE_ROLES = (Role.OPERATOR, Role.SUPERVISOR)


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
    await current_staff(request, CONSOLE_ROLES)
    return web.json_response(request.app[GEO].region_outlines())


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


def setup(app: web.Application) -> None:
    app.router.add_get("/api/console/config", console_config)
    app.router.add_get("/api/geo/regions", region_outlines)
    app.router.add_get(r"/api/calls/{call_id:[0-9a-f]{32}}", call_record)
