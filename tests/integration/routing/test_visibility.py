"""Tickets filed through the tickets service land where routing predicts and are seen by the
agents covering their province, the queue's supervisor and admins, and nobody else."""

from datetime import UTC, datetime

from sqlalchemy import select

from helpdesk.routing import services
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import TicketDraft, create_ticket
from helpdesk.tickets.services.visibility import staff_visibility_check as ticket_visibility_check
from helpdesk.tickets.services.visibility import staff_visibility_clause as ticket_visibility_clause

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # a Tuesday, 09:00 in Hà Nội


def file(make_user, *, system="moj", category="payment", province="79") -> Ticket:
    requester = make_user("requester", province_code=province)
    draft = TicketDraft(
        system=system,
        category=category,
        province=province,
        subject="Tiền chưa về tài khoản",
        description="Hồ sơ 000.00.79.H29 đã thanh toán nhưng chưa nhận tiền.",
        unit="UBND phường Bến Nghé",
    )
    return create_ticket(requester, draft, now=NOW)


def visible_numbers(db, user) -> set[str]:
    query = select(Ticket.number).where(ticket_visibility_clause(user))
    return set(db.session.scalars(query))


def test_filed_ticket_lands_in_the_predicted_queue_assigned_to_a_covering_agent(
    db, queue, make_user, member
):
    fpt = queue("moj-fpt")
    saigon, hanoi = make_user("agent"), make_user("agent")
    member(fpt, hanoi, "01")
    member(fpt, saigon, "79", "80")
    predicted = services.explain_route(services.check_facts("moj", "payment", "79", 3))

    ticket = file(make_user)

    assert ticket.queue_id == predicted.decision.queue_id == fpt.id
    assert ticket.routing_rule_id == predicted.decision.rule_id
    assert ticket.assignee_id == predicted.assignee.id == saigon.id
    routed = [event for event in ticket.events if event.kind == "routed"]
    assert routed[0].data["reason"] == predicted.decision.reason


def test_agent_of_another_province_does_not_see_the_ticket(db, queue, make_user, member):
    fpt = queue("moj-fpt")
    saigon, hanoi = make_user("agent"), make_user("agent")
    member(fpt, hanoi, "01")
    member(fpt, saigon, "79")
    ticket = file(make_user)
    assert ticket.number in visible_numbers(db, saigon)
    assert ticket.number not in visible_numbers(db, hanoi)


def test_agent_covering_all_provinces_sees_every_ticket_of_the_queue(db, queue, make_user, member):
    everywhere = make_user("agent")
    member(queue("moj-fpt"), everywhere)
    ticket = file(make_user, province="96")
    assert ticket.number in visible_numbers(db, everywhere)


def test_agent_of_another_queue_does_not_see_the_ticket(db, queue, make_user, member):
    it_agent = make_user("agent")
    member(queue("moj-it"), it_agent, "79")
    ticket = file(make_user)
    assert ticket.number not in visible_numbers(db, it_agent)


def test_queue_supervisor_sees_the_whole_queue(db, queue, make_user, member):
    fpt = queue("moj-fpt")
    lead = make_user("supervisor")
    member(fpt, lead, "01")  # a narrow membership does not narrow supervision
    fpt.supervisor_id = lead.id
    db.session.commit()
    ticket = file(make_user, province="79")
    assert ticket.number in visible_numbers(db, lead)


def test_admin_sees_everything_and_requesters_nothing_through_routing(db, make_user):
    ticket = file(make_user)
    assert ticket.number in visible_numbers(db, make_user("admin"))
    assert visible_numbers(db, ticket.requester) == set()


def test_assignee_sees_a_ticket_outside_their_coverage(db, queue, make_user, member, place_ticket):
    agent = make_user("agent")
    member(queue("moj-fpt"), agent, "01")
    ticket = place_ticket(queue("moj-it"), "79", assignee=agent)
    assert ticket.number in visible_numbers(db, agent)


def test_visibility_clause_costs_one_query(db, queue, make_user, member, count_queries):
    agent = make_user("agent")
    member(queue("moj-fpt"), agent, "01", "79")
    member(queue("moj-it"), agent)
    member(queue("moha-vnpt"), agent, "01", "79")
    queue("province-79").supervisor_id = agent.id
    db.session.commit()
    db.session.refresh(agent)  # loaded now, not inside the count
    with count_queries() as statements:
        ticket_visibility_clause(agent)
    assert len(statements) == 1


def test_covered_provinces_maps_each_queue_to_its_provinces_or_all(db, queue, make_user, member):
    agent = make_user("agent")
    member(queue("moj-fpt"), agent, "01", "79")
    member(queue("moj-it"), agent)
    queue("province-79").supervisor_id = agent.id
    db.session.commit()
    assert services.covered_provinces(agent) == {
        queue("moj-fpt").id: {"01", "79"},
        queue("moj-it").id: None,
        queue("province-79").id: None,
    }
    assert services.visible_queue_ids(agent) == {
        queue(code).id for code in ("moj-fpt", "moj-it", "province-79")
    }
    assert services.visible_queue_ids(make_user("admin")) is None


def test_queue_picker_lists_the_queues_an_agent_works_or_supervises(db, queue, make_user, member):
    agent = make_user("agent")
    member(queue("moj-fpt"), agent, "01")
    queue("province-01").supervisor_id = agent.id
    db.session.commit()
    assert {q.code for q in services.queues_for_user(agent)} == {"moj-fpt", "province-01"}
    assert services.queues_for_user(make_user("requester")) == []


def test_the_one_ticket_check_sees_what_the_clause_sees(
    db, queue, make_user, member, place_ticket, count_queries
):
    fpt, it, hcm = queue("moj-fpt"), queue("moj-it"), queue("province-79")
    narrow, wide, lead, idle = (
        make_user(role) for role in ("agent", "agent", "supervisor", "agent")
    )
    member(fpt, narrow, "01", "79")
    member(it, wide)
    member(fpt, lead, "01")
    hcm.supervisor_id = lead.id
    idle.status = "disabled"
    member(it, idle)
    db.session.commit()
    tickets = [
        place_ticket(q, province, assignee=assignee)
        for q in (fpt, it, hcm)
        for province in ("01", "79", "96")
        for assignee in (None, narrow)
    ]
    numbers = {t.number for t in tickets}
    for user in (narrow, wide, lead, idle, make_user("admin"), make_user("observer")):
        by_clause = visible_numbers(db, user) & numbers
        with count_queries() as statements:
            check = ticket_visibility_check(user)
        assert statements == []
        by_check = set(db.session.scalars(select(Ticket.number).where(check))) & numbers
        assert by_check == by_clause, user.role
    assert visible_numbers(db, narrow) & numbers  # the comparison is not between empty sets


def test_a_membership_covering_no_province_shows_only_what_is_assigned(
    db, queue, make_user, place_ticket
):
    """Neither provinces listed nor all provinces: nothing of the queue, never everything."""
    from helpdesk.routing.models import Membership
    from helpdesk.tickets.services.visibility import visibility_branches

    fpt = queue("moj-fpt")
    agent = make_user("agent")
    db.session.add(Membership(queue_id=fpt.id, user_id=agent.id))
    db.session.commit()
    mine = place_ticket(fpt, "79", assignee=agent)
    others = [place_ticket(fpt, province) for province in ("01", "79")]
    numbers = {mine.number} | {t.number for t in others}

    by_check = set(db.session.scalars(select(Ticket.number).where(ticket_visibility_check(agent))))
    by_branches = {
        number
        for branch in visibility_branches(agent)
        for number in db.session.scalars(select(Ticket.number).where(branch))
    }

    assert visible_numbers(db, agent) & numbers == {mine.number}
    assert by_check & numbers == {mine.number}
    assert by_branches & numbers == {mine.number}
    assert services.covered_provinces(agent) == {}
    assert services.queues_for_user(agent) == []
    assert services.choose_assignee(fpt.id, "79") is None


def test_all_provinces_is_what_makes_a_membership_cover_every_province(
    db, queue, make_user, member, place_ticket
):
    fpt = queue("moj-fpt")
    agent = make_user("agent")
    membership = member(fpt, agent)  # none listed: the fixture states all_provinces
    ticket = place_ticket(fpt, "96")
    assert membership.all_provinces and membership.covers("96")
    assert ticket.number in visible_numbers(db, agent)
    assert services.choose_assignee(fpt.id, "96") == agent.id
