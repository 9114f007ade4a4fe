"""What the bodies of the API's incident calls ask for: a declaration, the tickets to attach,
an update. Each names every bad field at once (errors.Invalid); what only the services can
judge (whether a ticket may join, whether the incident is open) is theirs to say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.api.schemas import unknown_fields
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services.filing import clean_text
from helpdesk.tickets.services.incident_updates import check_body
from helpdesk.tickets.services.incidents import (
    check_provinces,
    check_system,
    check_title,
    clean_numbers,
    incident_category,
)

DECLARATION_FIELDS = ("title", "system", "category", "description", "provinces", "tickets")
ATTACH_FIELDS = ("tickets",)
UPDATE_FIELDS = ("body", "resolve", "expected_at")
# RFC 3339 (the OpenAPI `date-time`): a date, a time to the second and an offset.
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class Update:
    body: str
    resolve: bool
    expected_at: datetime | None


def declaration(data: dict) -> dict:
    """The arguments of `tickets.declare` a POST /incidents body gives (null or missing optional
    fields are not given)."""
    problems = unknown_fields(data, DECLARATION_FIELDS)
    checks = {
        "title": check_title,
        "system": check_system,
        "provinces": check_provinces,
        "tickets": clean_numbers,
    }
    for name, check in checks.items():
        noted(problems, check, data.get(name))
    category = data.get("category")
    if category is not None and not isinstance(category, str):
        problems["category"] = _("Must be text.")
    elif category:
        noted(problems, incident_category, category, [])
    description = clean_text(data.get("description"), "description", problems, multiline=True)
    refuse(problems)
    return {
        "title": data.get("title"),
        "system": data.get("system"),
        "category": category,
        "description": description,
        "provinces": data.get("provinces"),
        "numbers": data.get("tickets"),
    }


def ticket_numbers(data: dict) -> list[str]:
    """The numbers a POST /incidents/{number}/tickets body asks to attach."""
    problems = unknown_fields(data, ATTACH_FIELDS)
    if not isinstance(data.get("tickets"), list):
        problems["tickets"] = _("A list of ticket numbers.")
    else:
        noted(problems, clean_numbers, data["tickets"])
    refuse(problems)
    return data["tickets"]


def update(data: dict) -> Update:
    """The update a POST /incidents/{number}/updates body posts."""
    problems = unknown_fields(data, UPDATE_FIELDS)
    body = noted(problems, check_body, data.get("body"))
    resolve = data.get("resolve", False)
    if not isinstance(resolve, bool):
        problems["resolve"] = _("Must be true or false.")
    expected_at = None
    if data.get("expected_at") is not None:
        expected_at = parse_instant(data["expected_at"])
        if expected_at is None:
            problems["expected_at"] = _(
                "A date and time with its offset, as 2026-03-02T15:00:00+07:00."
            )
    refuse(problems)
    return Update(body=body, resolve=resolve, expected_at=expected_at)


def require_incident(ticket: Ticket) -> Ticket:
    """The ticket if it is an incident; a ticket that is not reads as one that does not exist."""
    if not ticket.is_incident:
        raise errors.NotFound(_("Ticket not found."))
    return ticket


def parse_instant(value) -> datetime | None:
    """An RFC 3339 date and time with its offset, as aware UTC; None for anything else."""
    if not isinstance(value, str) or DATE_TIME.fullmatch(value) is None:
        return None
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def noted(problems: dict[str, str], check, *args):
    """The check's answer, or None with the field it refused noted among the problems."""
    try:
        return check(*args)
    except errors.Invalid as error:
        problems.update(error.fields)
        return None


def refuse(problems: dict[str, str]) -> None:
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
