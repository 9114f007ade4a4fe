"""The issue list's filters, shared by /reports/issues, its CSV and XLSX exports and every page
or mail that links to them: read from a query string (`parse`), as conditions over Ticket
(`IssueFilters.where`), and back to the query string of a link (`IssueFilters.args`).

    filters, problems = issue_filters.parse(request.args, today=today)
    url_for("reports.issues", **filters.args())

The parameters: `from`, `to` (local dates YYYY-MM-DD, both included, on the filing date),
`system`, `province`, `unit` (a listed unit's code), `category`, `queue` (a queue's code),
`status` (`open`: every open status; `resolved`, `closed` or another exact status), `sla`
(`met`: resolved with neither clock breached; `missed`: either clock breached), `source`
(where it was filed: `web`, `api`, `email`, `phone`). The reader's
reach (reports/scope.py) is applied beside them, never through them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, literal, select, union_all

from helpdesk.auth.models import Unit
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.inputs import FIRST_DATE, LAST_DATE
from helpdesk.reports.queries import BREACHED, RESOLVED_MET
from helpdesk.reports.scope import Reach
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Source, Status, Ticket

DEFAULT_DAYS = 365  # the default period: as the dashboard's, the last 365 days and today
OPEN = "open"  # every open status (not the status `open` alone)
STATUSES = (OPEN, *(str(status) for status in Status if status != Status.OPEN))
SLA_RESULTS = ("met", "missed")
SOURCES = tuple(source.value for source in Source)
# The parameters, in the order a link writes them.
NAMES = (
    "from",
    "to",
    "system",
    "province",
    "unit",
    "category",
    "queue",
    "status",
    "sla",
    "source",
)


@dataclass(frozen=True)
class IssueFilters:
    """The officials' tickets filed from `start` to `end` (local dates, both included),
    narrowed by what is given (None: not given)."""

    start: date
    end: date
    system: str | None = None
    province: str | None = None
    unit: str | None = None  # a listed unit's code
    category: str | None = None
    queue: str | None = None  # a queue's code
    status: str | None = None  # one of STATUSES
    sla: str | None = None  # one of SLA_RESULTS
    source: str | None = None  # one of SOURCES

    @classmethod
    def default(cls, today: date) -> IssueFilters:
        return cls(start=today - timedelta(days=DEFAULT_DAYS), end=today)

    def within(self, reach: Reach) -> IssueFilters:
        """The filters a reader gets: a coordinator's province whatever was asked."""
        return replace(self, province=reach.province_for(self.province))

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The instants [first, last) of the period: local midnights."""
        zone = ZoneInfo(timezone)
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end + timedelta(days=1), time.min, zone),
        )

    def where(self, *, timezone: str) -> list:
        """The conditions over Ticket: filed in the period, an official's problem (no incident,
        no request's ticket: ISSUES_ONLY), and each filter given."""
        first, last = self.bounds(timezone)
        where = [Ticket.created_at >= first, Ticket.created_at < last, ISSUES_ONLY]
        for column, value in (
            (Ticket.system_code, self.system),
            (Ticket.province_code, self.province),
            (Ticket.category_code, self.category),
            (Ticket.source, self.source),
        ):
            if value is not None:
                where.append(column == value)
        if self.unit is not None:
            where.append(
                Ticket.unit_id == select(Unit.id).where(Unit.code == self.unit).scalar_subquery()
            )
        if self.queue is not None:
            where.append(
                Ticket.queue_id
                == select(Queue.id).where(Queue.code == self.queue).scalar_subquery()
            )
        if self.status == OPEN:
            where.append(Ticket.status.in_(OPEN_STATUSES))
        elif self.status is not None:
            where.append(Ticket.status == self.status)
        if self.sla == "met":
            where.append(and_(RESOLVED_MET, Ticket.first_response_breached_at.is_(None)))
        elif self.sla == "missed":
            where.append(BREACHED)
        return where

    def args(self) -> dict[str, str]:
        """The query parameters that ask for these filters (the dates always)."""
        values = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for name in NAMES[2:]:
            value = getattr(self, name)
            if value is not None:
                values[name] = value
        return values


def parse(args: Mapping[str, str], *, today: date) -> tuple[IssueFilters, list[str]]:
    """The filters a query string asks for, and a message for each part refused: a date that
    is not one (its default kept), `from` after `to` (both defaults kept), a code that names
    nothing (that filter left out). Empty parameters are not given. At most one query: the
    unit and queue codes given, looked up together."""
    problems: list[str] = []
    default = IssueFilters.default(today)
    start = read_date(args, "from", default.start, problems)
    end = read_date(args, "to", default.end, problems)
    if start > end:
        problems.append(_("The start of the period is after its end; the last 365 days are shown."))
        start, end = default.start, default.end
    values = {name: (args.get(name) or "").strip() or None for name in NAMES[2:]}
    checks = {
        "system": (catalogue.find_system, _("No system has the code %(code)s.")),
        "province": (catalogue.find_province, _("No province has the code %(code)s.")),
        "category": (catalogue.find_category, _("No category has the code %(code)s.")),
        "status": (STATUSES.__contains__, _("No status is called %(code)s.")),
        "sla": (SLA_RESULTS.__contains__, _("The SLA filter is met or missed, not %(code)s.")),
        "source": (SOURCES.__contains__, _("No source is called %(code)s.")),
    }
    for name, (known, message) in checks.items():
        if values[name] is not None and not known(values[name]):
            problems.append(message % {"code": values[name]})
            values[name] = None
    found = known_places(values["unit"], values["queue"])
    for name, message in (
        ("unit", _("No listed unit has the code %(code)s.")),
        ("queue", _("No queue has the code %(code)s.")),
    ):
        if values[name] is not None and values[name] not in found[name]:
            problems.append(message % {"code": values[name]})
            values[name] = None
    return IssueFilters(start=start, end=end, **values), problems


def read_date(args: Mapping[str, str], name: str, default: date, problems: list[str]) -> date:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or not FIRST_DATE <= value <= LAST_DATE or len(raw) != 10:
        problems.append(_("%(value)s is not a date (YYYY-MM-DD).", value=raw[:40]))
        return default
    return value


def known_places(unit: str | None, queue: str | None) -> dict[str, set[str]]:
    """Which of a unit's and a queue's codes exist (a listed unit: one with a code), in one
    query; none when neither is given."""
    parts = []
    if unit is not None:
        parts.append(select(literal("unit"), Unit.code).where(Unit.code == unit))
    if queue is not None:
        parts.append(select(literal("queue"), Queue.code).where(Queue.code == queue))
    found: dict[str, set[str]] = {"unit": set(), "queue": set()}
    if parts:
        for kind, code in db.session.execute(union_all(*parts)):
            found[kind].add(code)
    return found
