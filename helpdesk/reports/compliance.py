"""Compliance where it happens: a period's tickets by system and province, by queue and by
category, each with its first-response and resolution compliance, its median and 90th-percentile
times, its backlog (open now) by age and its breached tickets; and the compliance per month.

Read from the tickets (the report cells have no queue, no durations, no age), officials'
problems only (ISSUES_ONLY), within the reader's reach, in one statement whatever the number of
tickets or of keys, the percentiles taken by the database (helpdesk/reports/durations.py).
Codes and counts only: no names, no text of a ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)

from helpdesk.extensions import db
from helpdesk.reports.durations import NO_TIMING, Timing, seconds_between, timing, timings
from helpdesk.reports.queries import (
    BREACHED,
    FIRST_RESPONSE_MET,
    RESOLVED_MET,
    OnTime,
    ReportScope,
    bounds,
    local_months,
    month_index,
)
from helpdesk.routing.services import all_queues, queues_by_id
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Ticket

# The ages of the backlog, in days since filing: under 1, 1 to 3, 3 to 7, 7 and more.
AGE_LIMITS = (1, 3, 7)
MEASURES = ("to_first_response", "to_resolution")
# The tables (each the name of its key's column in the CTE `period`), the total, the months.
PLACE, QUEUE, CATEGORY, ALL, MONTH = "place", "queue", "category", "all", "month"
TABLES = (PLACE, QUEUE, CATEGORY)
# What each row counts, in the order of Row's fields.
FIGURES = (
    "tickets",
    "first_response_met",
    "first_response_measured",
    "resolution_met",
    "resolution_measured",
    "breached",
    "backlog",
    *(f"age_{band}" for band in range(len(AGE_LIMITS) + 1)),
)


@dataclass(frozen=True)
class Filters:
    """A period's tickets ([scope.start, scope.end) local dates, the scope's system, province and
    reach), optionally of one category and of one queue (its code)."""

    scope: ReportScope
    category: str | None = None
    queue: str | None = None

    @property
    def last_day(self) -> date:
        """The period's last day, included (the issue list's `to`)."""
        return self.scope.end - timedelta(days=1)

    def conditions(self) -> list:
        """The WHERE clauses over tickets: the scope, its reach, the category and the queue (a
        code no queue has counts nothing)."""
        where = self.scope.conditions(Ticket.system_code, Ticket.province_code, Ticket.queue_id)
        if self.category:
            where.append(Ticket.category_code == self.category)
        if self.queue:
            ids = [queue.id for queue in all_queues() if queue.code == self.queue]
            where.append(Ticket.queue_id == ids[0] if ids else false())
        return where


@dataclass(frozen=True)
class Row(OnTime):
    """The tickets filed in the period of one key: a system (`key`) and province, a queue's
    code, a category's code, or none (the total: both empty)."""

    key: str
    province: str
    tickets: int = 0
    first_response_met: int = 0
    first_response_measured: int = 0
    resolution_met: int = 0
    resolution_measured: int = 0
    breached: int = 0
    backlog: int = 0  # open now
    ageing: tuple[int, ...] = (0, 0, 0, 0)  # of the backlog, by AGE_LIMITS
    to_first_response: Timing = NO_TIMING  # hours from filing, wall-clock
    to_resolution: Timing = NO_TIMING


@dataclass(frozen=True)
class Month(OnTime):
    """The tickets filed in a local month (YYYY-MM) and how many met their targets."""

    month: str
    tickets: int
    first_response_met: int
    first_response_measured: int
    resolution_met: int
    resolution_measured: int


@dataclass(frozen=True)
class Compliance:
    filters: Filters
    total: Row
    by_place: list[Row] = field(default_factory=list)  # most tickets first
    by_queue: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_month: list[Month] = field(default_factory=list)  # every month of the period, in order


def read(filters: Filters, *, timezone: str, now: datetime) -> Compliance:
    """The compliance of the filters' tickets; the backlog's ages at `now` (aware). One
    statement: the period's tickets are read once (the CTE `period`), every table, month and
    timing is grouped from them."""
    months = local_months(filters.scope)
    source = period(filters, timezone, months, now)
    figures = [
        func.count(),
        func.count().filter(source.c.first_response_met),
        func.count(source.c.to_first_response),
        func.count().filter(source.c.resolution_met),
        func.count(source.c.to_resolution),
        func.count().filter(source.c.breached),
        func.count(source.c.age),
        *(func.count().filter(source.c.age == band) for band in range(len(AGE_LIMITS) + 1)),
    ]
    figures = [figure.label(name) for figure, name in zip(figures, FIGURES, strict=True)]
    counted = union_all(
        *(
            select(literal(kind).label("kind"), source.c[kind].label("key"), *figures).group_by(
                source.c[kind]
            )
            for kind in TABLES
        ),
        select(literal(MONTH), cast(source.c.month, String), *figures).group_by(source.c.month),
    ).cte("counted")
    # The total is the sum of the categories' rows (each ticket has one category).
    total = select(
        literal(ALL), literal(""), *(func.sum(counted.c[name]) for name in FIGURES)
    ).where(counted.c.kind == CATEGORY)
    rows = union_all(select(counted), total).subquery("figures")
    timed = timings(source, TABLES, MEASURES, total=(ALL, CATEGORY))
    joined = [timed.alias(measure) for measure in MEASURES]
    statement = select(
        rows, *(alias.c[name] for alias in joined for name in ("count", "median", "p90"))
    ).select_from(rows)
    for measure, alias in zip(MEASURES, joined, strict=True):
        statement = statement.outerjoin(
            alias,
            and_(
                alias.c.kind == rows.c.kind,
                alias.c.key == rows.c.key,
                alias.c.measure == literal(measure),
            ),
        )
    return compliance_of(filters, months, db.session.execute(statement).all())


def compliance_of(filters: Filters, months: list[date], rows: list) -> Compliance:
    """The statement's rows as tables: (kind, key, the FIGURES, then count, median and 90th
    percentile of each measure)."""
    codes = {str(queue_id): queue.code for queue_id, queue in queues_by_id().items()}
    tables: dict[str, list[Row]] = {kind: [] for kind in (*TABLES, ALL)}
    by_month: dict[int, Month] = {}
    size = len(FIGURES)
    for kind, key, *numbers in rows:
        counts = [int(number or 0) for number in numbers[:size]]
        if kind == MONTH:
            index = int(key)
            by_month[index] = Month(months[index].strftime("%Y-%m"), *counts[:5])
            continue
        tickets, fr_met, fr_measured, res_met, res_measured, breached, backlog, *ageing = counts
        key, province = key.split("/", 1) if kind == PLACE else (codes.get(key, key), "")
        tables[kind].append(
            Row(
                key,
                province,
                tickets,
                fr_met,
                fr_measured,
                res_met,
                res_measured,
                breached,
                backlog,
                tuple(ageing),
                timing(*numbers[size : size + 3]),
                timing(*numbers[size + 3 : size + 6]),
            )
        )
    total = tables[ALL][0] if tables[ALL] and tables[ALL][0].tickets else Row("", "")
    return Compliance(
        filters=filters,
        total=total,
        by_place=most_tickets_first(tables[PLACE]),
        by_queue=most_tickets_first(tables[QUEUE]),
        by_category=most_tickets_first(tables[CATEGORY]),
        by_month=[
            by_month.get(index, Month(first.strftime("%Y-%m"), 0, 0, 0, 0, 0))
            for index, first in enumerate(months)
        ],
    )


def most_tickets_first(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (-row.tickets, row.key, row.province))


def period(filters: Filters, timezone: str, months: list[date], now: datetime):
    """The filters' tickets filed in the period, as a CTE of what the figures count: their keys
    as text (a place is `system/province`: one column, which PostgreSQL groups by hashing), the
    index of their month of filing in `months`, whether each target was met, the band of age of
    an open one at `now`, and the seconds to the first response and to the resolution."""
    start, end = bounds(filters.scope, timezone)
    opened = [now - timedelta(days=days) for days in AGE_LIMITS]
    age = case(
        (Ticket.status.not_in(OPEN_STATUSES), null()),
        *((Ticket.created_at > instant, band) for band, instant in enumerate(opened)),
        else_=len(opened),
    )
    return (
        select(
            (Ticket.system_code + literal_column("'/'") + Ticket.province_code).label(PLACE),
            cast(Ticket.queue_id, String).label(QUEUE),
            Ticket.category_code.label(CATEGORY),
            month_index(months, timezone).label("month"),
            FIRST_RESPONSE_MET.label("first_response_met"),
            RESOLVED_MET.label("resolution_met"),
            BREACHED.label("breached"),
            age.label("age"),
            seconds_between(Ticket.first_responded_at, Ticket.created_at).label(MEASURES[0]),
            seconds_between(Ticket.resolved_at, Ticket.created_at).label(MEASURES[1]),
        )
        .where(
            Ticket.created_at >= start,
            Ticket.created_at < end,
            ISSUES_ONLY,
            *filters.conditions(),
        )
        .cte("period")
    )
