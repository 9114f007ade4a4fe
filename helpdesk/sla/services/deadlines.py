"""A ticket's deadlines as it moves (filed, answered, paused, resolved, reopened, re-prioritised)
and the pending timers that follow them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from helpdesk import timeutil
from helpdesk.extensions import db
from helpdesk.sla import clock
from helpdesk.sla.models import Timer, TimerKind, TimerStage
from helpdesk.sla.services.calendars import (
    Targets,
    calendar_for,
    find_policy,
    targets_for,
    targets_of,
    ticket_calendar,
)
from helpdesk.tickets.models import OPEN_STATUSES, Status, Ticket

KINDS = (TimerKind.FIRST_RESPONSE, TimerKind.RESOLUTION)


def is_open(status: str | None) -> bool:
    return status is None or status in OPEN_STATUSES


def deadline(ticket: Ticket, kind: str) -> datetime | None:
    return ticket.first_response_due if kind == TimerKind.FIRST_RESPONSE else ticket.resolution_due


def marker(ticket: Ticket, kind: str, stage: str) -> datetime | None:
    return getattr(ticket, marker_name(kind, stage))


def marker_name(kind: str, stage: str) -> str:
    return f"{kind}_{'warned' if stage == TimerStage.WARNING else 'breached'}_at"


def is_running(ticket: Ticket, kind: str, *, status: str | None = None) -> bool:
    """Whether that clock counts now: the ticket is open, the deadline set, not met or paused."""
    if not is_open(status or ticket.status):
        return False
    if kind == TimerKind.FIRST_RESPONSE:
        return ticket.first_responded_at is None and ticket.first_response_due is not None
    return ticket.sla_paused_at is None and ticket.resolution_due is not None


def _set_deadline(ticket: Ticket, kind: str, due: datetime | None) -> None:
    """A new deadline means a new warning point: the warned marker goes with the old one."""
    if deadline(ticket, kind) == due:
        return
    setattr(ticket, f"{kind}_due", due)
    setattr(ticket, marker_name(kind, TimerStage.WARNING), None)


def set_deadlines(ticket: Ticket, now: datetime) -> None:
    """Choose the ticket's policy and set its first-response and resolution deadlines from `now`.

    The first response only while nobody has answered; a breached deadline stays as it is; a
    paused resolution clock stays paused with the new policy's full target. No commit. The
    timers follow, except for a ticket not yet inserted: start_timers gives it its timers then.
    """
    policy = find_policy(ticket.priority, ticket.system_code, ticket.category_code)
    ticket.sla_policy_id = policy.id if policy is not None else None
    found = targets_of(policy) if policy is not None else None
    if is_open(ticket.status):
        if ticket.first_responded_at is None and ticket.first_response_breached_at is None:
            due = _add(now, found, TimerKind.FIRST_RESPONSE)
            _set_deadline(ticket, TimerKind.FIRST_RESPONSE, due)
        if ticket.resolution_breached_at is None:
            if ticket.sla_paused_at is not None:
                ticket.sla_remaining_minutes = found.resolution_minutes if found else None
            else:
                _set_deadline(ticket, TimerKind.RESOLUTION, _add(now, found, TimerKind.RESOLUTION))
    if ticket.id is not None:  # a ticket being filed gets its timers once inserted
        sync_timers(ticket, now)


def _add(now: datetime, found: Targets | None, kind: str) -> datetime | None:
    return clock.add(now, found.minutes(kind), found.calendar) if found is not None else None


def on_priority_change(ticket: Ticket, now: datetime) -> None:
    """The priority changed: deadlines follow the new priority's policy, from `now`. No commit."""
    set_deadlines(ticket, now)


def on_public_agent_reply(ticket: Ticket, now: datetime) -> None:
    """The first public agent reply meets the first response. No commit.

    A reply after the deadline is recorded as breached even if no timer has fired yet.
    """
    if ticket.first_responded_at is not None:
        return
    ticket.first_responded_at = now
    _mark_late(ticket, TimerKind.FIRST_RESPONSE, now)
    sync_timers(ticket, now)


def _mark_late(ticket: Ticket, kind: str, now: datetime) -> None:
    due = deadline(ticket, kind)
    breached = marker_name(kind, TimerStage.BREACH)
    if due is not None and due <= now and getattr(ticket, breached) is None:
        setattr(ticket, breached, due)


def on_status_change(ticket: Ticket, old: str | None, new: str, now: datetime) -> None:
    """Pause, resume, meet or reopen the clocks as the status goes from `old` to `new`. No commit.

    waiting_requester pauses the resolution clock; leaving it resumes; resolved or closed meets
    both clocks; leaving resolved or closed for an open status resumes with what was left.
    """
    if old == new:
        return
    was_open, now_open = is_open(old), is_open(new)
    if was_open and now_open:
        if new == Status.WAITING_REQUESTER:
            _pause(ticket, now)
        elif old == Status.WAITING_REQUESTER:
            _resume(ticket, now)
    elif was_open:
        _meet(ticket, now)
    elif now_open:
        _reopen(ticket, now)
        if new == Status.WAITING_REQUESTER:
            _pause(ticket, now)
    sync_timers(ticket, now, status=new)


def _pause(ticket: Ticket, now: datetime) -> None:
    due = ticket.resolution_due
    if ticket.sla_paused_at is not None or due is None or ticket.resolution_breached_at:
        return
    if due <= now:
        return  # overdue: a pause does not stop the breach
    ticket.sla_remaining_minutes = clock.remaining(now, due, ticket_calendar(ticket))
    ticket.sla_paused_at = now
    ticket.resolution_due = None


def _resume(ticket: Ticket, now: datetime) -> None:
    if ticket.sla_paused_at is None:
        return
    left = max(ticket.sla_remaining_minutes or 0, 0)
    ticket.resolution_due = clock.add(now, left, ticket_calendar(ticket))
    ticket.sla_paused_at = None
    ticket.sla_remaining_minutes = None


def _meet(ticket: Ticket, now: datetime) -> None:
    if ticket.first_responded_at is None:
        _mark_late(ticket, TimerKind.FIRST_RESPONSE, now)
    if ticket.sla_paused_at is not None:
        ticket.sla_paused_at = None  # resolved while waiting: the paused remainder is kept
    elif ticket.resolution_due is not None:
        _mark_late(ticket, TimerKind.RESOLUTION, now)
        ticket.sla_remaining_minutes = clock.remaining(
            now, ticket.resolution_due, ticket_calendar(ticket)
        )


def _reopen(ticket: Ticket, now: datetime) -> None:
    found = targets_for(ticket.sla_policy_id)
    calendar = found.calendar if found is not None else calendar_for(None)
    left = ticket.sla_remaining_minutes
    if left is None and found is not None:
        left = found.resolution_minutes
    if left is not None:
        ticket.resolution_due = clock.add(now, max(left, 0), calendar)
    ticket.sla_remaining_minutes = None
    ticket.sla_paused_at = None
    if (
        ticket.first_responded_at is None
        and ticket.first_response_breached_at is None
        and found is not None
    ):
        _set_deadline(
            ticket,
            TimerKind.FIRST_RESPONSE,
            clock.add(now, found.first_response_minutes, calendar),
        )


# ---------------------------------------------------------------- timers


def warning_instant(now: datetime, due: datetime, lead: int, calendar: clock.Calendar) -> datetime:
    """When `lead` business minutes are left before `due` (`now` if that is already past)."""
    left = clock.remaining(now, due, calendar)
    if left <= lead:
        return now
    return clock.add(now, left - lead, calendar)


def wanted_timers(
    ticket: Ticket, now: datetime, *, status: str | None = None
) -> dict[tuple[str, str], tuple[datetime, datetime]]:
    """{(kind, stage): (fire_at, due_at)} for the ticket's running, unbreached deadlines."""
    found = targets_for(ticket.sla_policy_id)
    calendar = found.calendar if found is not None else calendar_for(None)
    wanted = {}
    for kind in KINDS:
        due = deadline(ticket, kind)
        if not is_running(ticket, kind, status=status) or marker(ticket, kind, TimerStage.BREACH):
            continue
        wanted[(kind, TimerStage.BREACH)] = (due, due)
        lead = found.lead(kind) if found is not None else 0
        if lead > 0 and marker(ticket, kind, TimerStage.WARNING) is None:
            wanted[(kind, TimerStage.WARNING)] = (warning_instant(now, due, lead, calendar), due)
    return wanted


def sync_timers(ticket: Ticket, now: datetime, *, status: str | None = None) -> list[Timer]:
    """Make the ticket's pending timer rows match its deadlines (no commit); the timers added or
    moved (what schedule_timers hands to RQ). New rows go in with one INSERT."""
    if ticket.id is None:  # not inserted yet: start_timers gives it its timers afterwards
        return []
    wanted = wanted_timers(ticket, now, status=status)
    existing: dict[tuple[str, str], Timer] = {
        (row.kind, row.stage): row
        for row in db.session.scalars(select(Timer).where(Timer.ticket_id == ticket.id))
    }
    for key, row in existing.items():
        if key not in wanted:
            db.session.delete(row)
    changed, added = [], {}
    for (kind, stage), (fire_at, due_at) in wanted.items():
        row = existing.get((kind, stage))
        if row is None:
            added[(kind, stage)] = (fire_at, due_at)
        elif row.due_at != due_at:  # same deadline: same warning point (recomputing drifts)
            row.fire_at, row.due_at = fire_at, due_at
            changed.append(row)
    return changed + insert_timers(ticket, added)


def start_timers(ticket: Ticket, now: datetime) -> list[Timer]:
    """The timers of a ticket just inserted (it has none yet), with one INSERT; the timers.

    No commit. The filing path: set_deadlines, flush, start_timers, commit, schedule_timers.
    """
    return insert_timers(ticket, wanted_timers(ticket, now))


def insert_timers(
    ticket: Ticket, timers: dict[tuple[str, str], tuple[datetime, datetime]]
) -> list[Timer]:
    """Insert these timer rows of the ticket with one statement; the rows, as plain objects
    outside the session (a later query of the ticket's timers loads them)."""
    rows = [
        Timer(ticket_id=ticket.id, kind=kind, stage=stage, fire_at=fire_at, due_at=due_at)
        for (kind, stage), (fire_at, due_at) in timers.items()
    ]
    if rows:
        db.session.execute(
            insert(Timer).values(
                [
                    {
                        "ticket_id": row.ticket_id,
                        "kind": row.kind,
                        "stage": row.stage,
                        "fire_at": row.fire_at,
                        "due_at": row.due_at,
                    }
                    for row in rows
                ]
            )
        )
    return rows


def timer_job_id(ticket_id: int, kind: str, stage: str, due: datetime) -> str:
    """Deterministic (RQ allows letters, digits, - and _): the same timer twice is one job."""
    return f"sla-{ticket_id}-{kind}-{stage}-{due.timestamp():.0f}"


def schedule_timers(ticket: Ticket, *, timers: list[Timer] | None = None) -> None:
    """After the commit: an RQ job at each pending timer that lies in the future.

    `timers` are those the transaction added or moved (sync_timers, start_timers); without
    them, the ticket's timer rows are read. Timers already due are left to the minutely sweep
    (alerts.sweep), as are those Redis loses; a job whose deadline has moved by the time it
    runs does nothing. Tolerates Redis being down.
    """
    from helpdesk.sla.jobs import fire_deadline
    from helpdesk.worker import ScheduledJob, enqueue_all_at

    if ticket.id is None:
        return
    now = timeutil.utcnow()
    if timers is None:
        timers = db.session.scalars(
            select(Timer).where(Timer.ticket_id == ticket.id, Timer.fire_at > now)
        ).all()
    enqueue_all_at(  # one Redis round trip for all of them
        [
            ScheduledJob(
                at=row.fire_at,
                func=fire_deadline,
                args=(ticket.id, row.kind, row.stage, row.due_at.isoformat()),
                job_id=timer_job_id(ticket.id, row.kind, row.stage, row.due_at),
            )
            for row in timers
            if row.fire_at > now
        ]
    )
