"""Thousands of tickets in an incident: its update writes them with one batched UPDATE, whatever
the queues they are in (nothing read while the tickets are gone through, such as a ticket's
queue named in its mail, flushes the tickets changed so far one by one); attaching them reads
none of their histories (their events are added, not loaded)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket


def test_the_tickets_of_several_queues_are_written_in_one_update(
    db, make_user, file_ticket, count_queries
):
    admin = make_user("admin")
    officials = [make_user("requester", province_code="75") for _ in range(6)]
    filed = [
        file_ticket(
            official,
            subject="Không thanh toán được lệ phí",
            category=("payment", "account")[n % 2],  # moj-fpt and moj-it in turn
            province="75",
        )
        for n, official in enumerate(officials)
    ]
    assert len({ticket.queue_id for ticket in filed}) == 2
    incident = tickets.declare(
        admin, title="Cổng thanh toán lỗi", system="moj", numbers=[t.number for t in filed]
    )
    db.session.expire_all()
    incident = db.session.get(Ticket, incident.id)

    with count_queries() as seen:
        assert tickets.post_update(admin, incident, "Đang khắc phục.") == 6

    written = [s for s in seen if " ".join(s.split()).upper().startswith("UPDATE TICKETS")]
    assert len(written) == 2  # the six tickets in one batch, then the incident itself


def test_attaching_tickets_reads_none_of_their_histories(db, make_user, file_ticket, count_queries):
    admin = make_user("admin")
    officials = [make_user("requester", province_code="75") for _ in range(5)]
    numbers = [
        file_ticket(official, subject="Không thanh toán được lệ phí", province="75").number
        for official in officials
    ]
    incident = tickets.declare(admin, title="Cổng thanh toán lỗi", system="moj")
    db.session.expire_all()

    with count_queries() as seen:
        results = tickets.attach(admin, incident, numbers)

    assert set(results.values()) == {"ok"}
    histories = [s for s in seen if "FROM events" in s]
    assert len(histories) == 1  # the incident's own, for its "tickets attached" event
    db.session.expire_all()
    for number in numbers:
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket.parent_id == incident.id
        assert ticket.events[-1].data == {"parent": incident.number}
