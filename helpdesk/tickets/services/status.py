"""The status state machine: staff moving a ticket along it, and the closing of tickets left
resolved past the reopen window."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import EventKind, Status, Ticket
from helpdesk.tickets.services import deadlines, mail
from helpdesk.tickets.services.access import require_work
from helpdesk.tickets.services.changes import commit_and_dispatch, expect_version
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.filing import clean_text
from helpdesk.timeutil import utcnow

# The one state machine: which status may follow which, for staff.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {
        Status.OPEN,
        Status.WAITING_REQUESTER,
        Status.WAITING_THIRD_PARTY,
        Status.RESOLVED,
    },
    Status.OPEN: {Status.WAITING_REQUESTER, Status.WAITING_THIRD_PARTY, Status.RESOLVED},
    Status.WAITING_REQUESTER: {Status.OPEN, Status.WAITING_THIRD_PARTY, Status.RESOLVED},
    Status.WAITING_THIRD_PARTY: {Status.OPEN, Status.WAITING_REQUESTER, Status.RESOLVED},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}
AUTO_CLOSE_DAYS_DEFAULT = 7  # the reopen window: a ticket closes when it may no longer be reopened


def auto_close_days() -> int:
    return int(current_app.config.get("HELPDESK_AUTO_CLOSE_DAYS", AUTO_CLOSE_DAYS_DEFAULT))


def check_transition(old: str, new: str) -> None:
    """errors.Invalid (status) unless staff may move a ticket from `old` to `new` (or it stays)."""
    if new != old and new not in TRANSITIONS.get(old, set()):
        raise errors.Invalid(
            _("A ticket cannot go from %(old)s to %(new)s.", old=_(old), new=_(new)), "status"
        )


def check_resolution(value) -> str:
    """The outcome told to the requester of a ticket being resolved, cleaned; errors.Invalid
    naming `resolution` when it is empty, too long or holds control characters."""
    problems: dict[str, str] = {}
    value = clean_text(value, "resolution", problems, multiline=True)
    if not problems and not value:
        problems["resolution"] = _("Say how the problem was resolved: the requester reads it.")
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return value


def stage_status(
    ticket: Ticket,
    new: str,
    *,
    actor: User | None,
    now: datetime,
    reason: str = "",
    resolution: str | None = None,
    notify: bool = True,
) -> list:
    """Move the ticket along the state machine; returns the outbox rows it causes.

    Resolving takes the outcome told to the requester (`resolution`, see check_resolution);
    any other move ignores it. Reopening clears it."""

    old = ticket.status
    if new == old:
        return []
    check_transition(old, new)
    if ticket.is_incident and new == Status.RESOLVED:
        raise errors.Invalid(
            _("An update saying the fault is fixed resolves an incident, and its tickets with it."),
            "status",
        )
    if new == Status.RESOLVED:
        ticket.resolution = check_resolution(resolution)
    ticket.status = new
    ticket.updated_at = now
    if new == Status.RESOLVED:
        ticket.resolved_at = now
    elif new == Status.CLOSED:
        ticket.closed_at = now
    elif old == Status.RESOLVED:  # reopened: the outcome told no longer holds
        ticket.resolved_at = None
        ticket.resolution = ""
    deadlines.on_status_change(ticket, old, new, now)
    data = {"old": old, "new": new}
    if reason:
        data["reason"] = reason
    stage_event(ticket, EventKind.STATUS_CHANGED, actor=actor, at=now, **data)
    return mail.on_status_changed(ticket, old, new) if notify else []


def change_status(
    actor: User,
    ticket: Ticket,
    new: str,
    *,
    version: int | None = None,
    reason: str = "",
    resolution: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Staff change a ticket's status. Commits; mails the requester when it concerns them.
    Resolving needs `resolution` (errors.Invalid naming it otherwise; nothing is saved)."""
    now = now or utcnow()
    require_work(actor, ticket)
    expect_version(ticket, version)
    outbox = stage_status(ticket, new, actor=actor, now=now, reason=reason, resolution=resolution)
    commit_and_dispatch(outbox, ticket=ticket, timers=True)
    return ticket


def close_resolved(*, now: datetime | None = None, limit: int = 500) -> int:
    """Close tickets resolved more than the auto-close days ago without a reopen. Commits."""
    now = now or utcnow()
    cutoff = now - timedelta(days=auto_close_days())
    tickets = db.session.scalars(
        select(Ticket)
        .where(Ticket.status == Status.RESOLVED, Ticket.resolved_at < cutoff)
        .order_by(Ticket.resolved_at)
        .limit(limit)
    ).all()
    outbox = []
    for ticket in tickets:
        outbox += stage_status(ticket, Status.CLOSED, actor=None, now=now, reason="auto_closed")
    commit_and_dispatch(outbox)
    return len(tickets)
