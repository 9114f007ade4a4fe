"""What every change of a ticket shares: the version the user acted on, and the commit that
then hands the mail and the deadline timers on."""

from __future__ import annotations

from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import deadlines


def expect_version(ticket: Ticket, version: int | None) -> None:
    """Optimistic locking: the page the user acted on must show the ticket as it is now."""
    if version is not None and ticket.version != version:
        raise errors.Conflict(
            _(
                "Someone else changed this ticket while you were working on it. "
                "Reload the page to see their change, then try again."
            )
        )


def commit_and_dispatch(
    outbox: list, *, ticket: Ticket | None = None, timers: bool = False
) -> None:
    """Commit, then hand the outbox rows to the mail jobs and, with `timers`, schedule the
    ticket's deadline timers (both after the commit: a job never sees uncommitted rows)."""

    db.session.commit()
    dispatch(outbox)
    if timers and ticket is not None:
        deadlines.schedule_timers(ticket)
