"""The SLA state of tickets: of one ticket (badges, the API's `sla_state`) and as a WHERE clause
over tickets (the list filter, the supervisors' lists)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, not_, or_, select

from helpdesk.sla import services as sla
from helpdesk.sla.models import Timer, TimerStage
from helpdesk.sla.states import SlaState
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.services.deadlines import clocks_of

# What state() and badge() read of a ticket: a list that loads only some columns
# loads these for its badges.
CLOCK_COLUMNS = (Ticket.status, *(getattr(Ticket, name) for name in sla.COLUMNS))


def state(ticket: Ticket, now: datetime) -> SlaState:
    """The state of the ticket's clocks at `now` (sla.state)."""
    return sla.state(clocks_of(ticket), now)


def badge(ticket: Ticket, now: datetime) -> sla.Badge:
    """The state and remaining minutes for `templates/sla/_badge.html`."""
    return sla.badge(clocks_of(ticket), now)


def _warning_due(now: datetime) -> ColumnElement[bool]:
    """The ticket has a warning timer due, that the sweep turns into a marker within a minute.
    Not correlated: the due warning timers (a minute's worth at most) are read once, by the
    index on fire_at, and each ticket is looked up among them, rather than one probe of the
    timers per ticket counted."""
    return Ticket.id.in_(
        select(Timer.ticket_id).where(Timer.stage == TimerStage.WARNING, Timer.fire_at <= now)
    )


def state_filter(wanted: str, now: datetime) -> ColumnElement[bool]:
    """A WHERE clause over Ticket selecting the tickets in that SLA state at `now`.

    Matches state() except near a warning point, where it goes by the warned markers and the
    pending warning timers (which the sweep turns into markers within a minute).
    """
    if wanted not in tuple(SlaState):
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
    warning = and_(
        open_,
        not_(breached),
        or_(
            and_(first_running, Ticket.first_response_warned_at.is_not(None)),
            and_(resolution_running, Ticket.resolution_warned_at.is_not(None)),
            _warning_due(now),
        ),
    )
    paused = and_(open_, not_(breached), not_(warning), Ticket.sla_paused_at.is_not(None))
    clauses = {
        SlaState.BREACHED: or_(
            breached, and_(not_(open_), Ticket.resolution_breached_at.is_not(None))
        ),
        SlaState.WARNING: warning,
        SlaState.PAUSED: paused,
        SlaState.MET: and_(not_(open_), Ticket.resolution_breached_at.is_(None)),
        SlaState.OK: and_(open_, not_(breached), not_(warning), Ticket.sla_paused_at.is_(None)),
    }
    return clauses.get(wanted, false())


def unanswered_clause(now: datetime) -> ColumnElement[bool]:
    """Open tickets still unassigned or without a first response, past a warning point."""
    return and_(
        Ticket.status.in_(OPEN_STATUSES),
        or_(Ticket.assignee_id.is_(None), Ticket.first_responded_at.is_(None)),
        or_(
            Ticket.first_response_warned_at.is_not(None),
            Ticket.resolution_warned_at.is_not(None),
            Ticket.first_response_breached_at.is_not(None),
            Ticket.resolution_breached_at.is_not(None),
            _warning_due(now),
        ),
    )
