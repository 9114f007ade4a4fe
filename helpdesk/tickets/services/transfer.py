"""Moving a ticket to another queue: a transfer with a reason, an escalation to the next tier."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import EventKind, Ticket
from helpdesk.tickets.services import mail
from helpdesk.tickets.services.access import require_work
from helpdesk.tickets.services.assignment import stage_assignment_mail, stage_auto_assignment
from helpdesk.tickets.services.changes import commit_and_dispatch, expect_version
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.filing import clean_text
from helpdesk.timeutil import utcnow


def require_reason(reason: str) -> str:
    """The reason cleaned and cut to 1000 characters; errors.Invalid (reason) when missing."""
    problems: dict[str, str] = {}
    reason = clean_text(reason, "reason", problems, multiline=True)
    if problems:
        raise errors.Invalid(problems["reason"], "reason")
    if not reason:
        raise errors.Invalid(_("Give a reason."), "reason")
    return reason[:1000]


def stage_transfer(
    actor: User | None,
    ticket: Ticket,
    queue_id: int,
    *,
    reason: str,
    now: datetime,
    kind: EventKind = EventKind.TRANSFERRED,
) -> list:
    """Move the ticket to another queue, unassigned there, then auto-assigned; returns the
    outbox rows (the queue's alert, the assignee or the supervisor told)."""

    queue = db.session.get(Queue, queue_id)
    if queue is None or not queue.active:
        raise errors.Invalid(_("Unknown queue."), "queue")
    if queue_id == ticket.queue_id:
        return []
    old_queue_id = ticket.queue_id
    ticket.queue_id = queue_id
    ticket.queue = queue
    ticket.assignee_id = None
    ticket.assignee = None
    ticket.updated_at = now
    stage_event(
        ticket,
        kind,
        actor=actor,
        at=now,
        from_queue_id=old_queue_id,
        to_queue_id=queue_id,
        reason=reason,
    )
    outbox = mail.on_queue_alert(ticket)
    db.session.flush()
    stage_auto_assignment(ticket, now=now)
    return outbox + stage_assignment_mail(ticket)


def transfer_ticket(
    actor: User | None,
    ticket: Ticket,
    queue_id: int,
    *,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
    kind: EventKind = EventKind.TRANSFERRED,
) -> Ticket:
    """Hand the ticket to another team (e.g. to the vendor or the ministry's IT unit), with a
    reason. `actor` None is the system (an SLA escalation). Commits."""
    now = now or utcnow()
    if actor is not None:
        require_work(actor, ticket)
    expect_version(ticket, version)
    reason = require_reason(reason)
    outbox = stage_transfer(actor, ticket, queue_id, reason=reason, now=now, kind=kind)
    commit_and_dispatch(outbox)
    return ticket


def escalate(
    actor: User | None,
    ticket: Ticket,
    *,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Move the ticket to the next queue on its routing path. Commits."""
    target = routing.escalation_target(
        ticket.queue_id, ticket.routing_rule_id, system_code=ticket.system_code
    )
    if target is None:
        raise errors.Invalid(_("This queue has no next tier to escalate to."), "queue")
    return transfer_ticket(
        actor, ticket, target, reason=reason, version=version, now=now, kind=EventKind.ESCALATED
    )
