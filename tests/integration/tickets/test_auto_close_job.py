"""The periodic job that closes resolved tickets nobody reopened."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.tickets import jobs
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.timeutil import utcnow
from helpdesk.worker import PERIODIC


def test_the_job_closes_tickets_resolved_longer_ago_than_the_waiting_days(
    db, make_user, requester, file_ticket
):
    admin = make_user("admin")
    old = tickets.change_status(
        admin,
        file_ticket(requester),
        "resolved",
        now=utcnow() - timedelta(days=10),
        resolution="Đã xử lý xong.",
    )
    recent = tickets.change_status(
        admin,
        file_ticket(requester),
        "resolved",
        now=utcnow() - timedelta(days=1),
        resolution="Đã xử lý xong.",
    )
    assert jobs.close_resolved() == 1
    db.session.expire_all()
    assert db.session.get(Ticket, old.id).status == "closed"
    assert db.session.get(Ticket, recent.id).status == "resolved"
    assert jobs.close_resolved() == 0


def test_the_job_is_registered_with_the_periodic_sweeps():
    from helpdesk import periodic  # noqa: F401 - registers the sweeps

    assert any(func is jobs.close_resolved for func, _ in PERIODIC)
