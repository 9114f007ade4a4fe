"""The requester's side of the end of a ticket: confirming the resolution, reopening within the
reopen window, rating the service."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import EventKind, Source, Status, Ticket
from helpdesk.tickets.services.access import require_requester
from helpdesk.tickets.services.changes import commit_and_dispatch
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.filing import clean_text
from helpdesk.tickets.services.incidents import stage_detach
from helpdesk.tickets.services.messages import stage_message
from helpdesk.tickets.services.status import stage_status
from helpdesk.timeutil import utcnow

REOPEN_DAYS_DEFAULT = 7


def reopen_days() -> int:
    return int(current_app.config.get("HELPDESK_REOPEN_DAYS", REOPEN_DAYS_DEFAULT))


def can_reopen(ticket: Ticket, now: datetime) -> bool:
    return (
        ticket.status == Status.RESOLVED
        and ticket.resolved_at is not None
        and now - ticket.resolved_at <= timedelta(days=reopen_days())
    )


def confirm_resolution(requester: User, ticket: Ticket, *, now: datetime | None = None) -> Ticket:
    """The requester confirms that the problem is solved: the ticket closes. Commits."""
    now = now or utcnow()
    require_requester(requester, ticket)
    if ticket.status != Status.RESOLVED:
        raise errors.Invalid(_("Only a resolved ticket can be confirmed."), "status")
    outbox = stage_status(ticket, Status.CLOSED, actor=requester, now=now, reason="confirmed")
    commit_and_dispatch(outbox)
    return ticket


def reopen(
    requester: User,
    ticket: Ticket,
    *,
    reason: str,
    message: str = "",
    uploads: tuple = (),
    source: str = Source.WEB,
    now: datetime | None = None,
) -> Ticket:
    """The requester reopens a resolved ticket within the reopen window: a ticket resolved with
    its incident leaves it (the fault is still theirs alone). Commits.

    The reason becomes the requester's message, unless `message` is given (a reply by mail,
    with its files `uploads`, from `source`: it reopens with the reason "reopened")."""
    now = now or utcnow()
    require_requester(requester, ticket)
    if not can_reopen(ticket, now):
        raise errors.Invalid(
            _("This ticket can no longer be reopened; please file a new ticket."), "status"
        )
    reason = clean_text(reason, "reason", problems := {}, multiline=True)
    if problems:
        raise errors.Invalid(problems["reason"], "reason")
    outbox = stage_status(
        ticket, Status.OPEN, actor=requester, now=now, reason=reason or "reopened"
    )
    stage_detach(ticket, actor=requester, now=now, reason="reopened")
    body = message or reason
    if body or uploads:
        outbox += stage_message(
            requester, ticket, body, internal=False, uploads=uploads, now=now, source=source
        )
    commit_and_dispatch(outbox, ticket=ticket, timers=True)
    return ticket


def rate(
    requester: User, ticket: Ticket, *, rating: int, comment: str = "", now: datetime | None = None
) -> Ticket:
    """The requester rates the service once the ticket is resolved (once). Commits."""
    now = now or utcnow()
    require_requester(requester, ticket)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise errors.Invalid(_("You can rate a ticket once it is resolved."), "rating")
    if ticket.rating is not None:
        raise errors.Conflict(_("This ticket has already been rated."), "rating")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise errors.Invalid(_("Choose a rating from 1 to 5."), "rating")
    problems: dict[str, str] = {}
    comment = clean_text(comment, "comment", problems, multiline=True)
    if problems:
        raise errors.Invalid(problems["comment"], "comment")
    ticket.rating, ticket.rating_comment, ticket.rated_at = rating, comment[:2000], now
    stage_event(ticket, EventKind.RATED, actor=requester, at=now, rating=rating)
    db.session.commit()
    return ticket
