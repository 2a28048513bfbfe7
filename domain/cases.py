"""Citizen cases (offence reports, appeals, internal-security complaints), pure.

Status lifecycle, one table of legal edges::

    received -> assigned -> in_progress -> answered -> closed
    received | assigned | in_progress -> closed
    answered -> in_progress                      (reopen)

``closed`` is terminal. Who may read a case is decided here too (``may_read``), so every
route, list and download asks the same question.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from types import MappingProxyType

from domain.errors import IllegalTransition, InvalidInput
from domain.roles import Role


class CaseKind(enum.StrEnum):
    REPORT = "report"  # an offence report
    APPEAL = "appeal"  # an appeal to the police
    COMPLAINT = "complaint"  # about a police officer, for internal security only

    @property
    def prefix(self) -> str:
        return _PREFIXES[self]


_PREFIXES: MappingProxyType[CaseKind, str] = MappingProxyType(
    {CaseKind.REPORT: "R", CaseKind.APPEAL: "A", CaseKind.COMPLAINT: "C"}
)


class ReportCategory(enum.StrEnum):
    TRAFFIC_VIOLATION = "traffic_violation"
    ROAD_ACCIDENT = "road_accident"
    DOMESTIC_DISPUTE = "domestic_dispute"
    CHILD_CRUELTY = "child_cruelty"
    ANIMAL_CRUELTY = "animal_cruelty"
    HOOLIGANISM = "hooliganism"
    FIGHT = "fight"
    NIGHT_NOISE = "night_noise"
    PUBLIC_DRUNKENNESS = "public_drunkenness"
    DRUNK_DRIVER = "drunk_driver"
    SUSPICIOUS_PERSON = "suspicious_person"
    OTHER = "other"


class CaseStatus(enum.StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


S = CaseStatus
TRANSITIONS: MappingProxyType[CaseStatus, frozenset[CaseStatus]] = MappingProxyType(
    {
        S.RECEIVED: frozenset({S.ASSIGNED, S.CLOSED}),
        S.ASSIGNED: frozenset({S.IN_PROGRESS, S.CLOSED}),
        S.IN_PROGRESS: frozenset({S.ANSWERED, S.CLOSED}),
        S.ANSWERED: frozenset({S.CLOSED, S.IN_PROGRESS}),
        S.CLOSED: frozenset(),
    }
)
del S


def next_status(current: CaseStatus, target: CaseStatus) -> CaseStatus:
    """``target`` if the table has the edge, else IllegalTransition."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(f"a case that is {current.value} cannot become {target.value}")
    return target


def path_to(current: CaseStatus, target: CaseStatus) -> list[CaseStatus]:
    """The shortest run of legal steps from ``current`` to ``target`` (excluding ``current``).

    Answering a case that nobody formally took yet walks it through assigned and in_progress,
    so its history stays a chain of legal edges. IllegalTransition if there is no such run or
    the case is already there.
    """
    previous: dict[CaseStatus, CaseStatus] = {}
    frontier = deque([current])
    while frontier:
        status = frontier.popleft()
        for step in sorted(TRANSITIONS[status]):
            if step in previous or step == current:
                continue
            previous[step] = status
            if step == target:
                path = [step]
                while path[-1] in previous and previous[path[-1]] != current:
                    path.append(previous[path[-1]])
                return path[::-1]
            frontier.append(step)
    raise IllegalTransition(f"a case that is {current.value} cannot become {target.value}")


# Which kinds each role may read at all; centre rules come on top (may_read).
_READABLE: MappingProxyType[Role, frozenset[CaseKind]] = MappingProxyType(
    {
        Role.OPERATOR: frozenset({CaseKind.REPORT, CaseKind.APPEAL}),
        Role.SUPERVISOR: frozenset({CaseKind.REPORT, CaseKind.APPEAL}),
        Role.INTERNAL_SECURITY: frozenset({CaseKind.COMPLAINT}),
    }
)


def readable_kinds(role: Role) -> frozenset[CaseKind]:
    """Kinds of case this role may ever read (admins: none; they read the audit log)."""
    return _READABLE.get(role, frozenset())


def may_read(role: Role, kind: CaseKind, user_centre: str | None, case_centre: str | None) -> bool:
    """Whether a staff member may read (and work on) one case.

    Complaints go to internal security in every centre, and to nobody else; reports and
    appeals to the operators and supervisors of the centre they were routed to.
    """
    if kind not in readable_kinds(role):
        return False
    if kind is CaseKind.COMPLAINT:
        return True
    return user_centre is not None and user_centre == case_centre


NUMBER_DIGITS = 6


def case_number(kind: CaseKind, year: int, sequence: int) -> str:
    """The public number of a case, e.g. ``R-2026-000123`` (sequence per kind and year)."""
    if sequence < 1:
        raise InvalidInput(f"case sequence must be positive, got {sequence}")
    return f"{kind.prefix}-{year:04d}-{sequence:0{NUMBER_DIGITS}d}"


SUMMARY_CHARS = 200


def summary(text: str) -> str:
    """What a list shows of a case's text: its first 200 characters."""
    return text[:SUMMARY_CHARS]


# Kazakhstan keeps one time zone, UTC+5, since March 2024: a case filed in the first hours
# of 1 January local time belongs to the new year.
NUMBER_UTC_OFFSET_S = 5 * 3600


def number_year(created_at: float) -> int:
    """The year a case's number carries (Kazakhstan time)."""
    return time.gmtime(created_at + NUMBER_UTC_OFFSET_S).tm_year
