"""Routing decisions: the rules in the database turned into the engine's values, and back."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors, reference_cache
from helpdesk.auth.models import User
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.routing import engine
from helpdesk.routing.models import Queue, Rule, SystemDefault
from helpdesk.routing.services.assignment import choose_assignee, escalation_target

RULE_COLUMNS = (
    Rule.id,
    Rule.queue_id,
    Rule.system_code,
    Rule.category_code,
    Rule.province_code,
    Rule.priority,
    Rule.rank,
    Rule.priority_override,
    Rule.name,
)


def _as_engine_rules(rows) -> list[engine.Rule]:
    return [
        engine.Rule(
            id=row.id,
            queue_id=row.queue_id,
            system=row.system_code,
            category=row.category_code,
            province=row.province_code,
            priority=row.priority,
            rank=row.rank,
            priority_override=row.priority_override,
            name=row.name,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class RuleSet:
    """What `decide` needs, read once per stamp: the active rules of active queues by system
    (None: rules for any system) and each system's default queue."""

    by_system: dict[str | None, tuple[engine.Rule, ...]]
    defaults: dict[str, int]


def _load_rule_set() -> RuleSet:
    # A rule pointing at a deactivated queue is ignored like an inactive rule: tickets never
    # land in a queue nobody works.
    rows = db.session.execute(
        select(*RULE_COLUMNS)
        .join(Queue, Queue.id == Rule.queue_id)
        .where(Rule.active, Queue.active)
        .order_by(Rule.id)
    )
    by_system: dict[str | None, list[engine.Rule]] = {}
    for rule in _as_engine_rules(rows):
        by_system.setdefault(rule.system, []).append(rule)
    defaults = dict(
        db.session.execute(select(SystemDefault.system_code, SystemDefault.queue_id)).all()
    )
    return RuleSet({key: tuple(rules) for key, rules in by_system.items()}, defaults)


_rule_set = reference_cache.register("routing.rule_set", _load_rule_set)


def _load_rules_by_id() -> dict[int, engine.Rule]:
    rows = db.session.execute(select(*RULE_COLUMNS).order_by(Rule.id))
    return {rule.id: rule for rule in _as_engine_rules(rows)}


_rules_by_id = reference_cache.register("routing.rules_by_id", _load_rules_by_id)


def rules_by_id() -> dict[int, engine.Rule]:
    """Every rule, inactive ones too, by id (to name the rule that routed a ticket); from
    process memory (one query after a change)."""
    return _rules_by_id()


def rule_set() -> RuleSet:
    """The routing rules and defaults, from process memory (two queries after a change)."""
    return _rule_set()


def rules_for(system_code: str) -> list[engine.Rule]:
    """The active rules that could match a ticket of this system, as the engine's values."""
    rules = rule_set().by_system
    return sorted([*rules.get(system_code, ()), *rules.get(None, ())], key=lambda r: r.id)


def candidate_rules(facts: engine.Facts) -> list[engine.Rule]:
    """The active rules whose every condition could match these facts (no query once cached).

    Narrowed by each condition ("equal or any"), as the engine will; the engine still decides.
    """
    return [rule for rule in rules_for(facts.system) if rule.matches(facts)]


def default_queue_id(system_code: str) -> int:
    """The queue catching the system's tickets no rule matches; errors.Invalid (system) if none."""
    queue_id = rule_set().defaults.get(system_code)
    if queue_id is None:
        raise errors.Invalid(_("No queue handles this system yet."), "system")
    return queue_id


def decide(facts: engine.Facts) -> engine.Decision:
    """The queue for a ticket with these facts, the rule that matched and why (no query once
    the rules are cached, but the stamp's first read in a request or job).

    Raises errors.Invalid (field `system`) when the system has no default queue.
    """
    return engine.route(facts, candidate_rules(facts), default_queue_id(facts.system))


def explain(facts: engine.Facts) -> tuple[engine.Decision, list[engine.Rule]]:
    """The decision and every matching rule in winning order (the winner first)."""
    return engine.explain(facts, candidate_rules(facts), default_queue_id(facts.system))


def check_facts(system: str, category: str, province: str, priority: int | str) -> engine.Facts:
    """Facts from codes typed by a person (tester, CLI); errors.Invalid names the unknown one."""
    system, category, province = (str(v or "").strip() for v in (system, category, province))
    if not system or catalogue.find_system(system) is None:
        raise errors.Invalid(_("Unknown system %(code)r.", code=system), "system")
    if not category or catalogue.find_category(category) is None:
        raise errors.Invalid(_("Unknown category %(code)r.", code=category), "category")
    if not province or catalogue.find_province(province) is None:
        raise errors.Invalid(_("Unknown province %(code)r.", code=province), "province")
    try:
        level = int(str(priority).strip())
    except ValueError:
        level = 0
    if level not in engine.PRIORITIES:
        raise errors.Invalid(_("The priority is 1 (critical) to 4 (low)."), "priority")
    return engine.Facts(system=system, category=category, province=province, priority=level)


@dataclass(frozen=True)
class Explanation:
    """What the "which queue?" tester shows: the decision, its rules and what would follow."""

    facts: engine.Facts
    decision: engine.Decision
    matching: list[engine.Rule]  # winning order: the winner first
    queues: dict[int, Queue]  # every queue named by the decision and the matching rules
    default_queue_id: int
    assignee: User | None  # who auto-assignment would pick now
    escalation_queue: Queue | None  # the next queue if the ticket is escalated

    @property
    def queue(self) -> Queue:
        return self.queues[self.decision.queue_id]

    @property
    def winner(self) -> engine.Rule | None:
        return self.matching[0] if self.matching else None

    @property
    def nobody_covers(self) -> bool:
        """Auto-assignment is on but no available member covers the province."""
        return self.queue.auto_assign and self.assignee is None


def explain_route(facts: engine.Facts) -> Explanation:
    """Explain where a ticket with these facts goes, to whom and where it escalates (no writes)."""
    decision, matching = explain(facts)
    default_id = default_queue_id(facts.system)
    escalation_id = escalation_target(decision.queue_id, decision.rule_id, system_code=facts.system)
    ids = {decision.queue_id, default_id, *(rule.queue_id for rule in matching)}
    if escalation_id is not None:
        ids.add(escalation_id)
    queues = {q.id: q for q in db.session.scalars(select(Queue).where(Queue.id.in_(ids)))}
    assignee_id = choose_assignee(decision.queue_id, facts.province)
    return Explanation(
        facts=facts,
        decision=decision,
        matching=matching,
        queues=queues,
        default_queue_id=default_id,
        assignee=db.session.get(User, assignee_id) if assignee_id else None,
        escalation_queue=queues.get(escalation_id) if escalation_id else None,
    )
