"""Incidents: one fault that many tickets report. An incident is a ticket of kind `incident`,
worked by staff in a queue like any ticket; the tickets attached to it point at it
(`parent_id`) and keep their own requester, deadlines, mail and thread. Here: declaring one,
attaching tickets, an official's filing that joins one ("this is my problem too"), detaching
one (its requester reopened it). The update that reaches every attached ticket is
`incident_updates`; matching what an official types is `similar`, what officials see of the
open incidents `known_incidents`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors
from helpdesk.auth.models import User, is_staff
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.routing import engine
from helpdesk.routing import services as routing
from helpdesk.tickets.models import (
    EventKind,
    IncidentProvince,
    Kind,
    Priority,
    Status,
    Ticket,
)
from helpdesk.tickets.services.access import can_work, require_work
from helpdesk.tickets.services.events import new_event, stage_event
from helpdesk.tickets.services.filing import (
    TicketDraft,
    clean_text,
    create_ticket,
    next_number,
    search_text_of,
)
from helpdesk.tickets.services.visibility import visibility_clause
from helpdesk.timeutil import utcnow

MAX_TICKETS = 5000  # tickets named in one declaration or attachment
FALLBACK_CATEGORY = "other"  # an incident declared without a ticket and without a category


def is_open_incident(ticket: Ticket | None) -> bool:
    return ticket is not None and ticket.is_incident and ticket.is_open


def clean_numbers(numbers) -> list[str]:
    """The ticket numbers asked for, trimmed, upper-cased, each once, in their order."""
    if numbers is None:
        return []
    if not isinstance(numbers, list | tuple) or not all(isinstance(n, str) for n in numbers):
        raise errors.Invalid(_("A list of ticket numbers."), "tickets")
    if len(numbers) > MAX_TICKETS:
        raise errors.Invalid(_("At most %(n)d tickets at once.", n=MAX_TICKETS), "tickets")
    return list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))


def workable(actor: User, numbers: list[str]) -> dict[str, Ticket]:
    """The tickets with those numbers that the actor sees and works, by number (one query for
    the tickets, one for the actor's coverage)."""
    if not numbers:
        return {}
    query = select(Ticket).where(Ticket.number.in_(numbers), visibility_clause(actor))
    return {t.number: t for t in db.session.scalars(query) if can_work(actor, t)}


def why_not_attached(ticket: Ticket | None, system: str) -> str | None:
    """Why this ticket cannot join an incident of that system (None: it can). A ticket the
    actor may not see or work reads as one that does not exist."""
    if ticket is None:
        return _("Ticket not found.")
    if ticket.is_incident:
        return _("An incident cannot be attached to an incident.")
    if ticket.system_code != system:
        return _("This ticket is about another system.")
    if ticket.status == Status.CLOSED or ticket.merged_into_id is not None:
        return _("This ticket is closed.")
    return None


def stage_attach(
    actor: User, incident: Ticket, tickets: list[Ticket], *, now: datetime
) -> list[Ticket]:
    """Attach these tickets (checked already) to the incident, each with its event; the
    tickets that were not attached to it yet. Nothing is flushed before the caller's commit,
    and each event joins the session by its ticket's id, not through the ticket's `events`
    (loading them would cost a query a ticket, and flush the previous ticket)."""
    moved = [t for t in tickets if t.parent_id != incident.id]
    with db.session.no_autoflush:
        for ticket in moved:
            ticket.parent_id = incident.id
            ticket.updated_at = now
            event = new_event(EventKind.LINKED, actor=actor, at=now, parent=incident.number)
            event.ticket_id = ticket.id
            db.session.add(event)
    if moved:
        stage_event(incident, EventKind.INCIDENT_ATTACHED, actor=actor, at=now, count=len(moved))
        incident.updated_at = now
    return moved


def check_title(title) -> str:
    problems: dict[str, str] = {}
    title = clean_text(title, "subject", problems)
    if not problems and not title:
        problems["subject"] = _("This field is required.")
    if problems:
        raise errors.Invalid(problems["subject"], "title")
    return title


def check_provinces(provinces) -> list[str]:
    """The province codes an incident is limited to (empty: the whole country), each once."""
    if provinces is None:
        return []
    if not isinstance(provinces, list | tuple) or not all(isinstance(p, str) for p in provinces):
        raise errors.Invalid(_("A list of province codes."), "provinces")
    codes = sorted({p.strip() for p in provinces if p.strip()})
    unknown = [code for code in codes if catalogue.find_province(code) is None]
    if unknown:
        raise errors.Invalid(
            _("Unknown province: %(codes)s.", codes=", ".join(unknown)), "provinces"
        )
    return codes


def check_system(code) -> str:
    system = catalogue.find_system(code) if isinstance(code, str) and code else None
    if system is None or not system.active:
        raise errors.Invalid(_("Unknown system."), "system")
    return system.code


def incident_category(category, tickets: list[Ticket]) -> str:
    """The category asked for, else the one most of the tickets have, else "other"."""
    if category:
        row = catalogue.find_category(category) if isinstance(category, str) else None
        if row is None or not row.active:
            raise errors.Invalid(_("Unknown category."), "category")
        return row.code
    if tickets:
        codes = [t.category_code for t in tickets]
        return max(dict.fromkeys(codes), key=codes.count)
    fallback = catalogue.find_category(FALLBACK_CATEGORY)
    return fallback.code if fallback is not None else catalogue.categories()[0].code


def system_of(actor: User, numbers) -> str:
    """The one system of the tickets with those numbers that the actor works (an incident is
    a fault of one system): errors.Invalid on `tickets` when they are about several, or when
    the actor works none of them."""
    found = workable(actor, clean_numbers(numbers))
    systems = sorted({ticket.system_code for ticket in found.values()})
    if not systems:
        raise errors.Invalid(_("Ticket not found."), "tickets")
    if len(systems) > 1:
        names = ", ".join(catalogue.system_name(code, code) for code in systems)
        raise errors.Invalid(
            _(
                "The tickets chosen are about several systems (%(systems)s); an incident "
                "concerns one system: choose the tickets of one.",
                systems=names,
            ),
            "tickets",
        )
    return systems[0]


def declare(
    actor: User,
    *,
    title,
    system,
    provinces=None,
    numbers=None,
    category=None,
    description: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Declare an incident of a system, limited to `provinces` (none: the whole country), with
    the tickets `numbers` attached at once (all of them, or nothing: errors.Invalid on
    `tickets` naming each that cannot join). It goes to the queue of its first ticket (else
    where routing sends its system and category), assigned to the actor. Commits."""
    now = now or utcnow()
    if not is_staff(actor) or not routing.is_active_staff(actor):
        raise errors.NotFound(_("Ticket not found."))
    title = check_title(title)
    system = check_system(system)
    scope = check_provinces(provinces)
    numbers = clean_numbers(numbers)
    found = workable(actor, numbers)
    refused = [
        f"{number}: {reason}"
        for number in numbers
        if (reason := why_not_attached(found.get(number), system)) is not None
    ]
    if refused:
        raise errors.Invalid("; ".join(refused), "tickets")
    tickets = [found[number] for number in numbers]
    category = incident_category(category, tickets)
    province = incident_province(actor, tickets, scope)
    priority = min((t.priority for t in tickets), default=Priority.NORMAL)
    if tickets:
        queue_id = tickets[0].queue_id
    else:
        queue_id = routing.decide(engine.Facts(system, category, province, priority)).queue_id
    problems: dict[str, str] = {}
    description = clean_text(description, "description", problems, multiline=True) or title
    if problems:
        raise errors.Invalid(problems["description"], "description")
    incident = Ticket(
        kind=Kind.INCIDENT,
        subject=title,
        description=description,
        system_code=system,
        category_code=category,
        province_code=province,
        unit="",
        priority=priority,
        status=Status.OPEN,
        requester_id=actor.id,
        assignee_id=actor.id,
        queue_id=queue_id,
        created_at=now,
        updated_at=now,
        incident_provinces=[IncidentProvince(province_code=code) for code in scope],
    )
    stage_event(incident, EventKind.INCIDENT_DECLARED, actor=actor, at=now, tickets=len(tickets))
    incident.number = next_number(now)
    incident.search_text = search_text_of(incident)
    db.session.add(incident)
    db.session.flush()
    stage_attach(actor, incident, tickets, now=now)
    db.session.commit()
    return incident


def incident_province(actor: User, tickets: list[Ticket], scope: list[str]) -> str:
    """The province an incident is filed under (a ticket has one): its first ticket's, else the
    first of its provinces, else the actor's, else the first province of the catalogue."""
    if tickets:
        return tickets[0].province_code
    if scope:
        return scope[0]
    if actor.province_code:
        return actor.province_code
    return catalogue.provinces()[0].code


def attach(
    actor: User, incident: Ticket, numbers, *, now: datetime | None = None
) -> dict[str, str]:
    """Attach tickets to an open incident the actor works. One commit for all that can join;
    returns {number: "ok" | why it was not attached}. A ticket attached to another incident
    moves to this one."""
    now = now or utcnow()
    require_work(actor, incident)
    if not is_open_incident(incident):
        raise errors.Invalid(_("Tickets join an open incident only."), "tickets")
    numbers = clean_numbers(numbers)
    found = workable(actor, numbers)
    results: dict[str, str] = {}
    joining = []
    for number in numbers:
        ticket = found.get(number)
        reason = why_not_attached(ticket, incident.system_code)
        results[number] = reason or "ok"
        if reason is None:
            joining.append(ticket)
    stage_attach(actor, incident, joining, now=now)
    db.session.commit()
    return results


def stage_detach(ticket: Ticket, *, actor: User | None, now: datetime, reason: str) -> None:
    """The ticket leaves its incident (its requester reopened it: the fault is theirs alone)."""
    parent = ticket.parent
    if parent is None or not parent.is_incident:
        return
    ticket.parent_id = None
    stage_event(ticket, EventKind.LINKED, actor=actor, at=now, parent=None, reason=reason)


def open_incident(number, *, for_update: bool = False) -> Ticket | None:
    """The open incident with that number (a number as typed), or None."""
    number = number.strip().upper() if isinstance(number, str) else ""
    if not number or len(number) > 20:
        return None
    query = select(Ticket).where(Ticket.number == number, Ticket.kind == Kind.INCIDENT)
    if for_update:  # as it is now, held until the commit
        query = query.with_for_update().execution_options(populate_existing=True)
    incident = db.session.scalar(query)
    return incident if is_open_incident(incident) else None


def join(requester: User, number, draft: TicketDraft, *, now: datetime | None = None) -> Ticket:
    """An official's "this is my problem too" on an open incident: their own ticket, filed as
    any (their province, unit, priority, files; their SLA, acknowledgement and thread), about
    the incident's system and category, with their subject or else the incident's title and
    their description or else a standard sentence; then attached to the incident (no staff
    check: the official joins, staff may detach). errors.Invalid (on `incident` when it is not
    an open incident, or on the draft's fields) files nothing. Commits the filing, then the
    attachment (an incident closed in between keeps the ticket on its own)."""
    now = now or utcnow()
    incident = open_incident(number)
    if incident is None:
        message = _(
            "This incident is not open any more: your request was not sent. Check what you "
            "wrote and send it as a request of its own."
        )
        raise errors.Invalid(message, "incident")
    draft = replace(
        draft,
        system=incident.system_code,
        category=incident.category_code,
        subject=(draft.subject or "").strip() or incident.subject,
        description=(draft.description or "").strip() or _("My unit has this problem too."),
    )
    ticket = create_ticket(requester, draft, now=now)
    if ticket.parent_id == incident.id:  # the same form sent twice: joined the first time
        return ticket
    incident = open_incident(number, for_update=True)
    if incident is not None and why_not_attached(ticket, incident.system_code) is None:
        stage_attach(requester, incident, [ticket], now=now)
    db.session.commit()
    return ticket
