"""A resolved ticket's answer as an article draft, in one click: the subject and the staff's
answer, never who asked."""

from __future__ import annotations

from integration.tickets.page_helpers import GOOD_FORM
from sqlalchemy import select
from support import csrf_token

from helpdesk.help.models import Article, ArticleStatus, Readers
from helpdesk.routing.models import Membership
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Status

ANSWER = "Chào {name}, anh/chị khai báo lại tài khoản thụ hưởng tại mục Quản trị, gọi {phone}."


def resolved_ticket(db, make_user, *, resolve: bool = True):
    requester = make_user(
        "requester",
        username="079090001234@ht.com",
        full_name="Nguyễn Thị Bích",
        phone="0912345678",
        email="bich.nguyen@example.vn",
        province_code="75",
        unit="UBND phường Trấn Biên",
    )
    subject = "Tiền chưa về tài khoản, người nộp Nguyễn Thị Bích"
    draft = tickets.TicketDraft(
        **{**GOOD_FORM, "priority": 3, "subject": subject, "category": "payment"}
    )
    ticket = tickets.create_ticket(requester, draft)
    agent = make_user("agent")  # a member of the ticket's queue
    db.session.add(Membership(queue_id=ticket.queue_id, user_id=agent.id, all_provinces=True))
    db.session.commit()
    tickets.add_message(requester, ticket, "Tôi là Nguyễn Thị Bích, CCCD 079090001234.")
    body = (
        ANSWER.format(name="Nguyễn Thị Bích", phone="0912345678") + " Mail bich.nguyen@example.vn"
    )
    tickets.add_message(agent, ticket, body)
    tickets.add_message(agent, ticket, "Ghi chú nội bộ", internal=True)
    if resolve:
        tickets.change_status(agent, ticket, Status.RESOLVED, resolution="Đã xử lý xong.")
    return agent, ticket


def click(client, ticket):
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    return client.post(f"/tickets/{ticket.number}/article", data={"csrf_token": csrf_token(page)})


def test_the_answer_becomes_a_draft_without_personal_data(db, browser, make_user):
    agent, ticket = resolved_ticket(db, make_user)
    client = browser(agent)
    assert 'data-testid="draft-article"' in client.get(f"/tickets/{ticket.number}").get_data(
        as_text=True
    )
    response = click(client, ticket)
    assert response.status_code == 302
    article = db.session.scalar(select(Article))
    assert response.headers["Location"].endswith(f"/help/{article.slug}/edit")
    assert article.status == ArticleStatus.DRAFT and article.readers == Readers.SIGNED_IN
    assert article.source_ticket_number == ticket.number
    assert "khai báo lại tài khoản thụ hưởng" in article.body
    assert article.title.startswith("Tiền chưa về tài khoản")
    assert [s.system_code for s in article.systems] == ["moj"]
    assert [c.category_code for c in article.categories] == ["payment"]
    everything = " ".join((article.title, article.summary, article.body, article.search_text))
    for private in ("Bích", "bich", "079090001234", "0912345678", "example.vn", "nội bộ", "Tôi là"):
        assert private not in everything, private


def test_no_button_and_no_draft_before_the_ticket_is_resolved(db, browser, make_user):
    agent, ticket = resolved_ticket(db, make_user, resolve=False)
    client = browser(agent)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert 'data-testid="draft-article"' not in page
    assert click(client, ticket).status_code == 302
    assert db.session.scalar(select(Article.id)) is None


def test_who_may_not_work_the_ticket_gets_404(db, browser, make_user):
    _agent, ticket = resolved_ticket(db, make_user)
    requester_client = browser(ticket.requester)
    outsider = browser(make_user("agent"))  # in no queue
    for client in (requester_client, outsider):
        token = csrf_token(client.get("/auth/profile").get_data(as_text=True))
        response = client.post(f"/tickets/{ticket.number}/article", data={"csrf_token": token})
        assert response.status_code == 404
    assert db.session.scalar(select(Article.id)) is None
