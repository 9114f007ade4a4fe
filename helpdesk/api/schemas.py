"""JSON in and out of the API: one function builds each resource, one reads each request body
(POST /tickets': api/filing.py).

Decisions the OpenAPI document repeats: instants are ISO 8601 in UTC with an explicit offset
(`2026-03-02T04:00:00+00:00`); login names are masked (`********8888@ht.com`) for everyone but
admins, and always on /me; every message carries `internal` (staff alone ever see `true`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import BuildError

from helpdesk import errors, inputs
from helpdesk.api.services import TicketChanges
from helpdesk.api.ties import Ties
from helpdesk.auth import permissions
from helpdesk.auth import services as accounts
from helpdesk.auth.models import User, is_staff
from helpdesk.extensions import db
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Attachment, Message, Priority, Source, Status, Ticket
from helpdesk.tickets.services import Page
from helpdesk.tickets.services.filing import LIMITS
from helpdesk.tickets.services.references import clean_external_ref
from helpdesk.tickets.services.status import check_resolution
from helpdesk.timeutil import ensure_aware

# Reference and queue codes: checked for shape before any query sees them (PostgreSQL refuses
# NUL bytes in text parameters; an error there would be a 500, not a 422).
CODE = re.compile(r"[A-Za-z0-9_.-]{1,60}")
TICKET_NUMBER = re.compile(r"[A-Za-z0-9-]{1,20}")
QUERY_LIMIT = 200
REASON_LIMIT = LIMITS["reason"]  # the web forms' limit

MESSAGE_FIELDS = ("body", "internal")
PATCH_FIELDS = (
    "status",
    "assignee",
    "queue",
    "priority",
    "version",
    "reason",
    "external_ref",
    "resolution",
)


# ---------------------------------------------------------------- out


def instant(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset, to the second; None stays None."""
    if value is None:
        return None
    return ensure_aware(value).astimezone(UTC).isoformat(timespec="seconds")


def login_name(viewer: User, user: User | None) -> str | None:
    """`CCCD@domain` for admins, `********8888@domain` for everyone else."""
    if user is None:
        return None
    return user.username if permissions.can(viewer, "accounts.see_cccd") else user.masked_username


def account_json(user: User) -> dict:
    """The caller's own account, as /me shows it: the CCCD always masked."""
    return {
        "username": user.masked_username,
        "full_name": user.full_name,
        "role": str(user.role),
        "email": user.email,
        "province": user.province_code,
        "unit": user.unit.name if user.unit else None,
        "language": user.language,
    }


def ticket_json(
    viewer: User, ticket: Ticket, *, sla_state: str, ties: Ties, followers: list[User] | None = None
) -> dict:
    """A ticket; for staff also its number in another desk and its `followers` (names and
    login names as the viewer may see them; None: it has none) and, on an incident, its
    attached tickets, provinces and expected repair."""
    shown = {
        "number": ticket.number,
        "kind": str(ticket.kind),
        "incident": ties.incidents.get(ticket.parent_id),
        "subject": ticket.subject,
        "description": ticket.description,
        "status": str(ticket.status),
        "priority": int(ticket.priority),
        "system": ticket.system_code,
        "category": ticket.category_code,
        "province": ticket.province_code,
        "unit": ticket_unit_json(ticket),
        "dossier_code": ticket.dossier_code,
        "procedure_code": ticket.procedure_code,
        "queue": ticket.queue.code,
        "queue_name": ticket.queue.name,
        "assignee": login_name(viewer, ticket.assignee),
        "requester": login_name(viewer, ticket.requester),
        "created_at": instant(ticket.created_at),
        "updated_at": instant(ticket.updated_at),
        "resolved_at": instant(ticket.resolved_at),
        "resolution": ticket.resolution or "",
        "closed_at": instant(ticket.closed_at),
        "first_response_due": instant(ticket.first_response_due),
        "resolution_due": instant(ticket.resolution_due),
        "sla_state": str(sla_state),
        "source": str(ticket.source or Source.WEB),
        "version": ticket.version,
    }
    if is_staff(viewer):
        shown["external_ref"] = ticket.external_ref or ""
        shown["callback_phone"] = ticket.callback_phone or ""
        shown["filed_by"] = login_name(viewer, ticket.filed_by)
        shown["followers"] = [
            {"name": user.full_name, "username": login_name(viewer, user)}
            for user in followers or ()
        ]
        if ticket.is_incident:
            shown["tickets"] = ties.attached.get(ticket.id, [])
            shown["provinces"] = ties.provinces.get(ticket.id, [])
            shown["expected_at"] = instant(ticket.expected_at)
    return shown


def ticket_unit_json(ticket: Ticket) -> dict | None:
    """The ticket's unit: its name as filed and the listed unit's code (null for a name kept as
    written); null when the ticket names no unit."""
    if ticket.unit_id is None and not ticket.unit:
        return None
    record = ticket.unit_record if ticket.unit_id is not None else None
    return {"code": record.code if record is not None else None, "name": ticket.unit}


def ticket_detail_json(
    viewer: User,
    ticket: Ticket,
    *,
    sla_state: str,
    ties: Ties,
    messages: list[Message],
    attachments: list[Attachment],
    followers: list[User] | None = None,
) -> dict:
    """A ticket with the messages and files the viewer may read (the caller filtered them)."""
    return {
        **ticket_json(viewer, ticket, sla_state=sla_state, ties=ties, followers=followers),
        "messages": [message_json(viewer, message) for message in messages],
        "attachments": [attachment_json(ticket, attachment) for attachment in attachments],
    }


def message_json(viewer: User, message: Message) -> dict:
    author = message.author
    return {
        "id": message.id,
        "body": message.body,
        "internal": bool(message.internal),
        "author": login_name(viewer, author),
        "author_name": author.full_name if author else None,
        "source": message.source or "web",
        "created_at": instant(message.created_at),
    }


def attachment_json(ticket: Ticket, attachment: Attachment) -> dict:
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "message_id": attachment.message_id,
        "created_at": instant(attachment.created_at),
        "url": attachment_url(ticket, attachment),
    }


def attachment_url(ticket: Ticket, attachment: Attachment) -> str | None:
    """The download page of the web app (session login); None until that page exists."""
    try:
        return url_for("tickets.attachment", number=ticket.number, attachment_id=attachment.id)
    except BuildError:
        return None


def page_json(
    viewer: User,
    page: Page,
    *,
    sla_states: dict[int, str],
    ties: Ties,
    followers: dict[int, list[User]] | None = None,
) -> dict:
    followers = followers or {}
    return {
        "items": [
            ticket_json(
                viewer,
                ticket,
                sla_state=sla_states[ticket.id],
                ties=ties,
                followers=followers.get(ticket.id),
            )
            for ticket in page.items
        ],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


# ---------------------------------------------------------------- in


def json_object() -> dict:
    """The request body as a JSON object; a 400 for anything else."""
    data = inputs.json_body()
    if not isinstance(data, dict):
        raise errors.HelpdeskError(_("The body must be a JSON object sent as application/json."))
    return data


def unknown_fields(data: dict, known: tuple[str, ...]) -> dict[str, str]:
    return {name: _("Unknown field.") for name in data if name not in known}


def message_input(data: dict) -> tuple[object, bool]:
    """`body` (checked by the service) and `internal` (a boolean, false when missing)."""
    problems = unknown_fields(data, MESSAGE_FIELDS)
    internal = data.get("internal", False)
    if not isinstance(internal, bool):
        problems["internal"] = _("Must be true or false.")
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return data.get("body"), internal


def ticket_changes(data: dict) -> tuple[TicketChanges, int | None]:
    """The changes a PATCH body asks for and the version it was made against; errors.Invalid
    naming each field of a wrong type, an unknown status, queue or login name, and
    `resolution` when `status: resolved` comes without one (or one comes without it)."""
    problems = unknown_fields(data, PATCH_FIELDS)
    values: dict = {}
    if "status" in data:
        if not isinstance(data["status"], str) or data["status"] not in set(Status):
            problems["status"] = _("Unknown status.")
        else:
            values["status"] = data["status"]
    if "queue" in data:
        queue = find_queue(data["queue"])
        if queue is None:
            problems["queue"] = _("Unknown queue.")
        else:
            values["queue_id"] = queue.id
    if "assignee" in data:
        if data["assignee"] is None:
            values["unassign"] = True
        else:
            name = data["assignee"]
            assignee = accounts.find_user(name) if isinstance(name, str) else None
            if assignee is None:
                problems["assignee"] = _("No account has that login name (CCCD@domain).")
            else:
                values["assignee"] = assignee
    if "priority" in data:
        priority = data["priority"]
        if (
            isinstance(priority, bool)
            or not isinstance(priority, int)
            or priority not in set(Priority)
        ):
            problems["priority"] = _("Choose a priority from 1 (critical) to 4 (low).")
        else:
            values["priority"] = int(priority)
    if "reason" in data:
        reason = data["reason"]
        if not isinstance(reason, str):
            problems["reason"] = _("Must be text.")
        elif len(reason) > REASON_LIMIT:
            problems["reason"] = _("At most %(n)d characters.", n=REASON_LIMIT)
        elif unreadable := inputs.readable_problem(reason, multiline=True):
            problems["reason"] = unreadable
        else:
            values["reason"] = reason
    if "external_ref" in data:
        try:
            values["external_ref"] = clean_external_ref(data["external_ref"])
        except errors.Invalid as error:
            problems.update(error.fields)
    resolution = data.get("resolution")
    if data.get("status") == Status.RESOLVED:  # even on a resolved ticket: one rule for clients
        try:
            values["resolution"] = check_resolution(resolution)
        except errors.Invalid as error:
            problems.update(error.fields)
    elif resolution not in (None, "") and "status" not in problems:
        problems["resolution"] = _("Send it with the status resolved.")
    version = data.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        problems["version"] = _("Must be an integer.")
        version = None
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return TicketChanges(**values), version


def find_queue(code) -> Queue | None:
    if not is_code(code):
        return None
    return db.session.scalar(select(Queue).where(Queue.code == code))


def is_code(value) -> bool:
    return isinstance(value, str) and CODE.fullmatch(value) is not None


def is_ticket_number(value: str) -> bool:
    return TICKET_NUMBER.fullmatch(value) is not None
