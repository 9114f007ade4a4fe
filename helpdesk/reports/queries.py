"""Aggregates over tickets for dashboards and exports: counts, SLA compliance, ratings.
No personal data leaves here: no names, no CCCD, no ticket text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from helpdesk.extensions import db
from helpdesk.reports.models import CELL_TIMEZONE, ReportCell, ReportPlace
from helpdesk.reports.scope import EVERYTHING, Reach
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Ticket


@dataclass(frozen=True)
class ReportScope:
    """Tickets created in [start, end) local dates, optionally one system and/or province,
    within the reader's reach (helpdesk/reports/scope.py)."""

    start: date
    end: date
    system: str | None = None
    province: str | None = None
    reach: Reach = EVERYTHING

    def conditions(self, system_column, province_column, queue_column=None) -> list:
        """The WHERE clauses of the scope's narrowing and of its reader's reach, over the
        system, province (and queue) columns of tickets or report cells."""
        where = []
        if self.system:
            where.append(system_column == self.system)
        if self.province:
            where.append(province_column == self.province)
        return where + self.reach.conditions(system_column, province_column, queue_column)


# What the SLA figures count, per ticket.
FIRST_RESPONSE_MET = and_(
    Ticket.first_responded_at.is_not(None),
    Ticket.first_response_due.is_not(None),
    Ticket.first_responded_at <= Ticket.first_response_due,
)
RESOLVED_MET = and_(Ticket.resolved_at.is_not(None), Ticket.resolution_breached_at.is_(None))
BREACHED = or_(
    Ticket.first_response_breached_at.is_not(None),
    Ticket.resolution_breached_at.is_not(None),
)


class OnTime:
    """The on-time rates of a row that counts `first_response_met` of
    `first_response_measured` and `resolution_met` of `resolution_measured`."""

    first_response_met: int
    first_response_measured: int
    resolution_met: int
    resolution_measured: int

    @property
    def first_response_percent(self) -> float | None:
        return Report.percent(self.first_response_met, self.first_response_measured)

    @property
    def resolution_percent(self) -> float | None:
        return Report.percent(self.resolution_met, self.resolution_measured)


@dataclass(frozen=True)
class Compliance(OnTime):
    """A system's or a province's tickets and how many of them were answered and resolved
    within their targets (of those answered, resolved)."""

    key: str
    tickets: int
    first_response_met: int
    first_response_measured: int
    resolution_met: int
    resolution_measured: int


@dataclass
class Report(OnTime):
    scope: ReportScope
    total: int
    open: int
    by_status: list[tuple[str, int]]
    by_system: list[tuple[str, int]]
    by_province: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    # (YYYY-MM, filed, of them resolved, of them resolved within target)
    by_month: list[tuple[str, int, int, int]]
    # SLA compliance of each system and province that had tickets, most tickets first
    compliance_by_system: list[Compliance]
    compliance_by_province: list[Compliance]
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


# Each breakdown of the places, and the column it counts by.
BREAKDOWNS = {"system": "system_code", "province": "province_code", "category": "category_code"}


def year_scope(today: date, **narrow) -> ReportScope:
    return ReportScope(start=today - timedelta(days=365), end=today + timedelta(days=1), **narrow)


def bounds(scope: ReportScope, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    start = datetime.combine(scope.start, time.min, zone)
    end = datetime.combine(scope.end, time.min, zone)
    return start, end


def build(scope: ReportScope, *, timezone: str) -> Report:
    """The report of a scope, in two statements: its whole local months summed from the report
    cells, the days at either end (partial months) from the tickets themselves; one statement
    sums the figures by status and month, by system and by province, the other the places."""
    ranges, whole = split(scope, timezone)
    months = local_months(scope)
    ticket_cells, ticket_places = [], []
    for start, end in ranges:
        cells, places = from_tickets(scope, start, end, months, timezone)
        ticket_cells.extend(cells)
        ticket_places.append(places)
    cell_cells, cell_places = from_cells(scope, whole, months)
    cells = db.session.execute(union_all(*ticket_cells, *cell_cells)).all()
    places = union_all(*ticket_places, cell_places).cte("places")
    # The three breakdowns are sums over the places: a few dozen rows leave the database.
    margins = db.session.execute(
        union_all(
            *(
                select(
                    literal(kind), places.c[column], cast(func.sum(places.c.tickets), Integer)
                ).group_by(places.c[column])
                for kind, column in BREAKDOWNS.items()
            )
        )
    ).all()

    by_status: Counter[str] = Counter()
    filed: Counter[int] = Counter()
    resolved_by_month: Counter[int] = Counter()
    met_by_month: Counter[int] = Counter()
    # first response met, measured; resolution met, measured; breached; rating sum, count
    sums = [0] * 7
    # tickets, first response met, measured, resolution met, measured; by system, by province
    compliance: dict[str, dict[str, list[int]]] = {"system": {}, "province": {}}
    for key, index, province, count, *figures in cells:
        if not count:  # a cell every ticket has left
            continue
        figures = [figure or 0 for figure in figures]
        if index < 0:  # a system (the key) and province
            for kind, place in (("system", key), ("province", province)):
                kept = compliance[kind].setdefault(place, [0] * 5)
                kept[:] = [a + b for a, b in zip(kept, [count, *figures[:4]], strict=True)]
            continue
        by_status[key] += count
        filed[index] += count
        resolved_by_month[index] += figures[3]
        met_by_month[index] += figures[2]
        sums = [total + figure for total, figure in zip(sums, figures, strict=True)]
    by_place: dict[str, Counter[str]] = {kind: Counter() for kind in BREAKDOWNS}
    for kind, key, count in margins:
        if count:  # places every ticket has left count zero
            by_place[kind][key] += count
    by_system, by_province, by_category = (by_place[kind] for kind in BREAKDOWNS)
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
            (
                months[index].strftime("%Y-%m"),
                filed[index],
                resolved_by_month[index],
                met_by_month[index],
            )
            for index in sorted(filed)
        ],
        compliance_by_system=most_tickets_first(compliance["system"]),
        compliance_by_province=most_tickets_first(compliance["province"]),
        first_response_met=sums[0],
        first_response_measured=sums[1],
        resolution_met=sums[2],
        resolution_measured=sums[3],
        breached=sums[4],
        rating_average=round(rating_sum / rating_count, 2) if rating_count else None,
        rating_count=rating_count,
    )


def split(
    scope: ReportScope, timezone: str
) -> tuple[list[tuple[datetime, datetime]], tuple[date, date]]:
    """The instants to read from the tickets, and the local months [first, end) to read from
    the report cells: the scope's whole months, when the cells are of the report's time zone
    and the reach is not some queues (the cells have no queue)."""
    zone = ZoneInfo(timezone)
    first = scope.start if scope.start.day == 1 else next_month(scope.start.replace(day=1))
    until = scope.end.replace(day=1)
    if timezone != CELL_TIMEZONE or first >= until or scope.reach.by_queue:
        return [bounds(scope, timezone)], (scope.end, scope.end)
    edges = [(scope.start, first), (until, scope.end)]
    ranges = [
        (datetime.combine(start, time.min, zone), datetime.combine(end, time.min, zone))
        for start, end in edges
        if start < end
    ]
    return ranges, (first, until)


def from_tickets(scope: ReportScope, start: datetime, end: datetime, months, timezone: str):
    """The cells and the places of the scope's tickets created in [start, end), read through
    the created_at index (the partial months at a window's ends: a few weeks of tickets); the
    incidents are not counted, as in the cells (helpdesk/reports/incidents.py reports them)."""
    where = [
        Ticket.created_at >= start,
        Ticket.created_at < end,
        ISSUES_ONLY,
        *scope.conditions(Ticket.system_code, Ticket.province_code, Ticket.queue_id),
    ]
    month = month_index(months, timezone)
    # Every figure but the three breakdowns adds up over (status, month), SLA compliance over
    # (system, province): two small groupings whose rows are summed in build(), instead of one
    # pass over the tickets per figure.
    figures = (
        func.count(),
        func.count().filter(FIRST_RESPONSE_MET),
        func.count(Ticket.first_responded_at),
        func.count().filter(RESOLVED_MET),
        func.count(Ticket.resolved_at),
        func.count().filter(BREACHED),
        func.sum(Ticket.rating),
        func.count(Ticket.rating),
    )
    cells = groupings(Ticket.status, month, Ticket.system_code, Ticket.province_code, figures)
    cells = [cell.where(*where) for cell in cells]
    places = (
        select(
            Ticket.system_code,
            Ticket.province_code,
            Ticket.category_code,
            func.count().label("tickets"),
        )
        .where(*where)
        .group_by(Ticket.system_code, Ticket.province_code, Ticket.category_code)
    )
    return cells, places


def from_cells(scope: ReportScope, whole: tuple[date, date], months: list[date]):
    """The cells and the places of the scope's report cells of the local months [first, end)."""
    first, end = whole
    cells, places = ReportCell, ReportPlace

    def within(table) -> list:
        return [
            table.month >= first,
            table.month < end,
            *scope.conditions(table.system_code, table.province_code),
        ]

    month = case(*((cells.month == first_day, index) for index, first_day in enumerate(months)))
    figures = tuple(
        func.sum(column)
        for column in (
            cells.tickets,
            cells.first_response_met,
            cells.first_response_measured,
            cells.resolution_met,
            cells.resolution_measured,
            cells.breached,
            cells.rating_sum,
            cells.rating_count,
        )
    )
    by_cell = groupings(cells.status, month, cells.system_code, cells.province_code, figures)
    by_cell = [select_.where(*within(cells)) for select_ in by_cell]
    by_place = (
        select(
            places.system_code,
            places.province_code,
            places.category_code,
            func.sum(places.tickets).label("tickets"),
        )
        .where(*within(places))
        .group_by(places.system_code, places.province_code, places.category_code)
    )
    return by_cell, by_place


def groupings(status, month, system, province, figures: tuple) -> list:
    """The first statement's selects over one source (tickets or cells): the figures by status
    and month, and by system and province (a few hundred rows, summed into each in build())."""
    return [
        select(status, month, cast(null(), String), *figures).group_by(status, month),
        # SLA compliance needs the first five figures only.
        select(system, literal(-1), province, *figures[:5], *[literal(0)] * 3).group_by(
            system, province
        ),
    ]


def most_tickets_first(figures: dict[str, list[int]]) -> list[Compliance]:
    rows = [Compliance(key, *numbers) for key, numbers in figures.items()]
    return sorted(rows, key=lambda row: (-row.tickets, row.key))


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
