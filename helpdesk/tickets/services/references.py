"""A ticket's number in another desk (the ministry's service desk, a vendor's tracker): staff set
and clear it, the ticket search finds it, and only staff are shown it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from helpdesk import errors, inputs
from helpdesk.auth.models import User
from helpdesk.tickets.models import EventKind, Ticket
from helpdesk.tickets.services.access import require_staff_on
from helpdesk.tickets.services.changes import commit_and_dispatch, expect_version
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.filing import search_text_of
from helpdesk.timeutil import utcnow

EXTERNAL_REF_LIMIT = 100  # the column's length


def clean_external_ref(value) -> str:
    """The reference trimmed, "" for none; errors.Invalid (field `external_ref`) for what is
    not one line of readable text within the limit."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise errors.Invalid(_("Must be text."), "external_ref")
    value = value.strip()
    if len(value) > EXTERNAL_REF_LIMIT:
        raise errors.Invalid(_("At most %(n)d characters.", n=EXTERNAL_REF_LIMIT), "external_ref")
    return inputs.require_readable(value, "external_ref")


def stage_external_ref(actor: User, ticket: Ticket, value, *, now: datetime) -> bool:
    """Set (or, with "", clear) the reference, with its event; whether it changed."""
    value = clean_external_ref(value)
    old = ticket.external_ref or ""
    if value == old:
        return False
    ticket.external_ref = value
    ticket.search_text = search_text_of(ticket)
    ticket.updated_at = now
    stage_event(ticket, EventKind.EXTERNAL_REF_CHANGED, actor=actor, at=now, old=old, new=value)
    return True


def change_external_ref(
    actor: User,
    ticket: Ticket,
    value,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Staff set or clear the ticket's number in another desk. Commits; errors.Invalid (field
    `external_ref`) for a bad reference."""
    now = now or utcnow()
    require_staff_on(actor, ticket)
    expect_version(ticket, version)
    stage_external_ref(actor, ticket, value, now=now)
    commit_and_dispatch([])
    return ticket
