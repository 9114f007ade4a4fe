"""Assignment inside a queue and the escalation path."""

from datetime import UTC, datetime

from sqlalchemy import select

from helpdesk.auth.models import Status as AccountStatus
from helpdesk.routing import services
from helpdesk.routing.models import Membership, Rule

EARLY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_agent_with_fewest_open_tickets_gets_the_ticket(db, queue, make_user, member, place_ticket):
    fpt = queue("moj-fpt")
    busy, free = make_user("agent"), make_user("agent")
    member(fpt, busy)
    member(fpt, free)
    place_ticket(fpt, assignee=busy)
    place_ticket(fpt, assignee=free, status="closed")  # closed work does not count
    place_ticket(fpt, assignee=free, status="resolved")
    assert services.choose_assignee(fpt.id, "01") == free.id


def test_open_tickets_in_other_queues_count_too(db, queue, make_user, member, place_ticket):
    fpt = queue("moj-fpt")
    elsewhere, idle = make_user("agent"), make_user("agent")
    member(fpt, elsewhere)
    member(fpt, idle)
    place_ticket(queue("moj-it"), assignee=elsewhere, status="waiting_requester")
    assert services.choose_assignee(fpt.id, "01") == idle.id


def test_tie_goes_to_the_never_assigned_then_the_longest_idle(db, queue, make_user, member):
    fpt = queue("moj-fpt")
    recent, earlier, never = make_user("agent"), make_user("agent"), make_user("agent")
    member(fpt, recent, last_assigned_at=LATE)
    member(fpt, earlier, last_assigned_at=EARLY)
    assert services.choose_assignee(fpt.id, "01") == earlier.id
    member(fpt, never)
    assert services.choose_assignee(fpt.id, "01") == never.id


def test_full_tie_goes_to_the_lowest_user_id(db, queue, make_user, member):
    fpt = queue("moj-fpt")
    first, second = make_user("agent"), make_user("agent")
    member(fpt, second, last_assigned_at=EARLY)
    member(fpt, first, last_assigned_at=EARLY)
    assert services.choose_assignee(fpt.id, "01") == min(first.id, second.id)


def test_only_members_covering_the_province_are_chosen(db, queue, make_user, member, place_ticket):
    fpt = queue("moj-fpt")
    hanoi, saigon = make_user("agent"), make_user("agent")
    member(fpt, hanoi, "01", "31")
    member(fpt, saigon, "79")
    place_ticket(fpt, assignee=hanoi)  # busier, but the only one covering 31
    assert services.choose_assignee(fpt.id, "31") == hanoi.id
    assert services.choose_assignee(fpt.id, "79") == saigon.id


def test_member_without_coverage_rows_covers_every_province(db, queue, make_user, member):
    fpt = queue("moj-fpt")
    everywhere = make_user("agent")
    member(fpt, everywhere)
    assert services.choose_assignee(fpt.id, "96") == everywhere.id


def test_nobody_covering_the_province_leaves_it_unassigned(db, queue, make_user, member):
    fpt = queue("moj-fpt")
    member(fpt, make_user("agent"), "79")
    assert services.choose_assignee(fpt.id, "01") is None


def test_unavailable_disabled_and_non_staff_members_are_skipped(db, queue, make_user, member):
    fpt = queue("moj-fpt")
    away, disabled, requester = make_user("agent"), make_user("agent"), make_user("requester")
    member(fpt, away, available=False)
    member(fpt, disabled)
    member(fpt, requester)
    disabled.status = AccountStatus.DISABLED
    db.session.commit()
    assert services.choose_assignee(fpt.id, "01") is None
    working = make_user("supervisor")
    member(fpt, working)
    assert services.choose_assignee(fpt.id, "01") == working.id


def test_queue_with_auto_assign_off_assigns_nobody(db, queue, make_user, member):
    fpt = queue("moj-fpt")
    member(fpt, make_user("agent"))
    fpt.auto_assign = False
    db.session.commit()
    assert services.choose_assignee(fpt.id, "01") is None


def test_choosing_costs_one_query_however_many_members(
    db, queue, make_user, member, place_ticket, count_queries
):
    fpt = queue("moj-fpt")
    for index in range(6):
        agent = make_user("agent")
        member(fpt, agent, *(("01", "79") if index % 2 else ()))
        place_ticket(fpt, assignee=agent)
    queue_id = fpt.id
    with count_queries() as statements:
        services.choose_assignee(queue_id, "79")
    assert len(statements) == 1


def test_stage_last_assigned_moves_the_member_to_the_back(db, queue, make_user, member):
    fpt, it = queue("moj-fpt"), queue("moj-it")
    first, second = make_user("agent"), make_user("agent")
    member(fpt, first)
    member(fpt, second)
    member(it, first)
    services.stage_last_assigned(fpt.id, first.id, LATE)
    db.session.commit()
    stamps = dict(
        db.session.execute(
            select(Membership.queue_id, Membership.last_assigned_at).where(
                Membership.user_id == first.id
            )
        ).all()
    )
    assert stamps == {fpt.id: LATE, it.id: None}
    assert services.choose_assignee(fpt.id, "01") == second.id


# ---------------------------------------------------------------- escalation


def test_escalation_follows_the_queue_path_to_its_end(db, queue):
    fpt, it, national = queue("moj-fpt"), queue("moj-it"), queue("national")
    assert services.escalation_target(fpt.id, None) == it.id
    assert services.escalation_target(it.id, None) == national.id
    assert services.escalation_target(national.id, None) is None


def test_rules_escalation_queue_applies_while_the_ticket_is_in_the_rules_queue(db, queue):
    coordinator, it = queue("province-01"), queue("moj-it")
    rule = Rule(
        queue_id=coordinator.id,
        system_code="moj",
        category_code="dossier",
        province_code="01",
        escalation_queue_id=it.id,
    )
    db.session.add(rule)
    db.session.commit()
    assert services.escalation_target(coordinator.id, rule.id) == it.id
    # Once escalated, the ticket follows the IT queue's own path.
    assert services.escalation_target(it.id, rule.id) == queue("national").id
    assert services.escalation_target(coordinator.id, None) is None


def test_inactive_escalation_queue_is_skipped(db, queue):
    fpt, it = queue("moj-fpt"), queue("moj-it")
    it.active = False
    db.session.commit()
    assert services.escalation_target(fpt.id, None) is None
