"""Aggregates over tickets for dashboards and exports: counts, SLA compliance, ratings.
No personal data leaves here: no names, no CCCD, no ticket text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select

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
    """The report of a scope: a handful of grouped queries over the created_at index."""
    start, end = bounds(scope, timezone)
    where = [Ticket.created_at >= start, Ticket.created_at < end]
    if scope.system:
        where.append(Ticket.system_code == scope.system)
    if scope.province:
        where.append(Ticket.province_code == scope.province)

    def grouped(column) -> list[tuple[str, int]]:
        rows = db.session.execute(
            select(column, func.count())
            .where(*where)
            .group_by(column)
            .order_by(func.count().desc())
        )
        return [(key, count) for key, count in rows]

    first_met = and_(
        Ticket.first_responded_at.is_not(None),
        Ticket.first_response_due.is_not(None),
        Ticket.first_responded_at <= Ticket.first_response_due,
    )
    resolved_met = and_(
        Ticket.resolved_at.is_not(None),
        Ticket.resolution_breached_at.is_(None),
    )
    summary = db.session.execute(
        select(
            func.count(),
            func.sum(case((Ticket.status.in_(OPEN_STATUSES), 1), else_=0)),
            func.sum(case((first_met, 1), else_=0)),
            func.sum(case((Ticket.first_responded_at.is_not(None), 1), else_=0)),
            func.sum(case((resolved_met, 1), else_=0)),
            func.sum(case((Ticket.resolved_at.is_not(None), 1), else_=0)),
            func.sum(
                case(
                    (
                        Ticket.first_response_breached_at.is_not(None)
                        | Ticket.resolution_breached_at.is_not(None),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.avg(Ticket.rating),
            func.count(Ticket.rating),
        ).where(*where)
    ).one()
    month = month_expression(timezone)
    months = db.session.execute(
        select(month, func.count(), func.sum(case((resolved_met, 1), else_=0)))
        .where(*where)
        .group_by(month)
        .order_by(month)
    )
    return Report(
        scope=scope,
        total=summary[0] or 0,
        open=summary[1] or 0,
        by_status=grouped(Ticket.status),
        by_system=grouped(Ticket.system_code),
        by_province=grouped(Ticket.province_code),
        by_category=grouped(Ticket.category_code),
        by_month=[(key, filed, met or 0) for key, filed, met in months],
        first_response_met=summary[2] or 0,
        first_response_measured=summary[3] or 0,
        resolution_met=summary[4] or 0,
        resolution_measured=summary[5] or 0,
        breached=summary[6] or 0,
        rating_average=round(float(summary[7]), 2) if summary[7] is not None else None,
        rating_count=summary[8] or 0,
    )


def month_expression(timezone: str):
    """The local month (YYYY-MM) of created_at, on PostgreSQL and SQLite."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone(timezone, Ticket.created_at), "YYYY-MM")
    # SQLite keeps UTC text; Vietnam has had no DST since 1975, so a fixed offset is exact.
    offset = datetime.now(ZoneInfo(timezone)).utcoffset() or timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    return func.strftime("%Y-%m", Ticket.created_at, f"{hours:+d} hours")
