"""Tickets for the compliance page's tests, and the page's figures counted again by hand."""

from __future__ import annotations

import itertools
import math
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from helpdesk.routing.models import Queue
from helpdesk.tickets.models import OPEN_STATUSES, Ticket

NUMBERS = itertools.count(1)
# The period of the tests: March to May 2026, local dates; "now" is late in it.
FROM, TO = "2026-03-01", "2026-05-31"
PERIOD = f"from={FROM}&to={TO}"
NOW = datetime(2026, 5, 20, 5, 0, tzinfo=UTC)
# Below (seconds), width (seconds), unit (tenths of an hour): durations rounded to two
# significant figures of hours, half up, as helpdesk/reports/durations.py states it.
LADDER = ((36_000, 360, 1), (360_000, 3600, 10), (3_600_000, 36_000, 100), (None, 360_000, 1000))
AGES = (1, 3, 7)


def add(db, requester, created_at, *, queue="moj-it", **fields) -> Ticket:
    """A ticket as the database holds it (no routing, no deadlines computed), in `queue`."""
    queue_id = db.session.scalar(select(Queue.id).where(Queue.code == queue))
    values = {
        "system_code": "moj",
        "category_code": "payment",
        "province_code": "01",
        "status": "new",
    }
    ticket = Ticket(
        number=f"HT-2026-{900000 + next(NUMBERS):06d}",
        subject="s",
        description="d",
        requester_id=requester.id,
        queue_id=queue_id,
        priority=3,
        created_at=created_at,
        **(values | fields),
    )
    db.session.add(ticket)
    return ticket


@dataclass(frozen=True)
class Made:
    """A generated ticket's facts, kept to count by hand."""

    system: str
    province: str
    queue: str
    category: str
    created_at: datetime
    status: str
    first_responded_at: datetime | None
    first_response_due: datetime | None
    resolved_at: datetime | None
    first_response_breached_at: datetime | None
    resolution_breached_at: datetime | None


PLACES = [("moj", "01"), ("moj", "79"), ("moha", "79"), ("moha", "75")]
QUEUES = {"moj": ("moj-it", "moj-fpt", "province-79"), "moha": ("moha-it", "province-79")}
CATEGORIES = ("payment", "account", "process")


def seconds(rng: random.Random) -> int:
    """A duration in one of the ladder's ranges, from minutes to months."""
    low, high = rng.choice([(0, 36_000), (36_000, 360_000), (360_000, 3_600_000), (3_600_000, 6e6)])
    return rng.randint(low, int(high))


def generate(db, requester, count: int, *, seed: int = 23) -> list[Made]:
    """`count` tickets of the period in four places, four queues and three categories: some
    answered, some resolved, late or not, some still open at NOW (of every age)."""
    rng = random.Random(seed)
    made = []
    for _index in range(count):
        system, province = rng.choice(PLACES)
        is_open = rng.random() < 0.35
        if is_open:  # filed up to 20 days before NOW
            created = NOW - timedelta(seconds=rng.randint(600, 20 * 86_400))
        else:
            created = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(
                seconds=rng.randint(0, 70 * 86_400)
            )
        created = created.replace(microsecond=rng.randint(0, 999_999))
        responded = created + timedelta(seconds=seconds(rng)) if rng.random() < 0.8 else None
        due = created + timedelta(hours=rng.choice([4, 8, 24])) if rng.random() < 0.9 else None
        resolved = None
        status = rng.choice(OPEN_STATUSES) if is_open else rng.choice(["resolved", "closed"])
        if not is_open:
            resolved = created + timedelta(seconds=seconds(rng))
        late_answer = due if responded and due and responded > due else None
        late = resolved + timedelta(hours=1) if resolved and rng.random() < 0.3 else None
        if is_open and rng.random() < 0.3:
            late = NOW - timedelta(minutes=5)
        ticket = Made(
            system=system,
            province=province,
            queue=rng.choice(QUEUES[system]),
            category=rng.choice(CATEGORIES),
            created_at=created,
            status=str(status),
            first_responded_at=responded,
            first_response_due=due,
            resolved_at=resolved,
            first_response_breached_at=late_answer,
            resolution_breached_at=late,
        )
        add(
            db,
            requester,
            created,
            queue=ticket.queue,
            system_code=system,
            province_code=province,
            category_code=ticket.category,
            status=ticket.status,
            first_responded_at=responded,
            first_response_due=due,
            resolved_at=resolved,
            first_response_breached_at=late_answer,
            resolution_breached_at=late,
        )
        made.append(ticket)
    db.session.commit()
    return made


def rounded(duration: timedelta) -> int:
    """A duration rounded as the report rounds it, in tenths of an hour."""
    whole = max(0, round(duration.total_seconds()))
    for below, width, unit in LADDER:
        if below is None or whole < below:
            return (whole + width // 2) // width * unit
    raise AssertionError


def nearest_rank(values: list, share: float):
    ordered = sorted(values)
    return ordered[math.ceil(round(share * len(ordered), 9)) - 1] if ordered else None


def tolerance(hours: float) -> float:
    """Half a bucket's width at that duration: how far the report's figure may be from the
    exact one."""
    for below, width, _unit in LADDER:
        if below is None or hours * 3600 < below:
            return width / 2 / 3600
    raise AssertionError


def hand_count(tickets: list[Made]) -> dict:
    """What the report must say of these tickets (the same names as its rows)."""
    responses = [t.first_responded_at - t.created_at for t in tickets if t.first_responded_at]
    resolutions = [t.resolved_at - t.created_at for t in tickets if t.resolved_at]
    opened = [t for t in tickets if t.status in OPEN_STATUSES]
    ages = [(NOW - t.created_at) / timedelta(days=1) for t in opened]
    bands = [0, *AGES, math.inf]
    return {
        "tickets": len(tickets),
        "first_response_met": sum(
            1
            for t in tickets
            if t.first_responded_at and t.first_response_due
            if t.first_responded_at <= t.first_response_due
        ),
        "first_response_measured": len(responses),
        "resolution_met": sum(1 for t in tickets if t.resolved_at and not t.resolution_breached_at),
        "resolution_measured": len(resolutions),
        "breached": sum(
            1 for t in tickets if t.first_response_breached_at or t.resolution_breached_at
        ),
        "backlog": len(opened),
        "ageing": tuple(
            sum(1 for age in ages if low <= age < high)
            for low, high in zip(bands, bands[1:], strict=False)
        ),
        "to_first_response": timing(responses),
        "to_resolution": timing(resolutions),
    }


def timing(durations: list[timedelta]) -> tuple:
    tenths = [rounded(duration) for duration in durations]
    median, p90 = nearest_rank(tenths, 0.5), nearest_rank(tenths, 0.9)
    return (
        len(durations),
        None if median is None else median / 10,
        None if p90 is None else p90 / 10,
    )


def exact(durations: list[timedelta], share: float) -> float:
    return nearest_rank([d.total_seconds() / 3600 for d in durations], share)


def figures_of(row) -> dict:
    """A report row in the hand count's terms."""
    return {
        "tickets": row.tickets,
        "first_response_met": row.first_response_met,
        "first_response_measured": row.first_response_measured,
        "resolution_met": row.resolution_met,
        "resolution_measured": row.resolution_measured,
        "breached": row.breached,
        "backlog": row.backlog,
        "ageing": row.ageing,
        "to_first_response": tuple(row.to_first_response.__dict__.values()),
        "to_resolution": tuple(row.to_resolution.__dict__.values()),
    }


def section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]


def row_html(html: str, testid: str, key: str) -> str:
    return section(html, testid).split(f'<tr data-key="{key}">', 1)[1].split("</tr>", 1)[0]


def cells(html: str, testid: str, key: str) -> dict[str, tuple]:
    """The figures of a table's row: {figure: (text, its link's query, its link's path)}."""
    found = re.findall(
        r'<td[^>]*data-figure="([^"]+)"><a href="([^"]+)">([^<]*)</a></td>',
        row_html(html, testid, key),
    )
    return {
        figure: (text, parse_qs(urlsplit(href.replace("&amp;", "&")).query), urlsplit(href).path)
        for figure, href, text in found
    }
