"""Staff and citizen roles, and what each may do."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    INTERNAL_SECURITY = "internal_security"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.INTERNAL_SECURITY, Role.ADMIN})

# Which Socket.IO staff namespace each role may open.
NAMESPACE_ROLES: dict[str, frozenset[Role]] = {
    "/operator": frozenset({Role.OPERATOR, Role.SUPERVISOR}),
    "/supervisor": frozenset({Role.SUPERVISOR, Role.ADMIN}),
}
