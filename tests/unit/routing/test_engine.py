"""The routing engine: edge-case tables, hypothesis properties and its imports."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpdesk.routing import engine
from helpdesk.routing.engine import Decision, Facts, Rule, RuleError, explain, route, validate_rule

DEFAULT = 999
MOJ_PAYMENT = Facts(system="moj", category="payment", province="01", priority=3)


# --- tables -------------------------------------------------------------------------------


def test_more_specific_rule_wins():
    # The broad rule has the better rank and the lower id; specificity still comes first.
    broad = Rule(id=1, queue_id=10, system="moj", rank=1)
    narrow = Rule(id=2, queue_id=20, system="moj", category="payment", rank=500)
    assert route(MOJ_PAYMENT, [broad, narrow], DEFAULT).queue_id == 20


def test_equally_specific_rules_tie_break_on_lower_rank():
    first = Rule(id=1, queue_id=10, system="moj", rank=50)
    second = Rule(id=2, queue_id=20, category="payment", rank=5)
    decision = route(MOJ_PAYMENT, [first, second], DEFAULT)
    assert (decision.queue_id, decision.rule_id) == (20, 2)


def test_equal_rank_ties_break_on_lower_id():
    later = Rule(id=8, queue_id=80, system="moj", rank=5)
    earlier = Rule(id=3, queue_id=30, province="01", rank=5)
    decision = route(MOJ_PAYMENT, [later, earlier], DEFAULT)
    assert (decision.queue_id, decision.rule_id) == (30, 3)


def test_no_match_falls_back_to_default_queue():
    rules = [Rule(id=1, queue_id=10, system="moha"), Rule(id=2, queue_id=20, province="79")]
    assert route(MOJ_PAYMENT, rules, DEFAULT) == Decision(
        queue_id=DEFAULT,
        rule_id=None,
        reason="no rule matched; default queue of the system",
        priority=3,
    )


def test_no_rules_falls_back_to_default_queue():
    assert route(MOJ_PAYMENT, [], DEFAULT).queue_id == DEFAULT


@pytest.mark.parametrize(
    "facts",
    [
        MOJ_PAYMENT,
        Facts(system="moha", category="account", province="79", priority=1),
        Facts(system="mof", category="other", province="75", priority=4),
    ],
)
def test_none_conditions_match_anything(facts):
    catch_all = Rule(id=1, queue_id=10)
    assert catch_all.matches(facts)
    assert route(facts, [catch_all], DEFAULT).rule_id == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("system", "moha"), ("category", "account"), ("province", "79"), ("priority", 1)],
)
def test_a_set_condition_must_equal_the_fact(field, value):
    assert not Rule(id=1, queue_id=10, **{field: value}).matches(MOJ_PAYMENT)


@pytest.mark.parametrize(("facts_priority", "matches"), [(1, True), (2, False), (4, False)])
def test_priority_condition(facts_priority, matches):
    critical_only = Rule(id=1, queue_id=10, priority=1)
    facts = Facts(system="moj", category="payment", province="01", priority=facts_priority)
    assert critical_only.matches(facts) is matches
    assert route(facts, [critical_only], DEFAULT).queue_id == (10 if matches else DEFAULT)


def test_priority_override_applied():
    raise_to_critical = Rule(id=1, queue_id=10, category="payment", priority_override=1)
    assert route(MOJ_PAYMENT, [raise_to_critical], DEFAULT).priority == 1


def test_without_override_the_facts_priority_is_kept():
    assert route(MOJ_PAYMENT, [Rule(id=1, queue_id=10)], DEFAULT).priority == 3


def test_only_the_winners_override_applies():
    loser = Rule(id=1, queue_id=10, priority_override=1)
    winner = Rule(id=2, queue_id=20, system="moj")
    assert route(MOJ_PAYMENT, [loser, winner], DEFAULT).priority == 3


def test_explain_lists_matching_rules_in_winning_order():
    broad = Rule(id=1, queue_id=10)
    late_tie = Rule(id=9, queue_id=90, system="moj", rank=7)
    early_tie = Rule(id=4, queue_id=40, province="01", rank=7)
    better_rank = Rule(id=12, queue_id=120, category="payment", rank=3)
    narrow = Rule(id=30, queue_id=300, system="moj", category="payment")
    elsewhere = Rule(id=2, queue_id=20, system="moha", category="payment")
    rules = [broad, late_tie, elsewhere, narrow, early_tie, better_rank]
    decision, matching = explain(MOJ_PAYMENT, rules, DEFAULT)
    assert matching == [narrow, better_rank, early_tie, late_tie, broad]
    assert decision == route(MOJ_PAYMENT, rules, DEFAULT)


def test_explain_without_match_lists_nothing():
    decision, matching = explain(MOJ_PAYMENT, [Rule(id=1, queue_id=10, system="mof")], DEFAULT)
    assert (decision.queue_id, matching) == (DEFAULT, [])


def test_describe_mentions_the_conditions():
    rule = Rule(id=7, queue_id=10, system="moj", category="payment")
    assert rule.describe() == "rule 7 (system=moj, category=payment, province=any, priority=any)"


def test_describe_mentions_the_priority_override():
    rule = Rule(id=7, queue_id=10, province="79", priority=2, priority_override=1)
    assert rule.describe() == (
        "rule 7 (system=any, category=any, province=79, priority=2); priority set to 1"
    )


def test_decision_reason_is_the_winners_description():
    rule = Rule(id=7, queue_id=10, system="moj")
    assert route(MOJ_PAYMENT, [rule], DEFAULT).reason == rule.describe()


def test_conditions_are_exposed_for_display():
    rule = Rule(id=7, queue_id=10, category="payment", priority=1, rank=3, name="Payments")
    assert rule.conditions == {
        "system": None,
        "category": "payment",
        "province": None,
        "priority": 1,
    }


@pytest.mark.parametrize(
    ("conditions", "specificity"),
    [
        ({}, 0),
        ({"province": "01"}, 1),
        ({"system": "moj", "priority": 2}, 2),
        ({"system": "moj", "category": "payment", "province": "01", "priority": 2}, 4),
    ],
)
def test_specificity_counts_set_conditions(conditions, specificity):
    assert Rule(id=1, queue_id=10, rank=1, priority_override=1, **conditions).specificity == (
        specificity
    )


@pytest.mark.parametrize(
    "rule",
    [
        Rule(id=1, queue_id=10),
        Rule(id=1, queue_id=10, province="79", priority=1, priority_override=4),
        Rule(id=1, queue_id=10, priority=4, priority_override=1),
    ],
)
def test_validate_rule_accepts_a_good_rule(rule):
    assert validate_rule(rule) is rule


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"priority": 0}, "priority"),
        ({"priority": 5}, "priority"),
        ({"priority": True}, "priority"),
        ({"priority": 1.0}, "priority"),
        ({"priority_override": 0}, "priority_override"),
        ({"priority_override": 5}, "priority_override"),
        ({"province": "1"}, "province"),
        ({"province": "001"}, "province"),
        ({"province": "ab"}, "province"),
        ({"province": "٠١"}, "province"),  # Arabic-Indic digits are digits, not ASCII
        ({"province": ""}, "province"),
        ({"province": 1}, "province"),
    ],
)
def test_validate_rule_names_the_bad_field(changes, field):
    with pytest.raises(RuleError) as raised:
        validate_rule(Rule(id=1, queue_id=10, **changes))
    assert raised.value.field == field
    assert isinstance(raised.value, ValueError)


def test_shared_ids_do_not_make_the_answer_depend_on_order():
    # Ids are unique in the database; even if they were not, order must not matter.
    first = Rule(id=5, queue_id=10, system="moj")
    second = Rule(id=5, queue_id=20, system="moj")
    assert route(MOJ_PAYMENT, [first, second], DEFAULT) == route(
        MOJ_PAYMENT, [second, first], DEFAULT
    )


# --- properties ---------------------------------------------------------------------------

SYSTEMS = ("moj", "moha", "mof")
CATEGORIES = ("payment", "account", "other")
PROVINCES = ("01", "79", "75")
PRIORITY = st.integers(1, 4)
# The engine is fast; a busy CI machine must not turn a slow example into a failure.
property_settings = settings(deadline=None)

facts_st = st.builds(
    Facts,
    system=st.sampled_from(SYSTEMS),
    category=st.sampled_from(CATEGORIES),
    province=st.sampled_from(PROVINCES),
    priority=PRIORITY,
)


def rule_st(rule_id: int) -> st.SearchStrategy[Rule]:
    # Few queues and ranks, so ties on specificity and rank are common.
    return st.builds(
        Rule,
        id=st.just(rule_id),
        queue_id=st.integers(1, 5),
        system=st.none() | st.sampled_from(SYSTEMS),
        category=st.none() | st.sampled_from(CATEGORIES),
        province=st.none() | st.sampled_from(PROVINCES),
        priority=st.none() | PRIORITY,
        rank=st.integers(0, 3),
        priority_override=st.none() | PRIORITY,
    )


def satisfies(rule: Rule, facts: Facts) -> bool:
    """The oracle for Rule.matches, written out independently."""
    return (
        rule.system in (None, facts.system)
        and rule.category in (None, facts.category)
        and rule.province in (None, facts.province)
        and rule.priority in (None, facts.priority)
    )


@st.composite
def rules_st(draw, max_size: int = 12) -> list[Rule]:
    ids = draw(st.lists(st.integers(1, 100), unique=True, max_size=max_size))
    return [draw(rule_st(rule_id)) for rule_id in ids]


@property_settings
@given(facts=facts_st, rules=rules_st())
def test_route_is_total(facts, rules):
    decision = route(facts, rules, DEFAULT)
    if decision.rule_id is None:
        assert decision.queue_id == DEFAULT
        assert decision.priority == facts.priority
        assert not any(satisfies(rule, facts) for rule in rules)
    else:
        (winner,) = [rule for rule in rules if rule.id == decision.rule_id]
        assert decision.queue_id == winner.queue_id


@property_settings
@given(facts=facts_st, rules=rules_st())
def test_route_is_deterministic(facts, rules):
    assert route(facts, rules, DEFAULT) == route(facts, list(rules), DEFAULT)
    assert route(facts, tuple(rules), DEFAULT) == explain(facts, rules, DEFAULT)[0]


@property_settings
@given(facts=facts_st, rules=rules_st(), data=st.data())
def test_route_does_not_depend_on_rule_order(facts, rules, data):
    # The reversal swaps every pair of tied rules; the permutation explores the rest.
    for reordered in (rules[::-1], data.draw(st.permutations(rules))):
        assert route(facts, reordered, DEFAULT) == route(facts, rules, DEFAULT)
        assert explain(facts, reordered, DEFAULT) == explain(facts, rules, DEFAULT)


@property_settings
@given(facts=facts_st, rules=rules_st())
def test_winner_matches_the_facts(facts, rules):
    decision = route(facts, rules, DEFAULT)
    assume(decision.rule_id is not None)
    (winner,) = [rule for rule in rules if rule.id == decision.rule_id]
    assert satisfies(winner, facts)
    expected_priority = (
        facts.priority if winner.priority_override is None else winner.priority_override
    )
    assert (decision.reason, decision.priority) == (winner.describe(), expected_priority)


@property_settings
@given(facts=facts_st, rules=rules_st())
def test_winner_is_a_most_specific_matching_rule(facts, rules):
    decision, matching = explain(facts, rules, DEFAULT)
    assert sorted(rule.id for rule in matching) == sorted(
        rule.id for rule in rules if satisfies(rule, facts)
    )
    assume(matching)
    assert matching[0].id == decision.rule_id
    assert matching[0].specificity == max(rule.specificity for rule in matching)
    keys = [(-rule.specificity, rule.rank, rule.id) for rule in matching]
    assert keys == sorted(keys)


@property_settings
@given(facts=facts_st, rules=rules_st(), data=st.data())
def test_a_strictly_more_specific_matching_rule_beats_the_winner(facts, rules, data):
    before, _ = explain(facts, rules, DEFAULT)
    winners = [rule for rule in rules if rule.id == before.rule_id]
    beaten = winners[0].specificity if winners else -1
    assume(beaten < len(engine.CONDITIONS))
    size = data.draw(st.integers(max(beaten + 1, 1), len(engine.CONDITIONS)))
    fields = data.draw(st.permutations(engine.CONDITIONS))[:size]
    newcomer = Rule(
        id=max((rule.id for rule in rules), default=0) + 1,  # the worst id
        queue_id=data.draw(st.integers(1, 5)),
        rank=data.draw(st.integers(0, 1000)),
        **{field: getattr(facts, field) for field in fields},
    )
    after, matching = explain(facts, [*rules, newcomer], DEFAULT)
    (winner,) = [rule for rule in matching if rule.id == after.rule_id]
    assert winner.specificity >= newcomer.specificity > beaten
    if all(rule.specificity < newcomer.specificity for rule in rules if satisfies(rule, facts)):
        assert after.rule_id == newcomer.id
