"""Each person's count of open assigned tickets follows every write to tickets (triggers), and
the assignment reads it instead of counting tickets."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from helpdesk.routing import services
from helpdesk.routing.models import Workload
from helpdesk.tickets.models import OPEN_STATUSES, Ticket


def workload(db, user) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Workload.open_tickets).where(Workload.user_id == user.id)) or 0


def counted(db, user) -> int:
    """The truth: the user's open tickets counted from the tickets table."""
    return db.session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.assignee_id == user.id, Ticket.status.in_(OPEN_STATUSES))
    )


def test_filing_open_work_counts_and_closed_or_unassigned_work_does_not(
    db, queue, make_user, place_ticket
):
    fpt = queue("moj-fpt")
    agent = make_user("agent")
    place_ticket(fpt, assignee=agent)
    place_ticket(fpt, assignee=agent, status="waiting_third_party")
    place_ticket(fpt, assignee=agent, status="closed")
    place_ticket(fpt)
    assert workload(db, agent) == counted(db, agent) == 2


def test_reassigning_closing_reopening_and_deleting_move_the_count(
    db, queue, make_user, place_ticket
):
    fpt = queue("moj-fpt")
    first, second = make_user("agent"), make_user("agent")
    ticket = place_ticket(fpt, assignee=first)
    other = place_ticket(fpt, assignee=first)

    ticket.assignee_id = second.id
    db.session.commit()
    assert (workload(db, first), workload(db, second)) == (1, 1)

    ticket.status = "resolved"
    db.session.commit()
    assert workload(db, second) == counted(db, second) == 0

    ticket.status = "open"
    ticket.assignee_id = first.id
    db.session.commit()
    assert workload(db, first) == counted(db, first) == 2

    ticket.assignee_id = None
    db.session.commit()
    assert workload(db, first) == 1

    db.session.delete(other)
    db.session.commit()
    assert workload(db, first) == counted(db, first) == 0


def test_a_bulk_statement_moves_every_count_it_touches(db, queue, make_user, place_ticket):
    fpt = queue("moj-fpt")
    agents = [make_user("agent") for _ in range(3)]
    for n, agent in enumerate(agents):
        for _ in range(n + 1):
            place_ticket(fpt, assignee=agent)
    db.session.execute(
        update(Ticket)
        .where(Ticket.assignee_id.in_([a.id for a in agents[:2]]))
        .values(assignee_id=agents[2].id)
    )
    db.session.commit()
    assert [workload(db, a) for a in agents] == [0, 0, 6]
    db.session.execute(
        update(Ticket).where(Ticket.assignee_id == agents[2].id).values(status="closed")
    )
    db.session.commit()
    assert [workload(db, a) for a in agents] == [0, 0, 0]
    db.session.execute(delete(Ticket).where(Ticket.queue_id == fpt.id))
    db.session.commit()
    assert [workload(db, a) for a in agents] == [0, 0, 0]


def test_moving_between_open_statuses_keeps_the_count(db, queue, make_user, place_ticket):
    fpt = queue("moj-fpt")
    agent = make_user("agent")
    ticket = place_ticket(fpt, assignee=agent)
    before = workload(db, agent)
    ticket.subject = "Thanh toán lỗi"
    ticket.status = "waiting_requester"  # still open
    db.session.commit()
    assert workload(db, agent) == before == 1


def test_the_count_decides_not_the_tickets_table(db, queue, make_user, member):
    """The assignment reads the kept count: a workload row alone makes a member busier."""
    fpt = queue("moj-fpt")
    busy, free = make_user("agent"), make_user("agent")
    member(fpt, busy)
    member(fpt, free)
    assert services.choose_assignee(fpt.id, "01") == min(busy.id, free.id)
    db.session.add(Workload(user_id=min(busy.id, free.id), open_tickets=1))
    db.session.flush()
    assert services.choose_assignee(fpt.id, "01") == max(busy.id, free.id)
