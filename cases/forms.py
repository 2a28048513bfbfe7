"""The citizen's form fields, parsed once into a validated ``CaseForm`` per channel.

Every refusal is ``InvalidInput`` (``invalid_payload``) naming the field. Text is kept as the
citizen typed it (trimmed); it is escaped where it is shown, never here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from domain.cases import CaseKind, ReportCategory
from domain.errors import InvalidInput, InvalidLocation
from geo.location import Location

LANGS = frozenset({"kk", "ru", "en"})
# A device clock a few minutes fast must not make a report of "just now" fail.
FUTURE_SLACK_S = 300.0
PHONE = re.compile(r"\+?[0-9 ()\-]{5,32}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
TRUE_WORDS = frozenset({"true", "on", "1", "yes"})
FALSE_WORDS = frozenset({"false", "off", "0", "no", ""})

NAME_CHARS = 200
DESCRIPTION_CHARS = 5000
SUBJECT_CHARS = 200
TEXT_CHARS = 10000
OFFICER_CHARS = 500
UNIT_CHARS = 200
PLACE_CHARS = 500


@dataclass(frozen=True, slots=True)
class CaseForm:
    kind: CaseKind
    content: dict[str, Any]  # kind-specific fields, as stored (CaseRecord.content)
    category: ReportCategory | None
    contact: dict[str, str] | None
    anonymous: bool
    location: Location | None
    lang: str | None


def _text(fields: Mapping[str, str], name: str, limit: int, *, required: bool) -> str | None:
    value = fields.get(name, "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{name} is required")
        return None
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character")
    return value


def _required(fields: Mapping[str, str], name: str, limit: int) -> str:
    value = _text(fields, name, limit, required=True)
    assert value is not None  # required=True
    return value


def _occurred_at(fields: Mapping[str, str], now: float) -> float | None:
    raw = fields.get("occurred_at", "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput("occurred_at must be Unix seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput("occurred_at must be Unix seconds")
    if value > now + FUTURE_SLACK_S:
        raise InvalidInput("occurred_at is in the future")
    return value


def _location(fields: Mapping[str, str], now: float) -> Location | None:
    raw = fields.get("location", "").strip()
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        raise InvalidInput("location must be a JSON object") from None
    if data is None:
        return None
    if isinstance(data, dict) and "fixed_at" not in data:
        # A pin on a map has no fix time: it is where the citizen says, as of now.
        data = {**data, "fixed_at": now}
    try:
        return Location.from_payload(data, now=now)
    except InvalidLocation as exc:
        raise InvalidInput(f"location: {exc.message}") from None


def _lang(fields: Mapping[str, str]) -> str | None:
    lang = fields.get("lang", "").strip() or None
    if lang is not None and lang not in LANGS:
        raise InvalidInput("lang must be kk, ru or en")
    return lang


def _contact(fields: Mapping[str, str], *, name_field: str, required: bool) -> dict[str, str]:
    """Name, phone, email; with ``required``, a name and at least a phone or an email."""
    prefix = "contact_" if name_field == "contact_name" else ""
    name = _text(fields, name_field, NAME_CHARS, required=required)
    phone = _text(fields, f"{prefix}phone", 32, required=False)
    email = _text(fields, "contact_email", 254, required=False) if prefix else None
    if phone is not None and (
        not PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 5
    ):
        raise InvalidInput(f"{prefix}phone is not a phone number")
    if email is not None and not EMAIL.fullmatch(email):
        raise InvalidInput("contact_email is not an e-mail address")
    if required and phone is None and email is None:
        raise InvalidInput("contact_phone or contact_email is required")
    contact = {"name": name, "phone": phone, "email": email}
    return {key: value for key, value in contact.items() if value is not None}


def _flag(fields: Mapping[str, str], name: str) -> bool:
    raw = fields.get(name, "").strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise InvalidInput(f"{name} must be true or false")


def parse_report(fields: Mapping[str, str], *, now: float) -> CaseForm:
    raw_category = fields.get("category", "").strip()
    if not raw_category:
        raise InvalidInput("category is required")
    try:
        category = ReportCategory(raw_category)
    except ValueError:
        raise InvalidInput(f"category {raw_category[:40]!r} is not a report category") from None
    description = _required(fields, "description", DESCRIPTION_CHARS)
    contact = _contact(fields, name_field="name", required=False)
    return CaseForm(
        kind=CaseKind.REPORT,
        content={"description": description, "occurred_at": _occurred_at(fields, now)},
        category=category,
        contact=contact or None,
        anonymous=False,
        location=_location(fields, now),
        lang=_lang(fields),
    )


def parse_appeal(fields: Mapping[str, str], *, now: float) -> CaseForm:
    subject = _required(fields, "subject", SUBJECT_CHARS)
    text = _required(fields, "text", TEXT_CHARS)
    return CaseForm(
        kind=CaseKind.APPEAL,
        content={"subject": subject, "text": text},
        category=None,
        contact=_contact(fields, name_field="contact_name", required=True),
        anonymous=False,
        location=_location(fields, now),
        lang=_lang(fields),
    )


def parse_complaint(fields: Mapping[str, str], *, now: float) -> CaseForm:
    text = _required(fields, "text", TEXT_CHARS)
    anonymous = _flag(fields, "anonymous")
    # An anonymous complainant's contact fields are not even validated: they are dropped.
    contact = None if anonymous else _contact(fields, name_field="contact_name", required=True)
    return CaseForm(
        kind=CaseKind.COMPLAINT,
        content={
            "officer": _required(fields, "officer", OFFICER_CHARS),
            "unit": _text(fields, "unit", UNIT_CHARS, required=False),
            "place": _text(fields, "place", PLACE_CHARS, required=False),
            "occurred_at": _occurred_at(fields, now),
            "text": text,
        },
        category=None,
        contact=contact,
        anonymous=anonymous,
        location=_location(fields, now),
        lang=_lang(fields),
    )


PARSERS: MappingProxyType[CaseKind, Callable[..., CaseForm]] = MappingProxyType(
    {
        CaseKind.REPORT: parse_report,
        CaseKind.APPEAL: parse_appeal,
        CaseKind.COMPLAINT: parse_complaint,
    }
)
