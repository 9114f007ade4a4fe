"""The staff list reads each visible queue apart and merges them: it shows exactly what the
visibility clause allows (assigned to me anywhere, whole queues, queue and province coverage,
supervised queues; admins everything), once each, in deadline order, page after page."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import TicketFilters, list_tickets

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
EVERY_STATUS = TicketFilters(status=None)


@pytest.fixture
def world(db, queue, make_user, member, place_ticket):
    """An agent covering moj-it wholly and moj-fpt in 79 only, supervising moha-vnpt, with a
    ticket assigned to them in province-01 (no membership there); tickets on every side of
    each line, with deadlines spread so that the queues interleave."""
    it, fpt, vnpt, province = (
        queue("moj-it"),
        queue("moj-fpt"),
        queue("moha-vnpt"),
        queue("province-01"),
    )
    agent, other = make_user("agent"), make_user("agent")
    member(it, agent)
    member(fpt, agent, "79")
    vnpt.supervisor_id = agent.id
    db.session.commit()
    placed = [
        place_ticket(it, "01"),
        place_ticket(it, "79", assignee=agent),  # in a visible queue and mine: listed once
        place_ticket(it, "96", status="resolved"),
        place_ticket(fpt, "79"),
        place_ticket(fpt, "79", assignee=other),  # covered, whoever works it
        place_ticket(fpt, "01"),  # not covered
        place_ticket(fpt, "01", assignee=agent),  # not covered, but mine
        place_ticket(vnpt, "96"),
        place_ticket(vnpt, "01", status="waiting_requester"),
        place_ticket(province, "01", assignee=agent),  # mine, outside my queues
        place_ticket(province, "01"),  # not mine, not my queue
        place_ticket(province, "01", assignee=other),
    ]
    for n, ticket in enumerate(placed):
        # Interleaved deadlines, a tie, and two without one (listed last).
        ticket.resolution_due = None if n in (2, 7) else START + timedelta(hours=(n * 7) % 5)
        ticket.priority = 1 + n % 4
    db.session.commit()
    return {"agent": agent, "tickets": placed}


def in_list_order(rows: list[Ticket]) -> list[str]:
    ordered = sorted(
        rows,
        key=lambda t: (t.resolution_due is None, t.resolution_due or START, t.priority, t.id),
    )
    return [ticket.number for ticket in ordered]


def clause_numbers(db, user, *, open_only: bool = False) -> list[str]:
    """What the single visibility clause selects, in list order."""
    query = select(Ticket).where(tickets.visibility_clause(user))
    rows = [t for t in db.session.scalars(query) if t.is_open or not open_only]
    return in_list_order(rows)


def numbers(page) -> list[str]:
    return [ticket.number for ticket in page.items]


def test_an_agent_sees_what_the_visibility_clause_shows(db, world):
    agent, placed = world["agent"], world["tickets"]
    expected = {placed[n].number for n in (0, 1, 2, 3, 4, 6, 7, 8, 9)}
    found = list_tickets(agent, EVERY_STATUS, per_page=100)
    assert set(clause_numbers(db, agent)) == expected
    assert numbers(found) == clause_numbers(db, agent)
    assert found.total == len(expected) and found.total_is_exact


def test_open_tickets_only_by_default_in_the_queue(db, world):
    agent = world["agent"]
    found = list_tickets(agent, TicketFilters(status="open"), per_page=100, count_limit=1000)
    assert numbers(found) == clause_numbers(db, agent, open_only=True)


def test_pages_of_the_merged_list_follow_one_another(db, world):
    agent = world["agent"]
    pages = [list_tickets(agent, EVERY_STATUS, page=n, per_page=3) for n in (1, 2, 3)]
    assert [numbers(page) for page in pages] == [
        clause_numbers(db, agent)[i : i + 3] for i in (0, 3, 6)
    ]
    assert [page.has_next for page in pages] == [True, True, False]


def test_an_admin_sees_every_ticket(db, world, admin):
    everything = in_list_order(list(db.session.scalars(select(Ticket))))
    found = list_tickets(admin, EVERY_STATUS, per_page=100, count_limit=1000)
    assert numbers(found) == everything


def test_mine_lists_my_tickets_wherever_they_are(db, world):
    agent, placed = world["agent"], world["tickets"]
    found = list_tickets(agent, TicketFilters(status=None, mine=True), per_page=100)
    assert numbers(found) == in_list_order([placed[n] for n in (1, 6, 9)])


def test_an_agent_without_membership_sees_only_what_is_assigned_to_them(
    db, make_user, queue, place_ticket
):
    loner = make_user("agent")
    mine = place_ticket(queue("moj-it"), assignee=loner)
    place_ticket(queue("moj-it"))
    assert numbers(list_tickets(loner, EVERY_STATUS, count_limit=1000)) == [mine.number]


def test_a_new_membership_shows_its_queue_at_once(db, make_user, queue, member, place_ticket):
    agent = make_user("agent")
    ticket = place_ticket(queue("moj-it"))
    assert list_tickets(agent, EVERY_STATUS).items == []
    member(queue("moj-it"), agent)
    assert numbers(list_tickets(agent, EVERY_STATUS)) == [ticket.number]


def test_the_count_stops_at_its_limit_and_says_so(db, world):
    agent = world["agent"]
    every = clause_numbers(db, agent)
    bounded = list_tickets(agent, EVERY_STATUS, per_page=2, count_limit=5)
    assert (bounded.total, bounded.total_is_exact, bounded.pages) == (5, False, None)
    assert numbers(bounded) == every[:2] and bounded.has_next
    last = list_tickets(agent, EVERY_STATUS, page=5, per_page=2, count_limit=5)
    assert numbers(last) == every[8:] and not last.has_next
    enough = list_tickets(agent, EVERY_STATUS, per_page=2, count_limit=len(every))
    assert (enough.total, enough.total_is_exact, enough.pages) == (len(every), True, 5)
