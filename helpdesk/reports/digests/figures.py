"""What a digest says, within its reader's reach: the key figures of the period and of the one
before (the report's own figures, queries.build, over the tickets filed in each period), the
open backlog at each period's end, and the period's tickets by queue and by province. Counts
only: no names of people, no ticket text."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import and_, func, literal, or_, select, union_all

from helpdesk.catalogue.models import Province
from helpdesk.extensions import db
from helpdesk.reports import queries
from helpdesk.reports.digests.schedule import Period
from helpdesk.reports.queries import BREACHED, RESOLVED_MET, Report, ReportScope
from helpdesk.reports.scope import Reach
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Ticket

WORST = 5  # the queues and provinces of most breached tickets a mail names


@dataclass(frozen=True)
class KeyFigures:
    """A period's tickets (those filed in it, as the dashboard counts them)."""

    filed: int
    resolved: int  # of them, resolved by now
    first_response_percent: float | None  # of those answered, answered within the target
    resolution_percent: float | None  # of those resolved, resolved within the target
    breached: int  # of them, past a first-response or resolution deadline
    backlog: int  # tickets filed before the period's end and still open at its end


FIGURES = tuple(field.name for field in fields(KeyFigures))
PERCENTS = ("first_response_percent", "resolution_percent")


@dataclass(frozen=True)
class Place:
    """A queue's or a province's tickets filed in the period."""

    key: str  # the queue's or the province's code
    name: str
    filed: int
    resolved: int
    resolution_met: int
    breached: int

    @property
    def on_time_percent(self) -> float | None:
        """Of its resolved tickets, those resolved within the target."""
        return Report.percent(self.resolution_met, self.resolved)


@dataclass(frozen=True)
class Digest:
    period: Period
    figures: KeyFigures
    before: KeyFigures  # the period before's
    queues: list[Place]  # every queue with tickets in the period, most breached first
    provinces: list[Place]  # likewise

    def change(self, name: str) -> float | None:
        """How a figure moved since the period before (percentage points for a rate)."""
        now, then = getattr(self.figures, name), getattr(self.before, name)
        if now is None or then is None:
            return None
        return round(now - then, 1) if name in PERCENTS else now - then

    @property
    def worst_queues(self) -> list[Place]:
        return worst(self.queues)

    @property
    def worst_provinces(self) -> list[Place]:
        return worst(self.provinces)


def worst(places: list[Place]) -> list[Place]:
    """The WORST places of most breached tickets (none of those without)."""
    return [place for place in places if place.breached][:WORST]


def digest_of(period: Period, reach: Reach, *, timezone: str) -> Digest:
    """The digest of a period for a reach (six statements, whatever the number of tickets)."""
    before = period.previous()
    ends = [queries.bounds(scope(p, reach), timezone)[1] for p in (period, before)]
    backlog, backlog_before = backlogs(ends, reach)
    queues, provinces = places(period, reach, timezone=timezone)
    return Digest(
        period=period,
        figures=key_figures(period, reach, backlog, timezone=timezone),
        before=key_figures(before, reach, backlog_before, timezone=timezone),
        queues=queues,
        provinces=provinces,
    )


def scope(period: Period, reach: Reach) -> ReportScope:
    return ReportScope(start=period.start, end=period.end, reach=reach)


def key_figures(period: Period, reach: Reach, backlog: int, *, timezone: str) -> KeyFigures:
    """The period's figures as the dashboard gives them (queries.build)."""
    report = queries.build(scope(period, reach), timezone=timezone)
    return KeyFigures(
        filed=report.total,
        resolved=report.resolution_measured,
        first_response_percent=report.first_response_percent,
        resolution_percent=report.resolution_percent,
        breached=report.breached,
        backlog=backlog,
    )


def backlogs(ends: list[datetime], reach: Reach) -> list[int]:
    """The tickets open at each instant: filed before it, and not resolved (or closed) before
    it; one statement over the tickets open now or finished since the earliest instant."""

    def finished_after(instant: datetime):
        return or_(
            Ticket.status.in_(OPEN_STATUSES),
            func.coalesce(Ticket.resolved_at, Ticket.closed_at) >= instant,
        )

    counts = db.session.execute(
        select(
            *(
                func.count().filter(and_(Ticket.created_at < end, finished_after(end)))
                for end in ends
            )
        ).where(
            Ticket.created_at < max(ends),
            finished_after(min(ends)),
            ISSUES_ONLY,
            *reach.conditions(Ticket.system_code, Ticket.province_code, Ticket.queue_id),
        )
    ).one()
    return [count or 0 for count in counts]


def places(period: Period, reach: Reach, *, timezone: str) -> tuple[list[Place], list[Place]]:
    """The period's tickets by queue and by province (one statement), most breached first."""
    start, end = queries.bounds(scope(period, reach), timezone)
    where = [
        Ticket.created_at >= start,
        Ticket.created_at < end,
        ISSUES_ONLY,
        *reach.conditions(Ticket.system_code, Ticket.province_code, Ticket.queue_id),
    ]
    figures = (
        func.count(),
        func.count(Ticket.resolved_at),
        func.count().filter(RESOLVED_MET),
        func.count().filter(BREACHED),
    )
    by_queue = (
        select(literal("queue"), Queue.code, Queue.name, *figures)
        .join(Queue, Queue.id == Ticket.queue_id)
        .where(*where)
        .group_by(Queue.code, Queue.name)
    )
    by_province = (
        select(literal("province"), Province.code, Province.name, *figures)
        .join(Province, Province.code == Ticket.province_code)
        .where(*where)
        .group_by(Province.code, Province.name)
    )
    found: dict[str, list[Place]] = {"queue": [], "province": []}
    for kind, *values in db.session.execute(union_all(by_queue, by_province)):
        found[kind].append(Place(*values))
    ordered = [
        sorted(rows, key=lambda place: (-place.breached, -place.filed, place.name))
        for rows in found.values()
    ]
    return ordered[0], ordered[1]
