"""The state of a ticket's clocks, for badges, the API's `sla_state` and list filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_

from helpdesk.sla import clock
from helpdesk.sla.models import Timer, TimerKind, TimerStage
from helpdesk.sla.services.calendars import calendar_for, targets_for, ticket_calendar
from helpdesk.sla.services.deadlines import KINDS, deadline, is_open, is_running, marker
from helpdesk.tickets.models import OPEN_STATUSES, Ticket

OK, WARNING, BREACHED, PAUSED, MET = "ok", "warning", "breached", "paused", "met"
STATES = (OK, WARNING, BREACHED, PAUSED, MET)

# What state() and remaining_minutes() read of a ticket: a list that loads only some columns
# loads these for its badges.
CLOCK_COLUMNS = (
    Ticket.status,
    Ticket.sla_policy_id,
    Ticket.first_response_due,
    Ticket.resolution_due,
    Ticket.first_responded_at,
    Ticket.sla_paused_at,
    Ticket.sla_remaining_minutes,
    Ticket.first_response_warned_at,
    Ticket.resolution_warned_at,
    Ticket.first_response_breached_at,
    Ticket.resolution_breached_at,
)


@dataclass(frozen=True)
class Badge:
    """What a badge shows: the state and the signed business minutes to the relevant deadline."""

    state: str
    remaining_minutes: int | None


def state(ticket: Ticket, now: datetime) -> str:
    """ok | warning | breached | paused | met, as docs/contract.md's `sla_state`.

    Open tickets: "breached" while a running deadline has passed or a resolution breach was
    recorded, else "warning" past a warning point, else "paused" while waiting on the requester.
    Resolved and closed tickets: "met", or "breached" if their resolution was late.
    """
    if not is_open(ticket.status):
        return BREACHED if ticket.resolution_breached_at is not None else MET
    found = targets_for(ticket.sla_policy_id)
    calendar = found.calendar if found is not None else calendar_for(None)
    breached = ticket.resolution_breached_at is not None
    warning = False
    for kind in KINDS:
        if not is_running(ticket, kind):
            continue
        due = deadline(ticket, kind)
        if due <= now or marker(ticket, kind, TimerStage.BREACH):
            breached = True
        elif marker(ticket, kind, TimerStage.WARNING) or (
            found is not None and clock.remaining(now, due, calendar) <= found.lead(kind)
        ):
            warning = True
    if breached:
        return BREACHED
    if warning:
        return WARNING
    return PAUSED if ticket.sla_paused_at is not None else OK


def remaining_minutes(ticket: Ticket, now: datetime) -> int | None:
    """Signed business minutes to the relevant deadline (negative once late); None when no
    clock runs. The first response while it is pending, else the resolution (paused: what is
    left)."""
    if not is_open(ticket.status):
        return None
    if is_running(ticket, TimerKind.FIRST_RESPONSE):
        return clock.remaining(now, ticket.first_response_due, ticket_calendar(ticket))
    if ticket.sla_paused_at is not None:
        return ticket.sla_remaining_minutes
    if ticket.resolution_due is not None:
        return clock.remaining(now, ticket.resolution_due, ticket_calendar(ticket))
    return None


def badge(ticket: Ticket, now: datetime) -> Badge:
    """The state and remaining minutes for `templates/sla/_badge.html`."""
    return Badge(state(ticket, now), remaining_minutes(ticket, now))


def state_filter(wanted: str, now: datetime) -> ColumnElement[bool]:
    """A WHERE clause over Ticket selecting the tickets in that SLA state at `now`.

    Matches state() except near a warning point, where it goes by the warned markers and the
    pending warning timers (which the sweep turns into markers within a minute).
    """
    if wanted not in STATES:
        raise ValueError(f"unknown SLA state {wanted!r}")
    open_ = Ticket.status.in_(OPEN_STATUSES)
    first_running = and_(
        Ticket.first_responded_at.is_(None), Ticket.first_response_due.is_not(None)
    )
    resolution_running = and_(Ticket.sla_paused_at.is_(None), Ticket.resolution_due.is_not(None))
    breached = and_(
        open_,
        or_(
            and_(
                first_running,
                or_(
                    Ticket.first_response_breached_at.is_not(None),
                    Ticket.first_response_due <= now,
                ),
            ),
            Ticket.resolution_breached_at.is_not(None),
            and_(resolution_running, Ticket.resolution_due <= now),
        ),
    )
    warning_due = exists().where(
        Timer.ticket_id == Ticket.id, Timer.stage == TimerStage.WARNING, Timer.fire_at <= now
    )
    warning = and_(
        open_,
        not_(breached),
        or_(
            and_(first_running, Ticket.first_response_warned_at.is_not(None)),
            and_(resolution_running, Ticket.resolution_warned_at.is_not(None)),
            warning_due,
        ),
    )
    paused = and_(open_, not_(breached), not_(warning), Ticket.sla_paused_at.is_not(None))
    clauses = {
        BREACHED: or_(breached, and_(not_(open_), Ticket.resolution_breached_at.is_not(None))),
        WARNING: warning,
        PAUSED: paused,
        MET: and_(not_(open_), Ticket.resolution_breached_at.is_(None)),
        OK: and_(open_, not_(breached), not_(warning), Ticket.sla_paused_at.is_(None)),
    }
    return clauses.get(wanted, false())
