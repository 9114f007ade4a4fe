"""The key figures on a report reader's home page: open tickets, how many of them are overdue,
and how many were filed and resolved in the last 30 days, within the reader's reach (tickets,
not incidents). Counted up to the home page's cap, as its other counts (the dashboard has the
whole figures), one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.reports.scope import EVERYTHING, Reach
from helpdesk.sla.states import SlaState
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Ticket
from helpdesk.tickets.services.home import capped_count
from helpdesk.tickets.services.sla_state import state_filter

RECENT = timedelta(days=30)


@dataclass(frozen=True)
class KeyFigures:
    open: int
    overdue: int  # open and breached
    filed_recently: int
    resolved_recently: int


def key_figures(now: datetime, reach: Reach = EVERYTHING) -> KeyFigures:
    """The figures at `now`, over the tickets within `reach`, each up to COUNT_CAP + 1 (one
    query; the open and recent tickets are found through the indexes on status and dates)."""
    since = now - RECENT
    within = (
        ISSUES_ONLY,
        *reach.conditions(Ticket.system_code, Ticket.province_code, Ticket.queue_id),
    )
    is_open = Ticket.status.in_(OPEN_STATUSES)
    row = db.session.execute(
        select(
            capped_count(*within, is_open).label("open"),
            capped_count(*within, is_open, state_filter(SlaState.BREACHED, now)).label("overdue"),
            capped_count(*within, Ticket.created_at >= since).label("filed_recently"),
            capped_count(*within, Ticket.resolved_at >= since).label("resolved_recently"),
        )
    ).one()
    return KeyFigures(*row)
