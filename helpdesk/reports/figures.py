"""The key figures on a report reader's home page: open tickets, how many of them are overdue,
and how many were filed and resolved in the last 30 days, within the reader's reach (tickets,
not incidents). Aggregates only, one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, case, func, select

from helpdesk.extensions import db
from helpdesk.reports.scope import EVERYTHING, Reach
from helpdesk.sla.states import SlaState
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Ticket
from helpdesk.tickets.services.sla_state import state_filter

RECENT = timedelta(days=30)


@dataclass(frozen=True)
class KeyFigures:
    open: int
    overdue: int  # open and breached
    filed_recently: int
    resolved_recently: int


def _count(condition):
    return func.sum(case((condition, 1), else_=0), type_=Integer)


def key_figures(now: datetime, reach: Reach = EVERYTHING) -> KeyFigures:
    """The figures at `now`, over the tickets within `reach` (one query; the open and recent
    tickets are found through the indexes on status and dates)."""
    since = now - RECENT
    is_open = Ticket.status.in_(OPEN_STATUSES)
    row = db.session.execute(
        select(
            _count(is_open).label("open"),
            _count(and_(is_open, state_filter(SlaState.BREACHED, now))).label("overdue"),
            _count(Ticket.created_at >= since).label("filed_recently"),
            _count(Ticket.resolved_at >= since).label("resolved_recently"),
        ).where(
            is_open | (Ticket.created_at >= since) | (Ticket.resolved_at >= since),
            ISSUES_ONLY,
            *reach.conditions(Ticket.system_code, Ticket.province_code, Ticket.queue_id),
        )
    ).one()
    return KeyFigures(
        open=row.open or 0,
        overdue=row.overdue or 0,
        filed_recently=row.filed_recently or 0,
        resolved_recently=row.resolved_recently or 0,
    )
