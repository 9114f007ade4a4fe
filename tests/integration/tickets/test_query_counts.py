"""The pages issue a constant number of SQL statements, whatever the number of rows they show."""

from __future__ import annotations

import pytest
from integration.tickets.page_helpers import PNG

from helpdesk import storage
from helpdesk.routing.models import Membership
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Attachment, Message


def add_thread(db, ticket, author, staff, count: int) -> None:
    """`count` messages alternating replies and internal notes, each with a file and an event."""
    stored = storage.store(storage.Upload("anh.png", PNG), "image/png")
    for n in range(count):
        internal = n % 2 == 1
        message = Message(
            ticket=ticket,
            author_id=(staff if internal else author).id,
            body=f"Tin nhắn {n}",
            internal=internal,
        )
        db.session.add(message)
        db.session.add(
            Attachment(
                ticket=ticket,
                message=message,
                uploader_id=message.author_id,
                filename=f"anh-{n}.png",
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
            )
        )
        tickets.stage_event(ticket, "note_added" if internal else "replied", actor=staff)
    db.session.commit()


def statements_for(client, url: str, count_queries) -> int:
    client.get(url)  # warm: the first request of a session loads what later ones cache
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_the_ticket_page_costs_the_same_for_3_and_30_messages(
    db, browser, requester, make_agent, file_ticket, count_queries
):
    agent = make_agent("moj-it", ("75",))
    short, long = file_ticket(requester), file_ticket(requester)
    add_thread(db, short, requester, agent, 3)
    add_thread(db, long, requester, agent, 30)
    for user in (requester, agent):
        client = browser(user)
        few = statements_for(client, f"/tickets/{short.number}", count_queries)
        many = statements_for(client, f"/tickets/{long.number}", count_queries)
        assert few == many, user.role


# The ticket page for staff: the user (with the reference data's stamp), the ticket (with its
# people, queue, catalogue entries, links and opening files; whether the user may see it is
# part of the same statement), its history, the people the history names with the agents who
# may take it and the followers, the thread. Queues, catalogue and canned replies come from
# process memory. For the requester: the user, the ticket, the thread, the followers with the
# colleagues they may add.
STAFF_TICKET_PAGE_STATEMENTS = 5
REQUESTER_TICKET_PAGE_STATEMENTS = 4


def test_the_ticket_page_costs_at_most_a_fixed_number_of_statements(
    db, browser, requester, make_agent, file_ticket, queue_by_code, count_queries
):
    agent, colleague = make_agent("moj-it", ("75",)), make_agent("moj-it")
    short = file_ticket(requester)
    long = file_ticket(requester, attachments=(("anh.png", PNG), ("scan.png", PNG)))
    add_thread(db, long, requester, agent, 30)
    elsewhere = queue_by_code("moh-it").id
    for n in range(20):  # history naming many people and queues
        tickets.stage_event(
            long, "assigned", actor=colleague, assignee_id=(agent, colleague)[n % 2].id
        )
        tickets.stage_event(
            long, "transferred", from_queue_id=elsewhere, to_queue_id=long.queue_id, reason="x"
        )
    long.parent_id, long.assignee_id = short.id, colleague.id
    db.session.commit()
    for user, bound in (
        (agent, STAFF_TICKET_PAGE_STATEMENTS),
        (requester, REQUESTER_TICKET_PAGE_STATEMENTS),
    ):
        client = browser(user)
        for ticket in (short, long):
            statements = statements_for(client, f"/tickets/{ticket.number}", count_queries)
            assert statements <= bound, (user.role, ticket.number)


def test_the_queue_page_costs_the_same_for_3_and_30_tickets(
    browser, requester, make_agent, file_ticket, count_queries
):
    agent = make_agent("moj-it", ("75",))
    client = browser(agent)
    for _ in range(3):
        file_ticket(requester)
    few = statements_for(client, "/tickets/queue", count_queries)
    for _ in range(27):
        file_ticket(requester)
    many = statements_for(client, "/tickets/queue", count_queries)
    assert few == many


# The queue page: the user, their queues and coverage, the agents of those queues, the
# reference data's stamp, the bounded count, the page.
QUEUE_PAGE_STATEMENTS = 6


@pytest.mark.parametrize(
    "url",
    [
        "/tickets/queue?status=open",
        "/tickets/queue?q=thanh+toan",
        "/tickets/queue?status=open&source=phone",
    ],
)
def test_the_queue_page_and_its_search_cost_at_most_a_fixed_number_of_statements(
    monkeypatch, db, browser, requester, make_agent, file_ticket, queue_by_code, count_queries, url
):
    from helpdesk.tickets.views import queue as staff

    # Every kind of visibility at once: a whole queue, a queue in some provinces, supervision,
    # and tickets assigned to the agent elsewhere.
    agent = make_agent("moj-it", ("75", "01"))
    queue_by_code("moha-vnpt").supervisor_id = agent.id
    db.session.add(
        Membership(queue_id=queue_by_code("moj-fpt").id, user_id=agent.id, all_provinces=True)
    )
    db.session.commit()
    client = browser(agent)
    filed = []
    for count, per_page in ((2, 1), (12, 5), (12, 50)):
        while len(filed) < count:
            province = ("75", "01", "79")[len(filed) % 3]
            ticket = file_ticket(requester, province=province, subject="Đã thanh toán tiền")
            ticket.assignee_id = agent.id if province == "79" else None  # mine, else uncovered
            db.session.commit()
            filed.append(ticket)
        monkeypatch.setattr(staff, "PER_PAGE", per_page)
        assert statements_for(client, url, count_queries) <= QUEUE_PAGE_STATEMENTS
        assert statements_for(client, url + "&page=2", count_queries) <= QUEUE_PAGE_STATEMENTS


def test_my_tickets_costs_the_same_for_3_and_20_tickets(
    browser, requester, file_ticket, count_queries
):
    client = browser(requester)
    for _ in range(3):
        file_ticket(requester)
    few = statements_for(client, "/tickets/", count_queries)
    for _ in range(17):
        file_ticket(requester)
    many = statements_for(client, "/tickets/", count_queries)
    assert few == many
