"""The digests' test desk: tickets of the week 30 November – 6 December 2026 and of the week
before, written straight to the database with their dates and SLA markers; the readers of each
kind; the outbox rows of the digests and what their mail carries."""

from __future__ import annotations

import email
import email.policy
import io
import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from helpdesk.notifications import rendering
from helpdesk.notifications.models import Outbox
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Kind, Ticket

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NUMBERS = itertools.count(5000)
MONDAY = "2026-12-07"  # the week 2026-11-30 .. 2026-12-06 is due at 07:30


def at(text: str) -> datetime:
    """A local wall-clock time in Vietnam, as an aware instant."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def queue_id(db, code: str) -> int:
    return db.session.scalar(select(Queue.id).where(Queue.code == code))


def add_ticket(db, requester, created: str, *, system="moj", province="79", queue="moj-it", **f):
    """A ticket filed at a local time; `resolved`, `answered` (local times) and
    `breached` (True) set its dates and markers; other fields as given."""
    resolved, answered = f.pop("resolved", None), f.pop("answered", None)
    breached = f.pop("breached", False)
    created_at = at(created)
    ticket = Ticket(
        number=f"HT-2026-{next(NUMBERS):06d}",
        subject="Tiền lệ phí chưa về",
        description="d",
        system_code=system,
        category_code="payment",
        province_code=province,
        requester_id=requester.id,
        queue_id=queue_id(db, queue),
        status="resolved" if resolved else "open",
        priority=3,
        created_at=created_at,
        first_response_due=at(f"{created[:10]} 23:00"),
        first_responded_at=at(answered) if answered else None,
        resolved_at=at(resolved) if resolved else None,
        resolution_breached_at=created_at if breached else None,
        **f,
    )
    db.session.add(ticket)
    return ticket


def add_two_weeks(db, requester) -> None:
    """Five tickets in the week 30/11 – 06/12, two in the week before, one after, an incident:

    | # | system | province | queue   | week   | state                     |
    | 1 | moj    | 79       | moj-it  | this   | resolved 02/12, breached  |
    | 2 | moj    | 79       | moj-fpt | this   | open, breached            |
    | 3 | moj    | 01       | moj-it  | this   | open, answered on time    |
    | 4 | moha   | 79       | moha-it | this   | resolved 05/12            |
    | 5 | moha   | 01       | moha-it | this   | open, breached            |
    | 6 | moj    | 79       | moj-it  | before | resolved 25/11            |
    | 7 | moha   | 01       | moha-it | before | open                      |
    """
    add_ticket(db, requester, "2026-12-01 09:00", resolved="2026-12-02 10:00", breached=True)
    add_ticket(db, requester, "2026-12-02 10:00", queue="moj-fpt", breached=True)
    add_ticket(db, requester, "2026-12-03 10:00", province="01", answered="2026-12-03 11:00")
    moha = {"system": "moha", "queue": "moha-it"}
    add_ticket(db, requester, "2026-12-04 10:00", resolved="2026-12-05 10:00", **moha)
    add_ticket(db, requester, "2026-12-05 10:00", province="01", breached=True, **moha)
    add_ticket(db, requester, "2026-11-24 10:00", resolved="2026-11-25 10:00")
    add_ticket(db, requester, "2026-11-25 10:00", province="01", **moha)
    add_ticket(db, requester, "2026-12-07 06:00", breached=True)  # the next week
    add_ticket(db, requester, "2026-12-02 08:00", kind=Kind.INCIDENT, breached=True)
    db.session.commit()


def digest_rows(db) -> list[Outbox]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Outbox).where(Outbox.template == "digest").order_by(Outbox.key))
    )


def digest_for(db, user) -> Outbox:
    [row] = [row for row in digest_rows(db) if row.user_id == user.id]
    return row


def figures(row: Outbox) -> dict[str, object]:
    """The key figures of a digest row: {name: value}."""
    return {figure["name"]: figure["value"] for figure in row.context["figures"]}


def parsed_mail(row: Outbox):
    """The row rendered and composed as it is sent, parsed back by the email package."""
    message = rendering.render(row)
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def workbook_rows(data: bytes) -> list[tuple]:
    """The sheet's rows, each without the empty cells at its end."""
    sheet = load_workbook(io.BytesIO(data)).active
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(tuple(cells))
    return rows
