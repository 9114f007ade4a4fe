"""Nobody waits unseen: a queue with no active supervisor or member is listed on the queue
pages, and a ticket landing there, or reaching a deadline there, tells the admins (mail
through the outbox) while its history says so, never that a supervisor was told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.auth.models import Status
from helpdesk.notifications.models import Outbox
from helpdesk.routing import services as routing
from helpdesk.tickets.models import Event, Ticket
from helpdesk.tickets.services import TicketDraft, create_ticket, escalation

UNSTAFFED_SENTENCE = "Hàng đợi {name} chưa có người phụ trách; đã báo quản trị viên."
SUPERVISOR_TOLD = "đã thông báo cho trưởng nhóm"


def file(requester, *, category: str = "account") -> Ticket:
    """moj / account -> moj-it."""
    draft = TicketDraft(
        system="moj",
        category=category,
        province="01",
        subject="Không đăng nhập được",
        description="Tài khoản bị khoá.",
        priority=1,
    )
    return create_ticket(requester, draft)


def outbox(template: str) -> list[Outbox]:
    from helpdesk.extensions import db

    return list(db.session.scalars(select(Outbox).where(Outbox.template == template)))


def kinds(db, ticket: Ticket) -> list[str]:
    query = select(Event.kind).where(Event.ticket_id == ticket.id).order_by(Event.id)
    return list(db.session.scalars(query))


def test_unstaffed_queues_are_the_active_ones_without_an_active_member_or_supervisor(
    db, queue, member, make_user, count_queries
):
    it, fpt, vnpt = queue("moj-it"), queue("moj-fpt"), queue("moha-it")
    member(it, make_user("agent"))
    gone = make_user("agent")
    member(fpt, gone)
    gone.status = Status.DISABLED
    vnpt.supervisor_id = make_user("supervisor").id
    db.session.commit()

    with count_queries() as statements:
        unstaffed = routing.unstaffed_queues()
    assert len(statements) == 1
    codes = {q.code for q in unstaffed}
    assert "moj-fpt" in codes  # its only member is disabled
    assert "moj-it" not in codes and "moha-it" not in codes
    assert routing.is_staffed(it.id) and routing.is_staffed(vnpt.id)
    assert not routing.is_staffed(fpt.id)
    fpt.active = False
    db.session.commit()
    assert "moj-fpt" not in {q.code for q in routing.unstaffed_queues()}


def test_a_ticket_landing_in_an_unstaffed_queue_tells_the_admins_and_the_history_says_so(
    db, client, login, make_user, queue
):
    admin = make_user("admin", email="admin@example.vn")
    requester = make_user("requester", province_code="01")
    ticket = file(requester)
    assert ticket.queue.code == "moj-it" and ticket.assignee_id is None

    assert kinds(db, ticket)[-2:] == ["unassigned", "unstaffed"]
    unassigned = db.session.scalar(
        select(Event).where(Event.ticket_id == ticket.id, Event.kind == "unassigned")
    )
    assert unassigned.data["supervisor_id"] is None
    mailed = outbox("queue_unstaffed")
    assert [row.to for row in mailed] == [admin.email]
    assert mailed[0].context["number"] == ticket.number
    assert f"/admin/routing/queues/{ticket.queue_id}/members" in mailed[0].context["members_url"]

    login(admin)
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert UNSTAFFED_SENTENCE.format(name=ticket.queue.name) in html
    assert SUPERVISOR_TOLD not in html


def test_a_staffed_queue_tells_nobody_more(db, make_user, queue, member):
    make_user("admin", email="admin@example.vn")
    member(queue("moj-it"), make_user("agent"))
    ticket = file(make_user("requester", province_code="01"))

    assert ticket.assignee_id is not None
    assert "unstaffed" not in kinds(db, ticket)
    assert outbox("queue_unstaffed") == []


def test_members_who_cover_other_provinces_leave_the_supervisor_claim_true(
    db, make_user, queue, member
):
    """Nobody could take it, but a member exists: no admin mail; the supervisor named is the
    one mailed."""
    it = queue("moj-it")
    member(it, make_user("agent"), "79")
    lead = make_user("supervisor", email="lead@example.vn")
    it.supervisor_id = lead.id
    db.session.commit()
    ticket = file(make_user("requester", province_code="01"))

    event = db.session.scalar(
        select(Event).where(Event.ticket_id == ticket.id, Event.kind == "unassigned")
    )
    assert event.data["supervisor_id"] == lead.id
    assert [row.to for row in outbox("ticket_unassigned")] == [lead.email]
    assert outbox("queue_unstaffed") == []


@pytest.mark.parametrize("stage", ["warning", "breach"])
def test_a_deadline_in_an_unstaffed_queue_tells_the_admins(db, client, login, make_user, stage):
    admin = make_user("admin", email="admin@example.vn")
    ticket = file(make_user("requester", province_code="01"))
    due = ticket.first_response_due
    db.session.query(Outbox).delete()
    db.session.commit()

    at = due - timedelta(minutes=1) if stage == "warning" else due + timedelta(minutes=1)
    escalation.fire_timer(ticket.id, "first_response", stage, due, now=at)

    mailed = outbox("queue_unstaffed")
    assert [(row.to, row.context["why"]) for row in mailed] == [(admin.email, stage)]
    assert kinds(db, ticket)[-1] == "unstaffed"
    if stage == "breach":
        breach = db.session.scalar(
            select(Event).where(Event.ticket_id == ticket.id, Event.kind == "sla_breached")
        )
        assert breach.data["supervisor_id"] is None
    login(admin)
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert html.count(UNSTAFFED_SENTENCE.format(name=ticket.queue.name)) == 2


def test_with_no_admin_to_tell_the_history_does_not_claim_one_was(db, client, login, make_user):
    ticket = file(make_user("requester", province_code="01"))
    viewer = make_user("admin", email="")  # no address: nobody could be mailed before it came

    login(viewer)
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "chưa có người phụ trách; không báo được cho quản trị viên nào" in html
    assert "đã báo quản trị viên" not in html


def test_the_queue_pages_list_unstaffed_queues_for_admins_and_supervisors(
    db, client, login, make_user, queue, member
):
    it = queue("moj-it")
    member(it, make_user("agent"))
    admin = make_user("admin")
    login(admin)
    for url in ("/tickets/queue", "/admin/routing/queues"):
        html = client.get(url).get_data(as_text=True)
        assert 'data-testid="unstaffed"' in html, url
        assert "Hàng đợi chưa có người phụ trách" in html
        fpt = queue("moj-fpt")
        assert f'href="/admin/routing/queues/{fpt.id}/members">{fpt.name}</a>' in html
        section = html.split('data-testid="unstaffed"')[1].split("</div>")[0]
        assert it.name not in section


def test_an_agent_is_not_shown_the_unstaffed_queues(db, client, login, make_user, queue, member):
    agent = make_user("agent")
    member(queue("moj-it"), agent)
    login(agent)
    html = client.get("/tickets/queue").get_data(as_text=True)
    assert 'data-testid="unstaffed"' not in html
