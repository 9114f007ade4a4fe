"""Firing SLA timers: warn, breach, escalate, and the minutely sweep that catches lost timers.

A timer fires through `fire_timer`, from its RQ job at the instant it was scheduled for or
from the sweep. Firing is idempotent: one conditional UPDATE sets the warned or breached
marker, so of two runs (a job and the sweep, or a retried job) only one records and mails.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select, update

from helpdesk import errors, timeutil
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.sla import services
from helpdesk.sla.models import Timer, TimerStage
from helpdesk.tickets.models import Priority, Ticket

log = logging.getLogger(__name__)

# What fire_timer did; the job returns it (RQ keeps it with the job's result).
WARNED, BREACHED = "warned", "breached"
MOVED, EARLY, STALE, ALREADY = "moved", "early", "stale", "already"
SWEEP_BATCH = 500


def fire_timer(ticket_id: int, kind: str, stage: str, due: datetime, *, now: datetime) -> str:
    """Record that a deadline's warning point or the deadline itself is reached, once. Commits.

    Does nothing when the timer is not pending any more for that deadline (moved, met, paused:
    "moved"/"stale") or its instant has not come ("early"). Otherwise records an event, mails
    (warning: the assignee, and the supervisor while the ticket is unassigned or unanswered;
    breach: the assignee and the supervisor) and, after a breach, runs the policy's escalation.
    """
    timer = db.session.get(Timer, (ticket_id, kind, stage))
    if timer is None or timer.due_at != due:
        return MOVED
    if now < timer.fire_at:
        return EARLY
    ticket = db.session.get(Ticket, ticket_id)
    if (
        ticket is None
        or not services.is_running(ticket, kind)
        or services.deadline(ticket, kind) != due
        or services.marker(ticket, kind, stage) is not None
    ):
        db.session.delete(timer)  # a row left behind by a change that bypassed the hooks
        db.session.commit()
        return STALE
    claimed = claim(ticket_id, kind, stage, due, now)
    db.session.execute(
        delete(Timer).where(
            Timer.ticket_id == ticket_id,
            Timer.kind == kind,
            Timer.stage == stage,
            Timer.due_at == due,
        )
    )
    if not claimed:
        db.session.commit()
        return ALREADY
    db.session.refresh(ticket)
    found = services.targets_for(ticket.sla_policy_id)
    if stage == TimerStage.WARNING:
        outbox = [] if now >= due else warn(ticket, kind, due, now=now)
        outcome = WARNED
    else:
        outbox = breach(ticket, kind, due, found, now=now)
        outcome = BREACHED
    db.session.commit()
    _dispatch(outbox)
    if outcome == BREACHED:
        services.schedule_timers(ticket)  # an escalation may have set new deadlines
    log.info("ticket %s: %s %s (due %s)", ticket_id, kind, outcome, due.isoformat())
    return outcome


def claim(ticket_id: int, kind: str, stage: str, due: datetime, now: datetime) -> bool:
    """Set the marker if nobody has and the deadline is still `due`; True for the one who did."""
    marker = getattr(Ticket, services.marker_name(kind, stage))
    deadline = getattr(Ticket, f"{kind}_due")
    result = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, marker.is_(None), deadline == due)
        # updated_at stays: a timer is not someone working on the ticket
        .values({marker: now, Ticket.updated_at: Ticket.updated_at})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _dispatch(outbox: list) -> None:
    from helpdesk.notifications import services as notifications

    notifications.dispatch(outbox)


def _record(ticket: Ticket, kind: str, *, now: datetime, **data) -> None:
    from helpdesk.tickets.services import record_event

    record_event(ticket, kind, at=now, **data)


def _supervisor(ticket: Ticket) -> User | None:
    queue = ticket.queue
    if queue is None or queue.supervisor_id is None:
        return None
    return db.session.get(User, queue.supervisor_id)


def _context(ticket: Ticket, kind: str, due: datetime) -> dict:
    from helpdesk.notifications.tickets import local_time, ticket_context

    return {
        **ticket_context(ticket),
        "clock": kind,
        "due": local_time(due),
        "assignee": ticket.assignee.full_name if ticket.assignee else "",
        "answered": ticket.first_responded_at is not None,
    }


def _mail(
    template: str, key: str, context: dict, *, user: User | None = None, address: str = ""
) -> list:
    from helpdesk.notifications.tickets import to_address, to_user

    if user is not None:
        return to_user(user, template, key, context, essential=True)
    return to_address(address, template, key, context) if address else []


def warn(ticket: Ticket, kind: str, due: datetime, *, now: datetime) -> list:
    """The warning's event and mail (no commit): the assignee is warned; a ticket still
    unassigned or unanswered goes to the supervisor (the queue's address without one)."""
    _record(ticket, "sla_warning", now=now, clock=kind, due=due.isoformat())
    context = _context(ticket, kind, due)
    key = f"sla:{ticket.id}:{kind}:warning:{due.timestamp():.0f}"
    outbox = _mail("sla_warning", key, context, user=ticket.assignee)
    if ticket.assignee_id is None or ticket.first_responded_at is None:
        supervisor = _supervisor(ticket)
        if supervisor is None or supervisor.id != ticket.assignee_id:
            outbox += _mail(
                "sla_unanswered", key, context, user=supervisor, address=ticket.queue.email
            )
    return outbox


def breach(
    ticket: Ticket, kind: str, due: datetime, found: services.Targets | None, *, now: datetime
) -> list:
    """The breach's event, mail and escalation steps (no commit).

    The assignee is told, and the supervisor (the policy's first escalation step; always when
    nobody holds the ticket), or the queue's address when it has no supervisor. The event
    names the supervisor told (`supervisor_id`).
    """
    context = _context(ticket, kind, due)
    key = f"sla:{ticket.id}:{kind}:breach:{due.timestamp():.0f}"
    outbox = _mail("sla_breach", key, context, user=ticket.assignee)
    told = None
    if ticket.assignee_id is None or (found.notify_supervisor if found is not None else True):
        supervisor = _supervisor(ticket)
        if supervisor is None or supervisor.id != ticket.assignee_id:
            rows = _mail("sla_breach", key, context, user=supervisor, address=ticket.queue.email)
            outbox += rows
            told = supervisor.id if rows and supervisor is not None else None
    _record(ticket, "sla_breached", now=now, clock=kind, due=due.isoformat(), supervisor_id=told)
    if found is not None:
        outbox += escalate(ticket, kind, found, now=now)
    return outbox


def escalate(ticket: Ticket, kind: str, found: services.Targets, *, now: datetime) -> list:
    """The policy's escalation steps after a breach (no commit): raise the priority one level
    (never above critical; deadlines that still run follow it), move to the next queue on the
    routing path (unassigned there, then auto-assigned). Returns the outbox rows."""
    outbox: list = []
    if found.raise_priority and ticket.priority > Priority.CRITICAL:
        old, new = ticket.priority, ticket.priority - 1
        ticket.priority = new
        ticket.updated_at = now
        _record(ticket, "escalated", now=now, step="priority", clock=kind, old=old, new=new)
        services.on_priority_change(ticket, now)
    if found.transfer_to_next_queue:
        outbox += _move_to_next_queue(ticket, kind, now=now)
    return outbox


def _move_to_next_queue(ticket: Ticket, kind: str, *, now: datetime) -> list:
    from helpdesk.routing import services as routing
    from helpdesk.tickets.services import workflow

    target = routing.escalation_target(ticket.queue_id, ticket.routing_rule_id)
    if target is None or target == ticket.queue_id:
        return []
    reason = f"SLA breach: {kind.replace('_', ' ')}"
    try:
        return workflow.transfer_rows(
            None, ticket, target, reason=reason, now=now, kind="escalated"
        )
    except errors.HelpdeskError as error:  # the target went inactive: the breach still stands
        log.warning("ticket %s not escalated to queue %s: %s", ticket.id, target, error.message)
        return []


def due_timers(now: datetime, *, limit: int = SWEEP_BATCH) -> list[tuple[int, str, str, datetime]]:
    """Pending timers whose instant has come, oldest first (warning before breach)."""
    query = (
        select(Timer.ticket_id, Timer.kind, Timer.stage, Timer.due_at)
        .where(Timer.fire_at <= now)
        .order_by(Timer.fire_at, Timer.stage.desc(), Timer.ticket_id)
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]


def sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Fire every timer that is due and that no job fired (Redis flushed, a worker down).

    Reads the `fire_at` index, so its cost follows the number due. One timer's failure does not
    hold the others back; the first failure is raised once the batch is done. Returns how many
    warnings and breaches were recorded.
    """
    now = now or timeutil.utcnow()
    recorded = 0
    failure: Exception | None = None
    for ticket_id, kind, stage, due in due_timers(now, limit=limit):
        try:
            recorded += fire_timer(ticket_id, kind, stage, due, now=now) in (WARNED, BREACHED)
        except Exception as error:  # noqa: BLE001 - re-raised below, after the rest of the batch
            db.session.rollback()
            log.exception("SLA timer %s/%s/%s failed", ticket_id, kind, stage)
            failure = failure or error
    if failure is not None:
        raise failure
    return recorded
