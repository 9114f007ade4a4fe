"""A filed ticket escalated along its routing path, and routed again when its facts change:
each hop and each decision is an event with its reason."""

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk import errors
from helpdesk.tickets import services as tickets

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def file(make_user, *, category="payment", province="79"):
    requester = make_user("requester", province_code=province)
    draft = tickets.TicketDraft(
        system="moj",
        category=category,
        province=province,
        subject="Lỗi kết nối",
        description="Không đồng bộ được hồ sơ.",
    )
    return tickets.create_ticket(requester, draft, now=NOW)


def test_escalation_walks_the_path_to_its_end_and_records_every_hop(db, queue, make_user):
    admin = make_user("admin")
    ticket = file(make_user)
    for step, reason in enumerate(("Quá hạn phản hồi", "Nhà cung cấp chưa xử lý"), start=1):
        tickets.escalate(admin, ticket, reason=reason, now=NOW + timedelta(hours=step))
    with pytest.raises(errors.Invalid):
        tickets.escalate(admin, ticket, reason="again", now=NOW + timedelta(hours=3))
    hops = [
        (event.data["from_queue_id"], event.data["to_queue_id"], event.data["reason"])
        for event in ticket.events
        if event.kind == "escalated"
    ]
    fpt, it, national = (queue(code).id for code in ("moj-fpt", "moj-it", "national"))
    assert hops == [
        (fpt, it, "Quá hạn phản hồi"),
        (it, national, "Nhà cung cấp chưa xử lý"),
    ]


def test_rules_escalation_queue_is_the_first_hop(db, queue, make_user):
    from helpdesk.routing.models import Rule

    db.session.add(
        Rule(
            queue_id=queue("province-79").id,
            system_code="moj",
            category_code="dossier",
            province_code="79",
            escalation_queue_id=queue("moj-it").id,
        )
    )
    db.session.commit()
    ticket = file(make_user, category="dossier")
    assert ticket.queue_id == queue("province-79").id
    tickets.escalate(make_user("admin"), ticket, reason="Cần Bộ hỗ trợ", now=NOW)
    assert ticket.queue_id == queue("moj-it").id


def test_changing_the_category_routes_the_ticket_again_with_its_reason(
    db, queue, make_user, member
):
    it_agent = make_user("agent")
    member(queue("moj-it"), it_agent, "79")
    ticket = file(make_user)
    assert ticket.queue_id == queue("moj-fpt").id
    tickets.change_facts(
        make_user("admin"),
        ticket,
        system="moj",
        category="account",
        province="79",
        now=NOW + timedelta(hours=1),
    )
    routed = [event.data for event in ticket.events if event.kind == "routed"]
    assert [data["queue_id"] for data in routed] == [queue("moj-fpt").id, queue("moj-it").id]
    assert "category=account" in routed[-1]["reason"]
    assert (ticket.queue_id, ticket.assignee_id) == (queue("moj-it").id, it_agent.id)
