"""Aggregates over tickets for dashboards and exports: counts, SLA compliance, ratings.
No personal data leaves here: no names, no CCCD, no ticket text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select

from helpdesk.extensions import db
from helpdesk.tickets.models import OPEN_STATUSES, Ticket


@dataclass(frozen=True)
class ReportScope:
    """Tickets created in [start, end) local dates, optionally one system and/or province."""

    start: date
    end: date
    system: str | None = None
    province: str | None = None


@dataclass
class Report:
    scope: ReportScope
    total: int
    open: int
    by_status: list[tuple[str, int]]
    by_system: list[tuple[str, int]]
    by_province: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_month: list[tuple[str, int, int]]  # (YYYY-MM, filed, resolved within target)
    first_response_met: int
    first_response_measured: int
    resolution_met: int
    resolution_measured: int
    breached: int
    rating_average: float | None
    rating_count: int

    @staticmethod
    def percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None


def year_scope(today: date, **narrow) -> ReportScope:
    return ReportScope(start=today - timedelta(days=365), end=today + timedelta(days=1), **narrow)


def bounds(scope: ReportScope, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    start = datetime.combine(scope.start, time.min, zone)
    end = datetime.combine(scope.end, time.min, zone)
    return start, end


def build(scope: ReportScope, *, timezone: str) -> Report:
    """The report of a scope: two grouped passes over the scope's tickets, read from the
    created_at index alone on PostgreSQL (it includes the columns read here)."""
    start, end = bounds(scope, timezone)
    where = [Ticket.created_at >= start, Ticket.created_at < end]
    if scope.system:
        where.append(Ticket.system_code == scope.system)
    if scope.province:
        where.append(Ticket.province_code == scope.province)

    first_met = and_(
        Ticket.first_responded_at.is_not(None),
        Ticket.first_response_due.is_not(None),
        Ticket.first_responded_at <= Ticket.first_response_due,
    )
    resolved_met = and_(
        Ticket.resolved_at.is_not(None),
        Ticket.resolution_breached_at.is_(None),
    )
    breached = or_(
        Ticket.first_response_breached_at.is_not(None),
        Ticket.resolution_breached_at.is_not(None),
    )
    months = local_months(scope)
    month = month_index(months, timezone)
    # Every figure but the three breakdowns adds up over (status, month): one small grouping
    # whose rows are summed here, instead of one pass over the tickets per figure.
    cells = db.session.execute(
        select(
            Ticket.status,
            month,
            func.count(),
            func.count().filter(first_met),
            func.count(Ticket.first_responded_at),
            func.count().filter(resolved_met),
            func.count(Ticket.resolved_at),
            func.count().filter(breached),
            func.sum(Ticket.rating),
            func.count(Ticket.rating),
        )
        .where(*where)
        .group_by(Ticket.status, month)
    ).all()
    places = db.session.execute(
        select(Ticket.system_code, Ticket.province_code, Ticket.category_code, func.count())
        .where(*where)
        .group_by(Ticket.system_code, Ticket.province_code, Ticket.category_code)
    ).all()

    by_status: Counter[str] = Counter()
    filed: Counter[int] = Counter()
    met_by_month: Counter[int] = Counter()
    # first response met, measured; resolution met, measured; breached; rating sum, count
    sums = [0] * 7
    for status, index, count, *figures in cells:
        by_status[status] += count
        filed[index] += count
        met_by_month[index] += figures[2]
        sums = [total + (figure or 0) for total, figure in zip(sums, figures, strict=True)]
    by_system: Counter[str] = Counter()
    by_province: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    for system, province, category, count in places:
        by_system[system] += count
        by_province[province] += count
        by_category[category] += count
    rating_sum, rating_count = sums[5], sums[6]
    return Report(
        scope=scope,
        total=sum(by_status.values()),
        open=sum(count for status, count in by_status.items() if status in OPEN_STATUSES),
        by_status=most_first(by_status),
        by_system=most_first(by_system),
        by_province=most_first(by_province),
        by_category=most_first(by_category),
        by_month=[
            (months[index].strftime("%Y-%m"), filed[index], met_by_month[index])
            for index in sorted(filed)
        ],
        first_response_met=sums[0],
        first_response_measured=sums[1],
        resolution_met=sums[2],
        resolution_measured=sums[3],
        breached=sums[4],
        rating_average=round(rating_sum / rating_count, 2) if rating_count else None,
        rating_count=rating_count,
    )


def most_first(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def local_months(scope: ReportScope) -> list[date]:
    """The first days of the local months the scope touches, in order."""
    months = [scope.start.replace(day=1)]
    last = scope.end - timedelta(days=1)
    while (months[-1].year, months[-1].month) < (last.year, last.month):
        months.append(next_month(months[-1]))
    return months


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_index(months: list[date], timezone: str):
    """The position in `months` of a ticket's local month of creation.

    Comparisons with each month's end (an instant) cost far less per row than formatting a
    local date, on PostgreSQL and SQLite alike, and use no time-zone support of the database.
    """
    zone = ZoneInfo(timezone)
    ends = [*months[1:], next_month(months[-1])]
    return case(
        *(
            (Ticket.created_at < datetime.combine(end, time.min, zone), index)
            for index, end in enumerate(ends)
        )
    )
