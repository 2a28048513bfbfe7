"""Staff login: argon2-checked passwords, random session tokens kept in live state.

The token travels as an HttpOnly, SameSite=Strict cookie (browsers) or as Socket.IO
``auth.session`` (apps). Sessions live in the LiveState so every node sees them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from domain.errors import Forbidden, InvalidInput, RateLimited, Unauthenticated
from domain.roles import Role
from records.models import User
from server.http_errors import json_body
from server.keys import LIVE, RECORDS, SETTINGS
from signaling.namespaces import SESSION_COOKIE
from signaling.operators import StaffUser
from signaling.ratelimit import RateLimiter

LOGIN_LIMITER = web.AppKey("login_limiter", RateLimiter)


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role.value,
        "centre": user.centre,
        "display_name": user.display_name,
    }


async def login(request: web.Request) -> web.Response:
    data = await json_body(request)
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        raise InvalidInput("username and password are required strings")
    if len(username) > 128 or len(password) > 1024:
        raise InvalidInput("username or password too long")
    limiter = request.app[LOGIN_LIMITER]
    if not limiter.allow(f"{request.remote}|{username.lower()}"):
        raise RateLimited("too many login attempts; wait a minute")
    user = await request.app[RECORDS].verify_password(username, password)
    if user is None:
        # One answer for unknown users and wrong passwords: no username probing.
        raise Unauthenticated("wrong username or password")
    token = secrets.token_urlsafe(32)
    settings = request.app[SETTINGS]
    await request.app[LIVE].put_session(
        token,
        {
            "user_id": user.id,
            "username": user.username,
            "role": user.role.value,
            "centre": user.centre,
            "display_name": user.display_name,
        },
        settings.server.session_ttl_s,
    )
    await request.app[RECORDS].audit(user.id, "login", f"user:{user.id}", {"ip": request.remote})
    response = web.json_response({"ok": True, "user": user_json(user)})
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=settings.server.secure_cookies or settings.server.tls_cert is not None,
        max_age=settings.server.session_ttl_s,
        path="/",
    )
    return response


def _token(request: web.Request) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        return token
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else None


async def current_staff(request: web.Request, roles: Iterable[Role] | None = None) -> StaffUser:
    """The signed-in staff member, or Unauthenticated / Forbidden."""
    token = _token(request)
    session = await request.app[LIVE].get_session(token) if token else None
    if session is None:
        raise Unauthenticated("log in first")
    user = StaffUser.from_session(session)
    # A deactivated account stops working at once, not when its session expires.
    account = await request.app[RECORDS].get_user(user.id)
    if account is None or not account.active:
        assert token is not None
        await request.app[LIVE].delete_session(token)
        raise Unauthenticated("this account is no longer active")
    if roles is not None and user.role not in set(roles):
        raise Forbidden(f"{user.role.value} may not do this")
    return user


async def me(request: web.Request) -> web.Response:
    staff = await current_staff(request)
    user = await request.app[RECORDS].get_user(staff.id)
    if user is None or not user.active:
        raise Unauthenticated("account no longer active")
    return web.json_response({"ok": True, "user": user_json(user)})


async def logout(request: web.Request) -> web.Response:
    token = _token(request)
    if token:
        await request.app[LIVE].delete_session(token)
    response = web.json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


def setup(app: web.Application) -> None:
    app[LOGIN_LIMITER] = RateLimiter(rate_per_s=5 / 60, burst=5.0)
    app.router.add_post("/api/auth/login", login)
    app.router.add_post("/api/auth/logout", logout)
    app.router.add_get("/api/auth/me", me)
