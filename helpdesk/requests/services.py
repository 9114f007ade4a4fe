"""Sending a request: checked, numbered, and written in one transaction with one ticket of kind
`request` per province, in the province's coordinators' queue, whose coordinators are told as
of any new ticket of their queue.

Thirty-four provinces are thirty-four tickets: they go in with a constant number of statements
(the request, the counter, the tickets, their events, their files, the members to tell, the
mail: one each), never a statement per province.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, or_, select
from sqlalchemy.orm.attributes import set_committed_value

from helpdesk import errors, storage
from helpdesk.auth.models import Role, User
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.requests import dates
from helpdesk.requests.access import Sending, require_sender
from helpdesk.requests.models import InfoRequest
from helpdesk.routing import services as routing
from helpdesk.routing.models import Membership, Queue
from helpdesk.tickets.models import Attachment, Event, EventKind, Kind, Priority, Status, Ticket
from helpdesk.tickets.services import mail
from helpdesk.tickets.services.filing import clean_text, next_numbers, search_text_of
from helpdesk.timeutil import to_local, utcnow

log = logging.getLogger(__name__)

CATEGORY = "other"  # what a request's tickets are filed under
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER = re.compile(r"YC-\d{4}-\d{6,}")


@dataclass(frozen=True)
class RequestDraft:
    """What a sender sends, from the web form, the API or a test. `due`: a date, or its text
    (YYYY-MM-DD); `provinces`: codes (none: all of them); `system`: a code (none: the sender's
    only system, else every system)."""

    title: object
    body: object
    due: object
    provinces: object = None
    system: object = None
    template: storage.Upload | None = None


@dataclass(frozen=True)
class Sent:
    """A request just sent: its id and number, and its tickets as (ticket number, province
    code), in province order."""

    request_id: int
    number: str
    tickets: list[tuple[str, str]]


def check_due(value, now: datetime) -> tuple[date, datetime]:
    """The due date and its due time (the end of its working hours); errors.Invalid naming
    `due` for what is not a date (YYYY-MM-DD) or a due time already past."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if DATE.fullmatch(value) else None
        except ValueError:
            value = None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise errors.Invalid(_("A date, as 2026-03-02."), "due")
    due_at = dates.due_instant(value)
    if due_at <= now:
        raise errors.Invalid(_("The due date has passed: choose a later one."), "due")
    return value, due_at


def check_provinces(provinces) -> list[str]:
    """The codes of the provinces asked, each once, in the catalogue's order (none: all)."""
    every = [province.code for province in catalogue.provinces()]
    if provinces is None:
        return every
    if not isinstance(provinces, list | tuple) or not all(isinstance(p, str) for p in provinces):
        raise errors.Invalid(_("A list of province codes."), "provinces")
    wanted = {code.strip() for code in provinces if code.strip()}
    unknown = sorted(wanted - set(every))
    if unknown:
        raise errors.Invalid(
            _("Unknown province: %(codes)s.", codes=", ".join(unknown)), "provinces"
        )
    return [code for code in every if code in wanted] if wanted else every


def check_system(sending: Sending, code) -> str | None:
    """The system the request is about (None: every system), as the sender may send it."""
    if code is not None and not isinstance(code, str):
        raise errors.Invalid(_("Must be text."), "system")
    code = (code or "").strip() or sending.default_system()
    if code is None:
        if not sending.every_system:
            raise errors.Invalid(_("Choose the system the request is about."), "system")
        return None
    system = catalogue.find_system(code)
    if system is None or not system.active:
        raise errors.Invalid(_("Unknown system."), "system")
    if not sending.allows(code):
        raise errors.Invalid(_("You do not send requests about this system."), "system")
    return code


def check_draft(sending: Sending, draft: RequestDraft, now: datetime) -> dict:
    """The draft's cleaned values; errors.Invalid naming every bad field at once."""
    problems: dict[str, str] = {}
    values = {
        "title": clean_text(draft.title, "title", problems),
        "body": clean_text(draft.body, "body", problems, multiline=True),
    }
    for name in ("title", "body"):
        if not values[name] and name not in problems:
            problems[name] = _("This field is required.")
    checks = {
        "due": lambda: check_due(draft.due, now),
        "provinces": lambda: check_provinces(draft.provinces),
        "system": lambda: check_system(sending, draft.system),
        "template": lambda: storage.check(
            (draft.template,) if draft.template is not None else (), field="template"
        ),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except errors.Invalid as error:
            problems.update(error.fields)
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return values


def provincial_queues(codes: list[str]) -> dict[str, Queue]:
    """The active coordinators' queue of each province, by province code (one query);
    errors.Invalid naming `provinces` when one has none."""
    wanted = {routing.provincial_queue_code(code): code for code in codes}
    found = db.session.scalars(select(Queue).where(Queue.code.in_(sorted(wanted)), Queue.active))
    queues = {wanted[queue.code]: queue for queue in found}
    missing = [code for code in codes if code not in queues]
    if missing:
        raise errors.Invalid(
            _("These provinces have no coordinators' queue: %(codes)s.", codes=", ".join(missing)),
            "provinces",
        )
    return queues


def ticket_system(system_code: str | None) -> str:
    """The system a request's tickets name: the request's, else (every system) the first active
    system of the catalogue, as a ticket names one."""
    return system_code or catalogue.first_system()


def ticket_category() -> str:
    found = catalogue.find_category(CATEGORY)
    return found.code if found is not None and found.active else catalogue.categories()[0].code


def send_request(sender: User, draft: RequestDraft, *, now: datetime | None = None) -> Sent:
    """Send a request to its provinces: the request and one ticket per province (kind `request`,
    in the province's coordinators' queue, unassigned, normal priority, no first-response
    deadline, the due time as its resolution deadline, no SLA policy, the template attached),
    the coordinators told as of a new ticket of their queue. Commits once; mail goes after.

    errors.NotFound for an account that sends nothing; errors.Invalid naming each bad field
    (nothing saved then)."""
    now = now or utcnow()
    sending = require_sender(sender)
    values = check_draft(sending, draft, now)
    queues = provincial_queues(values["provinces"])
    due_on, due_at = values["due"]
    stored = [storage.store(upload, content_type) for upload, content_type in values["template"]]
    template = stored[0] if stored else None
    request = InfoRequest(
        number=f"YC-new-{secrets.token_hex(6)}",  # its number comes from its id, below
        title=values["title"],
        body=values["body"],
        system_code=values["system"],
        due_on=due_on,
        due_at=due_at,
        sender_id=sender.id,
        template_filename=template.filename if template else "",
        template_sha256=template.sha256 if template else "",
        template_content_type=template.content_type if template else "",
        template_size=template.size if template else 0,
        created_at=now,
    )
    db.session.add(request)
    db.session.flush()
    year = to_local(now, current_app.config["HELPDESK_TIMEZONE"]).year
    request.number = number = f"YC-{year}-{request.id:06d}"
    codes = values["provinces"]
    numbers = next_numbers(now, len(codes))
    rows = [
        ticket_row(sender, request, code, queues[code].id, ticket_number, now=now)
        for code, ticket_number in zip(codes, numbers, strict=True)
    ]
    db.session.execute(insert(Ticket), rows)
    tickets = written_tickets(request.id, sender, queues)
    db.session.execute(
        insert(Event),
        [
            {
                "ticket_id": ticket.id,
                "actor_id": sender.id,
                "kind": EventKind.CREATED,
                "data": {"request": number},
                "created_at": now,
            }
            for ticket in tickets
        ],
    )
    if template is not None:  # the same stored file (content-addressed), a row per ticket
        db.session.execute(
            insert(Attachment), [file_row(sender, t.id, template, now) for t in tickets]
        )
    told = members_to_tell(request_id=request.id)
    outbox: list = []
    for ticket in tickets:
        members = told.get(ticket.id, []) if ticket.queue.notify_members else []
        outbox += mail.on_queue_alert(ticket, members=members)
    sent = Sent(request.id, number, [(ticket.number, ticket.province_code) for ticket in tickets])
    db.session.commit()
    log.info("request %s sent to %s provinces by user %s", number, len(codes), sender.id)
    dispatch(outbox)
    return sent


def ticket_row(
    sender: User, request: InfoRequest, province: str, queue_id: int, number: str, *, now
) -> dict:
    """A province's ticket of the request, as the row inserted."""
    values = {
        "number": number,
        "kind": Kind.REQUEST,
        "request_id": request.id,
        "subject": request.title,
        "description": request.body,
        "system_code": ticket_system(request.system_code),
        "category_code": ticket_category(),
        "province_code": province,
        "unit": "",
        "dossier_code": "",
        "procedure_code": "",
        "external_ref": "",
        "priority": Priority.NORMAL,
        "status": Status.NEW,
        "requester_id": sender.id,
        "queue_id": queue_id,
        "resolution_due": request.due_at,
        "created_at": now,
        "updated_at": now,
    }
    values["search_text"] = search_text_of(Ticket(**values))  # a plain object: never added
    return values


def written_tickets(request_id: int, sender: User, queues: dict[str, Queue]) -> list[Ticket]:
    """The request's tickets just inserted, in province order, as the mail reads them (one
    query): their queue and requester are those at hand, their history is the one event of
    their filing (what the queue's mail counts)."""
    found = list(
        db.session.scalars(
            select(Ticket).where(Ticket.request_id == request_id).order_by(Ticket.id)
        )
    )
    for ticket in found:
        set_committed_value(ticket, "queue", queues[ticket.province_code])
        set_committed_value(ticket, "requester", sender)
        set_committed_value(ticket, "events", [])
    return found


def file_row(sender: User, ticket_id: int, template: storage.StoredFile, now: datetime) -> dict:
    return {
        "ticket_id": ticket_id,
        "message_id": None,
        "uploader_id": sender.id,
        "filename": template.filename,
        "content_type": template.content_type,
        "size": template.size,
        "sha256": template.sha256,
        "created_at": now,
    }


def members_to_tell(
    *, request_id: int | None = None, ticket_ids: list[int] | None = None
) -> dict[int, list[User]]:
    """The available members of each ticket's queue who cover its province (a coordinator only
    its own province's), by ticket id: the tickets of a request, or those listed; one query."""
    query = (
        select(Ticket.id, User)
        .join(Membership, Membership.queue_id == Ticket.queue_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.available,
            routing.covers(Ticket.province_code),
            or_(User.role != Role.COORDINATOR, User.province_code == Ticket.province_code),
        )
        .order_by(Ticket.id, User.id)
    )
    if request_id is not None:
        query = query.where(Ticket.request_id == request_id)
    else:
        query = query.where(Ticket.id.in_(ticket_ids or [-1]))
    found: dict[int, list[User]] = {}
    for ticket_id, user in db.session.execute(query):
        found.setdefault(ticket_id, []).append(user)
    return found
