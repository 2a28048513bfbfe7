"""Domain errors as JSON HTTP answers: one middleware, one status table."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from domain import errors

log = logging.getLogger("102.server")

STATUS: list[tuple[type[errors.Error102], int]] = [
    (errors.PayloadTooLarge, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.InvalidInput, 400),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.RateLimited, 429),
    (errors.ServiceUnavailable, 503),
]


def status_of(exc: errors.Error102) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def error_response(exc: errors.Error102) -> web.Response:
    return web.json_response({"ok": False, "error": exc.to_dict()}, status=status_of(exc))


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except errors.Error102 as exc:
        return error_response(exc)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return web.json_response(
            {"ok": False, "error": {"code": "internal", "message": "internal error"}}, status=500
        )


async def json_body(request: web.Request, max_bytes: int = 16 * 1024) -> dict[str, Any]:
    """The request's JSON object body, or InvalidInput (too large, not JSON, not an object)."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise errors.InvalidInput("body too large")
    try:
        data = await request.json()
    except ValueError:
        raise errors.InvalidInput("body must be JSON") from None
    if not isinstance(data, dict):
        raise errors.InvalidInput("body must be a JSON object")
    return data
