"""A ticket's SLA deadlines as it moves: the SLA's rules applied to the ticket's columns, and its
pending timers kept in step. None of these commits.

- `set_deadlines(ticket, now)` when a ticket is filed or its facts change;
- `on_public_agent_reply`, `on_status_change`, `on_priority_change` as the ticket moves;
- `start_timers(ticket, now)` once a new ticket is inserted (the filing path: set_deadlines,
  flush, start_timers, commit, timer_jobs handed to RQ with the filing's mail);
- `schedule_timers(ticket)` after the commit, to hand the new timers to RQ.

Each reads the ticket's SLA columns into plain values (`clocks_of`), asks the SLA for the new
ones (helpdesk.sla.services.deadlines) and writes back only what changed.

A request's ticket (kind `request`, helpdesk/requests) has no SLA: its resolution deadline is
the request's due time, set once and never moved, and it has no policy, timers, warnings,
breaches or escalations (the request's own reminders follow it); its first public staff reply
is still recorded (`first_responded_at`: the province answered).
"""

from __future__ import annotations

from datetime import datetime

from helpdesk.sla import services as sla
from helpdesk.sla.models import Timer
from helpdesk.tickets.models import OPEN_STATUSES, Status, Ticket
from helpdesk.worker import ScheduledJob


def phase_of(status: str | None) -> sla.Phase:
    """What a status means to the clocks (no status yet: a ticket being filed, running)."""
    if status is None or status in OPEN_STATUSES:
        return sla.Phase.WAITING if status == Status.WAITING_REQUESTER else sla.Phase.RUNNING
    return sla.Phase.DONE


def clocks_of(ticket: Ticket, *, status: str | None = None) -> sla.Clocks:
    """The ticket's SLA columns as plain values, with the phase of `status` (by default its
    own)."""
    phase = phase_of(status or ticket.status)
    return sla.Clocks(phase, **{name: getattr(ticket, name) for name in sla.COLUMNS})


def _write(ticket: Ticket, before: sla.Clocks, after: sla.Clocks) -> None:
    for name in sla.COLUMNS:
        value = getattr(after, name)
        if value != getattr(before, name):
            setattr(ticket, name, value)


def set_deadlines(ticket: Ticket, now: datetime) -> None:
    """Choose the ticket's policy and set its deadlines from `now` (sla.set_deadlines). The
    timers follow, except for a ticket not yet inserted: start_timers gives it its timers then.
    A request's ticket keeps its due time."""
    if ticket.is_request:
        return
    before = clocks_of(ticket)
    after = sla.set_deadlines(
        before,
        now,
        priority=ticket.priority,
        system_code=ticket.system_code,
        category_code=ticket.category_code,
    )
    _write(ticket, before, after)
    if ticket.id is not None:  # a ticket being filed gets its timers once inserted
        sla.sync_timers(ticket.id, after, now)


def on_priority_change(ticket: Ticket, now: datetime) -> None:
    """The priority changed: deadlines follow the new priority's policy, from `now`."""
    set_deadlines(ticket, now)


def on_public_agent_reply(ticket: Ticket, now: datetime) -> None:
    """The first public agent reply meets the first response (late: recorded as breached)."""
    if ticket.first_responded_at is not None:
        return
    if ticket.is_request:
        ticket.first_responded_at = now
        return
    before = clocks_of(ticket)
    after = sla.on_public_agent_reply(before, now)
    _write(ticket, before, after)
    _sync(ticket, after, now)


def on_status_change(ticket: Ticket, old: str | None, new: str, now: datetime) -> None:
    """Pause, resume, meet or reopen the clocks as the status goes from `old` to `new` (a
    request's ticket has no clock to move)."""
    if old == new or ticket.is_request:
        return
    before = clocks_of(ticket, status=new)
    after = sla.on_status_change(before, phase_of(old), phase_of(new), now)
    _write(ticket, before, after)
    _sync(ticket, after, now)


def stage_clocks(
    ticket: Ticket, now: datetime, *, replied: bool, new: str | None
) -> sla.Clocks | None:
    """For a change to many tickets at once (an incident's update): a public agent reply
    (`replied`) and the status going to `new` (None: unchanged) applied to the ticket's SLA
    columns, its timers left alone; the clocks to give sla.sync_many, None if nothing changed.
    The caller sets the status itself. A request's ticket only records its first response."""
    if ticket.is_request:
        if replied and ticket.first_responded_at is None:
            ticket.first_responded_at = now
        return None
    changed = False
    if replied and ticket.first_responded_at is None:
        before = clocks_of(ticket)
        after = sla.on_public_agent_reply(before, now)
        _write(ticket, before, after)
        changed = True
    if new is not None and new != ticket.status:
        before = clocks_of(ticket, status=new)
        after = sla.on_status_change(before, phase_of(ticket.status), phase_of(new), now)
        _write(ticket, before, after)
        changed = True
    return clocks_of(ticket, status=new or ticket.status) if changed else None


def _sync(ticket: Ticket, clocks: sla.Clocks, now: datetime) -> None:
    if ticket.id is not None:  # not inserted yet: start_timers gives it its timers afterwards
        sla.sync_timers(ticket.id, clocks, now)


def start_timers(ticket: Ticket, now: datetime) -> list[Timer]:
    """The timers of a ticket just inserted (it has none yet), with one INSERT; the timers (none
    for a request's ticket)."""
    if ticket.is_request:
        return []
    return sla.insert_timers(ticket.id, sla.wanted_timers(clocks_of(ticket), now))


def timer_jobs(timers: list[Timer]) -> list[ScheduledJob]:
    """The RQ jobs of a new ticket's timers (start_timers), to hand over after the commit with
    the filing's other jobs (worker.enqueue_all)."""
    return sla.timer_jobs(timers)


def schedule_timers(ticket: Ticket, *, timers: list[Timer] | None = None) -> None:
    """After the commit: an RQ job at each of the ticket's pending timers that lies in the
    future (sla.schedule_timers). Tolerates Redis being down."""
    if ticket.id is None:
        return
    sla.schedule_timers(ticket.id, timers=timers)
