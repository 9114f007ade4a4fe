"""Tickets and incidents written straight to the database for the report tests: their dates,
markers and attachments set as a test needs them."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select

from helpdesk.routing.models import Queue
from helpdesk.tickets.models import IncidentProvince, Kind, Ticket

NUMBERS = itertools.count(3000)


def moj_it(db) -> int:
    return db.session.scalar(select(Queue.id).where(Queue.code == "moj-it"))


def add_row(db, requester, created_at: datetime, **fields) -> Ticket:
    """A ticket (or, with kind="incident", an incident) of moj/payment in province 01 unless
    told, status new, flushed (its id known)."""
    values = {
        "system_code": "moj",
        "category_code": "payment",
        "province_code": "01",
        "status": "new",
        "subject": "Tiền lệ phí chưa về",
        "description": "d",
        "priority": 3,
        "queue_id": moj_it(db),
    }
    ticket = Ticket(
        number=f"HT-2026-{next(NUMBERS):06d}",
        requester_id=requester.id,
        created_at=created_at,
        **(values | fields),
    )
    db.session.add(ticket)
    db.session.flush()
    return ticket


def add_incident(
    db,
    staff,
    declared_at: datetime,
    *,
    system: str = "moj",
    provinces: tuple[str, ...] = (),
    tickets: tuple[tuple[str, datetime], ...] = (),
    requester=None,
    **fields,
) -> Ticket:
    """An incident of the system declared at that instant by `staff`, limited to `provinces`
    (none: the whole country), with tickets (province, filed at) of `requester` attached."""
    incident = add_row(
        db,
        staff,
        declared_at,
        **{
            "kind": Kind.INCIDENT,
            "system_code": system,
            "status": "open",
            "subject": "Cổng thanh toán không nhận giao dịch",
            "incident_provinces": [IncidentProvince(province_code=c) for c in provinces],
            **fields,
        },
    )
    for province, filed_at in tickets:
        add_row(
            db,
            requester or staff,
            filed_at,
            system_code=system,
            province_code=province,
            status="open",
            parent_id=incident.id,
        )
    return incident
