"""Links between tickets: detaching a ticket from its incident, by staff (attaching is
`incidents.attach`); a new ticket that follows up a closed one."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import EventKind, Ticket
from helpdesk.tickets.services.access import require_work
from helpdesk.tickets.services.changes import expect_version
from helpdesk.tickets.services.events import new_event, stage_event
from helpdesk.timeutil import utcnow


def detach(
    actor: User, ticket: Ticket, *, version: int | None = None, now: datetime | None = None
) -> Ticket:
    """Detach the ticket from its incident (staff found its fault is another): the incident's
    updates no longer reach it. Commits; errors.Invalid on `incident` when it is part of none."""
    now = now or utcnow()
    require_work(actor, ticket)
    expect_version(ticket, version)
    if ticket.parent_id is None:
        raise errors.Invalid(_("This ticket is part of no incident."), "incident")
    ticket.parent_id = None
    ticket.updated_at = now
    stage_event(ticket, EventKind.LINKED, actor=actor, at=now, parent=None)
    db.session.commit()
    return ticket


def stage_follow_up(ticket: Ticket, closed: Ticket, *, actor: User, at: datetime) -> None:
    """Link a new ticket (numbered, not yet flushed) to the closed ticket it follows up: an
    event on each, naming the other (no commit)."""
    stage_event(ticket, EventKind.FOLLOW_UP, actor=actor, at=at, of=closed.number)
    event = new_event(EventKind.FOLLOW_UP, actor=actor, at=at, by=ticket.number)
    event.ticket_id = closed.id
    db.session.add(event)
