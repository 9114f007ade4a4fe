"""The pages issue a constant number of SQL statements, whatever the number of rows they show."""

from __future__ import annotations

from integration.tickets.page_helpers import PNG

from helpdesk.tickets import services as tickets
from helpdesk.tickets import storage
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
        tickets.record_event(ticket, "note_added" if internal else "replied", actor=staff)
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
