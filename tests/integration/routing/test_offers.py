"""An agent added to a queue is offered its waiting unassigned tickets at once: one mail, in
the agent's language, listing the open unassigned tickets of the provinces they cover; none
when there are none. By the members page and by `flask user create --queue`."""

from __future__ import annotations

from sqlalchemy import select
from support import post_form

from helpdesk.auth.models import User
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.rendering import render


def offers(db) -> list[Outbox]:
    return list(db.session.scalars(select(Outbox).where(Outbox.template == "queue_offer")))


def add_by_page(admin_client, queue, agent, *provinces):
    response = post_form(
        admin_client,
        f"/admin/routing/queues/{queue.id}/members",
        {"username": agent.username, "provinces": list(provinces), "available": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_new_member_gets_one_mail_listing_the_waiting_tickets_they_cover(
    admin_client, db, queue, make_user, place_ticket
):
    fpt = queue("moj-fpt")
    hanoi = place_ticket(fpt, "01")
    saigon = place_ticket(fpt, "79")
    place_ticket(fpt, "01", status="resolved")
    place_ticket(fpt, "01", assignee=make_user("agent"))
    agent = make_user("agent", email="moi@example.vn", language="en")

    add_by_page(admin_client, fpt, agent, "01")

    mailed = offers(db)
    assert [(row.to, row.language) for row in mailed] == [("moi@example.vn", "en")]
    listed = [line["number"] for line in mailed[0].context["tickets"]]
    assert listed == [hanoi.number]
    assert saigon.number not in listed
    message = render(mailed[0])
    assert hanoi.number in message.body and fpt.name in message.subject
    assert f"/tickets/{hanoi.number}" in message.body


def test_the_offer_is_written_in_vietnamese_for_a_vietnamese_member(
    admin_client, db, queue, make_user, place_ticket
):
    fpt = queue("moj-fpt")
    ticket = place_ticket(fpt, "01")
    add_by_page(admin_client, fpt, make_user("agent", email="vi@example.vn"), "01")

    message = render(offers(db)[0])
    assert message.subject == f"Yêu cầu đang chờ bạn trong {fpt.name}"
    assert "Bạn vừa được thêm vào hàng đợi" in message.body and ticket.number in message.body


def test_no_mail_when_the_queue_has_no_waiting_ticket(admin_client, db, queue, make_user):
    add_by_page(admin_client, queue("moj-fpt"), make_user("agent"), "01")

    assert offers(db) == []


def test_user_create_with_a_queue_offers_its_waiting_tickets(runner, db, queue, place_ticket):
    fpt = queue("moj-fpt")
    ticket = place_ticket(fpt, "79")
    result = runner.invoke(
        args=[
            "user",
            "create",
            "079090123456@ht.com",
            "--password",
            "Mot-mat-khau-dai-2026",
            "--role",
            "agent",
            "--email",
            "cli@example.vn",
            "--queue",
            "moj-fpt",
            "--all-provinces",
        ]
    )
    assert result.exit_code == 0, result.output

    mailed = offers(db)
    user = db.session.scalar(select(User).where(User.email == "cli@example.vn"))
    assert [(row.to, row.user_id) for row in mailed] == [("cli@example.vn", user.id)]
    assert [line["number"] for line in mailed[0].context["tickets"]] == [ticket.number]
