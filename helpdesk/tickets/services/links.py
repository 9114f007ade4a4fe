"""Linking a ticket under a parent incident."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import EventKind, Ticket
from helpdesk.tickets.services.access import require_work
from helpdesk.tickets.services.changes import expect_version
from helpdesk.tickets.services.events import stage_event
from helpdesk.timeutil import utcnow


def link_parent(
    actor: User,
    ticket: Ticket,
    parent: Ticket | None,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Link the ticket under a parent incident (None: unlink). Commits."""
    now = now or utcnow()
    require_work(actor, ticket)
    expect_version(ticket, version)
    if parent is not None:
        require_work(actor, parent)
        if parent.id == ticket.id or parent.parent_id == ticket.id:
            raise errors.Invalid(_("A ticket cannot be its own parent."), "parent")
    ticket.parent_id = parent.id if parent else None
    stage_event(
        ticket, EventKind.LINKED, actor=actor, at=now, parent=parent.number if parent else None
    )
    db.session.commit()
    return ticket
