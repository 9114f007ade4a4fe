"""Tickets by unit (commune, ward, department) within one province: the units with the most
tickets, with their open, breached and on-time counts. Unit names only, no personal data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from helpdesk.auth.models import Unit
from helpdesk.extensions import db
from helpdesk.reports.queries import (
    BREACHED,
    FIRST_RESPONSE_MET,
    RESOLVED_MET,
    OnTime,
    ReportScope,
    bounds,
)
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Ticket

TOP_UNITS = 20


@dataclass(frozen=True)
class UnitRow(OnTime):
    """A unit's tickets in the scope; `unit_id` None gathers the tickets of no unit."""

    unit_id: int | None
    code: str | None
    name: str
    tickets: int
    open: int
    breached: int
    first_response_met: int
    first_response_measured: int
    resolution_met: int
    resolution_measured: int


def is_by_unit(scope: ReportScope) -> bool:
    """Units are compared within one province: a province chosen, or the reader's own."""
    return bool(scope.province) or scope.reach.province is not None


def by_unit(scope: ReportScope, *, timezone: str, limit: int = TOP_UNITS) -> list[UnitRow]:
    """The `limit` units of the scope's tickets with the most tickets, most first (one query,
    through the tickets' province index: a province's tickets of the period)."""
    start, end = bounds(scope, timezone)
    count = func.count()
    rows = db.session.execute(
        select(
            Ticket.unit_id,
            Unit.code,
            Unit.name,
            count,
            func.count().filter(Ticket.status.in_(OPEN_STATUSES)),
            func.count().filter(BREACHED),
            func.count().filter(FIRST_RESPONSE_MET),
            func.count(Ticket.first_responded_at),
            func.count().filter(RESOLVED_MET),
            func.count(Ticket.resolved_at),
        )
        .outerjoin(Unit, Unit.id == Ticket.unit_id)
        .where(
            Ticket.created_at >= start,
            Ticket.created_at < end,
            ISSUES_ONLY,
            *scope.conditions(Ticket.system_code, Ticket.province_code, Ticket.queue_id),
        )
        .group_by(Ticket.unit_id, Unit.code, Unit.name)
        .order_by(count.desc(), Unit.name, Ticket.unit_id)
        .limit(limit)
    ).all()
    return [UnitRow(unit_id, code, name or "", *figures) for unit_id, code, name, *figures in rows]
