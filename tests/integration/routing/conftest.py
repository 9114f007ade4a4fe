"""Routing fixtures: seeded queues by code, members, tickets placed directly, an admin client."""

from __future__ import annotations

from datetime import datetime
from itertools import count

import pytest
import support
from sqlalchemy import select

from helpdesk.extensions import db as database
from helpdesk.routing.models import Membership, MembershipProvince, Queue
from helpdesk.tickets.models import Ticket

_numbers = count(1)


@pytest.fixture
def queue(db):
    """A seeded queue by code."""

    def find(code: str) -> Queue:
        found = database.session.scalar(select(Queue).where(Queue.code == code))
        assert found is not None, code
        return found

    return find


@pytest.fixture
def member(db):
    """Put a user in a queue directly, covering those provinces (none given: every province,
    stated with the membership's flag)."""

    def add(
        queue: Queue,
        user,
        *provinces: str,
        available: bool = True,
        last_assigned_at: datetime | None = None,
    ) -> Membership:
        membership = Membership(
            queue_id=queue.id,
            user_id=user.id,
            available=available,
            last_assigned_at=last_assigned_at,
            all_provinces=not provinces,
            coverage=[MembershipProvince(province_code=code) for code in provinces],
        )
        database.session.add(membership)
        database.session.commit()
        return membership

    return add


@pytest.fixture
def place_ticket(db, make_user):
    """A ticket row put straight into a queue (no routing), to set up workloads."""
    requester = []

    def place(queue: Queue, province: str = "01", *, assignee=None, status: str = "open") -> Ticket:
        if not requester:
            requester.append(make_user("requester", province_code=province))
        ticket = Ticket(
            number=f"HT-2026-{next(_numbers):06d}",
            subject="Thanh toán",
            description="…",
            system_code=queue.system_code or "moj",
            category_code="payment",
            province_code=province,
            requester_id=requester[0].id,
            queue_id=queue.id,
            assignee_id=assignee.id if assignee else None,
            priority=3,
            status=status,
        )
        database.session.add(ticket)
        database.session.commit()
        return ticket

    return place


fresh_limiter = pytest.fixture(autouse=True)(support.fresh_limiter)


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def admin_client(client, login, admin):
    response = login(admin)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
