"""The issue list: one row per official's ticket with its outcome (system, province, commune,
category, subject, status, times, both SLA results, resolution summary, rating) and where it
was filed from, newest first,
within its reader's reach and the filters of reports/issue_filters.py. A page of the list
(keyset: constant cost however deep) and every row of it, streamed for the exports.

No CCCD, no e-mail ever; the requester's full name only for staff readers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, and_, case, func, or_, select

from helpdesk.auth.models import Role, Unit, User
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.reports.issue_filters import IssueFilters
from helpdesk.reports.queries import FIRST_RESPONSE_MET, RESOLVED_MET
from helpdesk.reports.scope import Reach, reach_of
from helpdesk.tickets.forms import SOURCE_LABELS
from helpdesk.tickets.forms import STATUS_LABELS as STATUS_LABELS
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.services.visibility import visibility_clause

PAGE_SIZE = 50
COUNT_LIMIT = 1000  # past this many rows the page says "more than 1,000"
BATCH = 2000  # rows an export reads from the database at a time

# A ticket's result against each of its SLA targets, from the columns the figures count
# (reports/queries.py): missed (its breach marker set, as the `sla=missed` filter and the
# figures' BREACHED say; or answered after the deadline), met (the figures' on time: answered
# by the deadline, resolved unbreached), pending (open, its deadline still ahead), none (no
# target, or closed unanswered).
FIRST_RESPONSE_RESULT = case(
    (Ticket.first_response_breached_at.is_not(None), "missed"),
    (FIRST_RESPONSE_MET, "met"),
    (
        and_(Ticket.first_responded_at.is_not(None), Ticket.first_response_due.is_not(None)),
        "missed",
    ),
    (
        and_(
            Ticket.first_responded_at.is_(None),
            Ticket.first_response_due.is_not(None),
            Ticket.status.in_(OPEN_STATUSES),
        ),
        "pending",
    ),
    else_="none",
)
RESOLUTION_RESULT = case(
    (Ticket.resolution_breached_at.is_not(None), "missed"),
    (RESOLVED_MET, "met"),
    (
        and_(
            Ticket.status.in_(OPEN_STATUSES),
            or_(Ticket.resolution_due.is_not(None), Ticket.sla_paused_at.is_not(None)),
        ),
        "pending",
    ),
    else_="none",
)
SLA_LABELS = {
    "met": _l("Met"),
    "missed": _l("Missed"),
    "pending": _l("Pending"),
    "none": _l("No target"),
}


@dataclass(frozen=True)
class Reader:
    """Whose list it is: its reach; whether it is staff (the requesters' names, links to the
    tickets); for a supervisor, the tickets of its queues it may open (its coverage): a list
    that shows subjects shows no ticket its reader could not open."""

    reach: Reach
    staff: bool
    may_open: object | None = None  # a condition over Ticket; None: the reach says it all


def reader_of(user: User) -> Reader:
    """An observer reads its systems' rows without names; a coordinator its province's (every
    one of which it may open); a supervisor its queues' as its coverage shows them; an admin
    everything."""
    may_open = visibility_clause(user) if user.role == Role.SUPERVISOR else None
    return Reader(reach_of(user), staff=user.role != Role.OBSERVER, may_open=may_open)


@dataclass(frozen=True)
class IssuePage:
    rows: list[Row]  # the columns of statement(), newest first
    total: int  # the rows of the whole list, at most COUNT_LIMIT + 1
    after: int | None  # the id the next page starts after; None: no next page

    @property
    def total_is_exact(self) -> bool:
        return self.total <= COUNT_LIMIT


def conditions(filters: IssueFilters, reader: Reader, *, timezone: str) -> list:
    where = filters.where(timezone=timezone)
    where += reader.reach.conditions(Ticket.system_code, Ticket.province_code, Ticket.queue_id)
    if reader.may_open is not None:
        where.append(reader.may_open)
    return where


def statement(filters: IssueFilters, reader: Reader, *, timezone: str) -> Select:
    """The list's rows, newest first (filing time, then id)."""
    columns = [
        Ticket.id,
        Ticket.number,
        Ticket.system_code.label("system"),
        Ticket.province_code.label("province"),
        func.coalesce(Unit.name, Ticket.unit).label("unit"),
        Ticket.category_code.label("category"),
        Ticket.subject,
        Ticket.status,
        Ticket.created_at,
        Ticket.first_responded_at,
        Ticket.resolved_at,
        FIRST_RESPONSE_RESULT.label("first_response_sla"),
        RESOLUTION_RESULT.label("resolution_sla"),
        Ticket.resolution,
        Ticket.rating,
        Ticket.source,
    ]
    query = select(*columns).outerjoin(Unit, Unit.id == Ticket.unit_id)
    if reader.staff:
        query = query.add_columns(User.full_name.label("requester")).join(
            User, User.id == Ticket.requester_id
        )
    return query.where(*conditions(filters, reader, timezone=timezone)).order_by(
        Ticket.created_at.desc(), Ticket.id.desc()
    )


def page(
    filters: IssueFilters, reader: Reader, *, timezone: str, after: int | None = None
) -> IssuePage:
    """The PAGE_SIZE rows after the ticket `after` (None: the first page), and how many rows
    the list has (counted up to COUNT_LIMIT + 1). Two queries at most, whatever the depth:
    the page starts after its predecessor's last row (keyset), read through the index on
    filing times; a first page shorter than a page is its own count."""
    query = statement(filters, reader, timezone=timezone)
    if after is not None:
        anchor = Ticket.__table__.alias("anchor")
        at = select(anchor.c.created_at).where(anchor.c.id == after).scalar_subquery()
        query = query.where(
            Ticket.created_at <= at,
            or_(Ticket.created_at < at, Ticket.id < after),
        )
    rows = list(db.session.execute(query.limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if after is None and not more:
        total = len(rows)
    else:
        counted = (
            select(Ticket.id)
            .where(*conditions(filters, reader, timezone=timezone))
            .limit(COUNT_LIMIT + 1)
            .subquery()
        )
        total = db.session.scalar(select(func.count()).select_from(counted)) or 0
    return IssuePage(rows=rows, total=total, after=rows[-1].id if more else None)


def every_row(filters: IssueFilters, reader: Reader, *, timezone: str) -> Iterator[Row]:
    """Every row of the list, read BATCH at a time (on PostgreSQL through a server-side
    cursor): an export of a million rows holds a batch, not the million."""
    query = statement(filters, reader, timezone=timezone).execution_options(yield_per=BATCH)
    yield from db.session.execute(query)


@dataclass(frozen=True)
class Words:
    """What the exports write for codes, in the reader's language: read while the request is
    there (the rows are written after it, in an app context of their own)."""

    header: list[str]
    systems: dict[str, str]
    provinces: dict[str, str]
    categories: dict[str, str]
    statuses: dict[str, str]
    results: dict[str, str]
    sources: dict[str, str]


def words_for(language: str, *, staff: bool) -> Words:
    """The exports' words in `language` (the request's, for the header and the labels)."""
    header = [
        _l("Number"),
        _l("System"),
        _l("Province"),
        _l("Commune or ward"),
        _l("Category"),
        _l("Subject"),
        _l("Status"),
        _l("Filed"),
        _l("First response"),
        _l("Resolved"),
        _l("First response SLA"),
        _l("Resolution SLA"),
        _l("Resolution summary"),
        _l("Rating"),
        _l("Source"),
    ]
    if staff:
        header.append(_l("Requester"))
    everything = catalogue.catalogue()
    return Words(
        header=[str(name) for name in header],
        systems={system.code: system.ministry for system in everything.systems},
        provinces={province.code: province.name for province in everything.provinces},
        categories={c.code: c.name(language) for c in everything.categories},
        statuses={str(status): str(label) for status, label in STATUS_LABELS.items()},
        results={key: str(label) for key, label in SLA_LABELS.items()},
        sources={str(source): str(label) for source, label in SOURCE_LABELS.items()},
    )


def table(filters: IssueFilters, reader: Reader, *, timezone: str, words: Words) -> Iterator[list]:
    """The header, then every row as the exports write it: names for codes, local times
    (naive, to the second), SLA results and statuses as words. Written for a million rows:
    tuples unpacked, the names' lookups bound once."""
    yield words.header
    zone = ZoneInfo(timezone)
    system, province = words.systems.get, words.provinces.get
    category, status_word, result = words.categories.get, words.statuses.get, words.results.get
    source_word = words.sources.get

    def local(instant: datetime | None) -> datetime | None:
        if instant is None:
            return None
        return instant.astimezone(zone).replace(tzinfo=None, microsecond=0)

    for row in every_row(filters, reader, timezone=timezone):
        (_id, number, system_code, province_code, unit, category_code, subject, status) = row[:8]
        filed, responded, resolved, first_sla, resolution_sla, summary, rating, source = row[8:16]
        cells = [
            number,
            system(system_code, system_code),
            province(province_code, province_code),
            unit or None,
            category(category_code, category_code),
            subject,
            status_word(status, status),
            local(filed),
            local(responded),
            local(resolved),
            result(first_sla, first_sla),
            result(resolution_sla, resolution_sla),
            summary or None,
            rating,
            source_word(source, source),
        ]
        if reader.staff:
            cells.append(row[16])
        yield cells


def unit_choices(filters: IssueFilters) -> list[tuple[str, str]]:
    """(code, name) of the listed units the unit filter offers: the province's when one is
    chosen (or the reader's own), else the unit asked for alone; by name. One query at most."""
    if filters.province is not None:
        where = [Unit.province_code == filters.province, Unit.code.is_not(None)]
    elif filters.unit is not None:
        where = [Unit.code == filters.unit]
    else:
        return []
    query = select(Unit.code, Unit.name).where(*where).order_by(Unit.name, Unit.code)
    return [(code, name) for code, name in db.session.execute(query)]
