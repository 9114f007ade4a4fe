"""Decisions from the rules in the database: specificity, defaults, inactive rules, overrides."""

import pytest
from sqlalchemy import delete

from helpdesk import errors
from helpdesk.routing import services
from helpdesk.routing.engine import Facts
from helpdesk.routing.models import Rule, SystemDefault


def facts(system="moj", category="payment", province="01", priority=3) -> Facts:
    return Facts(system=system, category=category, province=province, priority=priority)


def add_rule(db, queue, **conditions) -> Rule:
    rule = Rule(queue_id=queue.id, **conditions)
    db.session.add(rule)
    db.session.commit()
    return rule


def test_technical_category_of_a_vendor_system_goes_to_the_vendor(db, queue):
    decision = services.decide(facts("moj", "payment"))
    assert decision.queue_id == queue("moj-fpt").id
    assert decision.rule_id is not None
    assert decision.reason.startswith(f"rule {decision.rule_id} (system=moj, category=payment")


def test_accounts_go_to_the_ministry_it_queue_by_a_rule(db, queue):
    decision = services.decide(facts("moha", "account"))
    assert decision.queue_id == queue("moha-it").id
    assert "category=account" in decision.reason


def test_system_without_vendor_falls_back_to_its_default_queue(db, queue):
    decision = services.decide(facts("mps", "payment"))
    assert (decision.queue_id, decision.rule_id) == (queue("mps-it").id, None)
    assert decision.reason == "no rule matched; default queue of the system"


def test_province_rule_beats_the_seeded_category_rule_only_in_its_province(db, queue):
    rule = add_rule(
        db, queue("province-79"), system_code="moj", category_code="payment", province_code="79"
    )
    assert services.decide(facts(province="79")).rule_id == rule.id
    assert services.decide(facts(province="79")).queue_id == queue("province-79").id
    assert services.decide(facts(province="01")).queue_id == queue("moj-fpt").id


def test_inactive_rule_is_ignored(db, queue):
    add_rule(
        db,
        queue("province-01"),
        system_code="moj",
        category_code="payment",
        province_code="01",
        active=False,
    )
    assert services.decide(facts()).queue_id == queue("moj-fpt").id


def test_rule_into_an_inactive_queue_is_ignored(db, queue):
    target = queue("province-01")
    add_rule(db, target, system_code="moj", province_code="01", category_code="payment")
    target.active = False
    db.session.commit()
    assert services.decide(facts()).queue_id == queue("moj-fpt").id


def test_priority_override_sets_the_decided_priority(db, queue):
    add_rule(
        db,
        queue("moj-fpt"),
        system_code="moj",
        category_code="system_error",
        priority=3,
        priority_override=1,
    )
    assert services.decide(facts(category="system_error", priority=3)).priority == 1
    assert services.decide(facts(category="system_error", priority=4)).priority == 4


def test_explain_lists_matching_rules_in_winning_order(db, queue):
    narrow = add_rule(
        db, queue("province-79"), system_code="moj", category_code="payment", province_code="79"
    )
    broad = add_rule(db, queue("province-01"), province_code="79")
    decision, matching = services.explain(facts(province="79"))
    ids = [rule.id for rule in matching]
    assert ids[0] == narrow.id == decision.rule_id
    assert ids[-1] == broad.id
    assert len(ids) == 3  # the seeded moj/payment rule sits between them


def test_system_without_default_queue_is_refused_naming_the_system(db):
    db.session.execute(delete(SystemDefault).where(SystemDefault.system_code == "mps"))
    db.session.commit()
    with pytest.raises(errors.Invalid) as caught:
        services.decide(facts("mps", "other"))
    assert caught.value.field == "system"


def test_decide_reads_the_rules_once_then_only_the_stamp_however_many_rules_exist(
    app, db, queue, count_queries
):
    for province in ("01", "79", "48", "31", "92"):
        add_rule(
            db,
            queue(f"province-{province}"),
            system_code="moj",
            category_code="payment",
            province_code=province,
        )
    with count_queries() as first:
        services.decide(facts(province="48"))
        services.decide(facts(province="79"))
    with app.app_context(), count_queries() as later:  # the next request
        decision = services.decide(facts(province="48"))

    assert len(first) == 3  # the reference stamp, the rules, the default queues
    assert len(later) == 1
    assert "reference_stamp" in later[0]
    assert decision.queue_id == queue("province-48").id


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (("nope", "payment", "01", 3), "system"),
        (("moj", "nope", "01", 3), "category"),
        (("moj", "payment", "1", 3), "province"),
        (("moj", "payment", "01", 5), "priority"),
        (("moj", "payment", "01", "x"), "priority"),
    ],
)
def test_check_facts_names_the_unknown_code(db, values, field):
    with pytest.raises(errors.Invalid) as caught:
        services.check_facts(*values)
    assert caught.value.field == field


def test_explain_route_names_queues_assignee_and_escalation(db, queue, make_user, member):
    agent = make_user("agent", province_code="01")
    member(queue("moj-fpt"), agent, "01")
    explanation = services.explain_route(services.check_facts("moj", "payment", "01", "2"))
    assert explanation.queue.code == "moj-fpt"
    assert explanation.assignee.id == agent.id
    assert explanation.escalation_queue.code == "moj-it"
    assert explanation.queues[explanation.default_queue_id].code == "moj-it"
    assert not explanation.nobody_covers
