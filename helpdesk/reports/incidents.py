"""Incidents in a report's period and its reader's reach: how many were declared per system and
month, how many tickets each gathered, how long after the first of them it was declared, how
long it took to resolve. Numbers, systems and counts only: no title, no ticket text.

One statement, one row per incident (a period holds few), through the partial index of the
incidents by declaration; the medians and the 90th percentiles are taken here.

An incident counts for a province (a coordinator's, or the one asked for) when it concerns it:
limited to no province (the whole country) or to it among others, or with a ticket of that
province attached; its tickets are then that province's only.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.orm import aliased

from helpdesk.extensions import db
from helpdesk.reports.queries import ReportScope, bounds
from helpdesk.tickets.models import Kind, Ticket
from helpdesk.tickets.services.similar import in_scope
from helpdesk.timeutil import ensure_aware, to_local

TOP_INCIDENTS = 20  # the incidents the dashboard lists (the export has them all)
HOUR = 3600


@dataclass(frozen=True)
class IncidentRow:
    number: str
    system: str
    month: str  # YYYY-MM of its declaration, local
    tickets: int  # attached (of the province, when the report is of one)
    hours_to_declare: float | None  # from its first ticket's filing; None: no ticket attached
    hours_to_resolve: float | None  # from its declaration; None: not resolved


@dataclass(frozen=True)
class Timing:
    """Hours: the median and the 90th percentile (nearest rank) of `count` durations."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class Incidents:
    rows: list[IncidentRow]  # most tickets first
    by_month: list[tuple[str, str, int, int]]  # (YYYY-MM, system, incidents, tickets)
    to_declare: Timing
    to_resolve: Timing

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def tickets(self) -> int:
        return sum(row.tickets for row in self.rows)


def hours(seconds: float) -> float:
    return round(seconds / HOUR, 1)


def timing(values: list[float]) -> Timing:
    if not values:
        return Timing(0, None, None)
    ordered = sorted(values)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
    return Timing(len(ordered), round(statistics.median(ordered), 1), p90)


def of_period(scope: ReportScope, *, timezone: str) -> Incidents:
    """The incidents declared in the scope's period, within its system, provinces and reach."""
    start, end = bounds(scope, timezone)
    attached = aliased(Ticket)
    tickets = func.count(attached.id)
    province = scope.reach.province_for(scope.province)
    # The systems of the scope and of the reach; the province is matched below.
    systems = replace(scope, province=None, reach=replace(scope.reach, province=None))
    where = [
        # A literal: the partial index's condition, which a bound value would not match.
        Ticket.kind == literal_column(f"'{Kind.INCIDENT}'"),
        Ticket.created_at >= start,
        Ticket.created_at < end,
        *systems.conditions(Ticket.system_code, Ticket.province_code, Ticket.queue_id),
    ]
    if province is not None:
        other = aliased(Ticket)
        with_ticket = select(other.id).where(
            other.parent_id == Ticket.id, other.province_code == province
        )
        where.append(or_(in_scope(province), with_ticket.exists()))
        tickets = tickets.filter(attached.province_code == province)
    rows = db.session.execute(
        select(
            Ticket.number,
            Ticket.system_code,
            Ticket.created_at,
            Ticket.resolved_at,
            tickets,
            func.min(attached.created_at),
        )
        .outerjoin(attached, attached.parent_id == Ticket.id)
        .where(*where)
        .group_by(
            Ticket.id, Ticket.number, Ticket.system_code, Ticket.created_at, Ticket.resolved_at
        )
    ).all()
    return summarise([incident_row(*row, timezone=timezone) for row in rows])


def incident_row(
    number: str,
    system: str,
    declared_at: datetime,
    resolved_at: datetime | None,
    tickets: int,
    first_filed_at: datetime | None,
    *,
    timezone: str,
) -> IncidentRow:
    """One incident's figures. Declared before any of its tickets was filed (they came after
    and were attached): zero hours to declare."""
    declared_at = ensure_aware(declared_at)
    to_declare = None
    if first_filed_at is not None:
        to_declare = hours(max(0.0, (declared_at - ensure_aware(first_filed_at)).total_seconds()))
    to_resolve = None
    if resolved_at is not None:
        to_resolve = hours(max(0.0, (ensure_aware(resolved_at) - declared_at).total_seconds()))
    month = to_local(declared_at, timezone).strftime("%Y-%m")
    return IncidentRow(number, system, month, tickets, to_declare, to_resolve)


def summarise(rows: list[IncidentRow]) -> Incidents:
    declared: Counter[tuple[str, str]] = Counter()
    gathered: Counter[tuple[str, str]] = Counter()
    for row in rows:
        declared[row.month, row.system] += 1
        gathered[row.month, row.system] += row.tickets
    return Incidents(
        rows=sorted(rows, key=lambda row: (-row.tickets, row.number)),
        by_month=[
            (month, system, count, gathered[month, system])
            for (month, system), count in sorted(declared.items())
        ],
        to_declare=timing([r.hours_to_declare for r in rows if r.hours_to_declare is not None]),
        to_resolve=timing([r.hours_to_resolve for r in rows if r.hours_to_resolve is not None]),
    )
