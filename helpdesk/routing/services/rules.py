"""Routing rules as an admin edits them: list with filters, create, change, delete."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from helpdesk import errors
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db
from helpdesk.routing import engine
from helpdesk.routing.models import Queue, Rule

RANKS = range(0, 100_001)
DEFAULT_RANK = 100


@dataclass(frozen=True)
class RuleDraft:
    """A rule as the admin form, the CSV import or a script describes it (None: any)."""

    queue_id: int
    name: str = ""
    system_code: str | None = None
    category_code: str | None = None
    province_code: str | None = None
    priority: int | None = None
    rank: int = DEFAULT_RANK
    priority_override: int | None = None
    escalation_queue_id: int | None = None
    active: bool = True

    @property
    def conditions_key(self) -> tuple:
        return (self.system_code, self.category_code, self.province_code, self.priority)


@dataclass(frozen=True)
class RuleFilter:
    """The rules list's filters; None: not filtered."""

    system_code: str | None = None
    category_code: str | None = None
    province_code: str | None = None
    queue_id: int | None = None
    active: bool | None = None


def rules_query(actor: User, filters: RuleFilter | None = None) -> Select:
    """The rules matching the filters, each with its queues, most general first."""
    permissions.require(actor, "admin.configure")
    filters = filters or RuleFilter()
    query = select(Rule).options(joinedload(Rule.queue), joinedload(Rule.escalation_queue))
    exact = {
        Rule.system_code: filters.system_code,
        Rule.category_code: filters.category_code,
        Rule.province_code: filters.province_code,
        Rule.queue_id: filters.queue_id,
        Rule.active: filters.active,
    }
    for column, value in exact.items():
        if value is not None:
            query = query.where(column == value)
    return query.order_by(
        Rule.system_code.asc().nulls_first(),
        Rule.category_code.asc().nulls_first(),
        Rule.province_code.asc().nulls_first(),
        Rule.priority.asc().nulls_first(),
        Rule.rank,
        Rule.id,
    )


def get_rule(actor: User, rule_id: int) -> Rule:
    permissions.require(actor, "admin.configure")
    rule = db.session.get(Rule, rule_id)
    if rule is None:
        raise errors.NotFound(_("No such rule."))
    return rule


def check_rule(draft: RuleDraft) -> RuleDraft:
    """Refuse a rule that names unknown codes or queues or has an impossible value.

    Raises errors.Invalid naming the field (form names: system, category, province, priority,
    queue, rank, priority_override, escalation_queue, name).
    """
    if len(draft.name.strip()) > 200:
        raise errors.Invalid(_("At most %(n)d characters.", n=200), "name")
    lookups = (
        (System, draft.system_code, "system", _("Choose a system from the list.")),
        (Category, draft.category_code, "category", _("Choose a category from the list.")),
        (Province, draft.province_code, "province", _("Choose a province from the list.")),
    )
    for model, code, field, message in lookups:
        if code is not None and db.session.get(model, code) is None:
            raise errors.Invalid(message, field)
    try:
        engine.validate_rule(
            engine.Rule(
                id=0,
                queue_id=draft.queue_id,
                priority=draft.priority,
                province=draft.province_code,
                priority_override=draft.priority_override,
            )
        )
    except engine.RuleError as error:
        raise errors.Invalid(
            _("The priority is 1 (critical) to 4 (low), or empty."), error.field
        ) from error
    if draft.rank not in RANKS:
        raise errors.Invalid(_("A whole number from 0 to 100000."), "rank")
    if draft.queue_id is None or db.session.get(Queue, draft.queue_id) is None:
        raise errors.Invalid(_("Choose a queue from the list."), "queue")
    if draft.escalation_queue_id is not None:
        if db.session.get(Queue, draft.escalation_queue_id) is None:
            raise errors.Invalid(_("Choose a queue from the list."), "escalation_queue")
        if draft.escalation_queue_id == draft.queue_id:
            raise errors.Invalid(
                _("The escalation queue must differ from the rule's queue."), "escalation_queue"
            )
    return draft


def find_same_conditions(draft: RuleDraft, *, except_id: int | None = None) -> Rule | None:
    """The rule with exactly these conditions, if any (conditions identify a rule)."""
    query = select(Rule)
    for column, value in zip(
        (Rule.system_code, Rule.category_code, Rule.province_code, Rule.priority),
        draft.conditions_key,
        strict=True,
    ):
        query = query.where(column.is_(None) if value is None else column == value)
    if except_id is not None:
        query = query.where(Rule.id != except_id)
    return db.session.scalars(query.limit(1)).first()


def apply_draft(rule: Rule, draft: RuleDraft) -> bool:
    """Copy the draft onto the rule; whether anything changed."""
    values = {
        "name": draft.name.strip(),
        "system_code": draft.system_code,
        "category_code": draft.category_code,
        "province_code": draft.province_code,
        "priority": draft.priority,
        "queue_id": draft.queue_id,
        "rank": draft.rank,
        "priority_override": draft.priority_override,
        "escalation_queue_id": draft.escalation_queue_id,
        "active": draft.active,
    }
    changed = False
    for column, value in values.items():
        if getattr(rule, column) != value:
            setattr(rule, column, value)
            changed = True
    return changed


def save_rule(actor: User, draft: RuleDraft, *, rule_id: int | None = None) -> Rule:
    """Create a rule (rule_id None) or change one. Commits.

    Raises errors.Invalid naming the field, errors.Conflict when another rule has exactly
    the same conditions (it would only shadow or be shadowed by this one).
    """
    permissions.require(actor, "admin.configure")
    rule = get_rule(actor, rule_id) if rule_id is not None else Rule()
    check_rule(draft)
    twin = find_same_conditions(draft, except_id=rule_id)
    if twin is not None:
        raise errors.Conflict(
            _(
                "Rule %(id)d already has exactly these conditions; change that one instead.",
                id=twin.id,
            )
        )
    apply_draft(rule, draft)
    if rule_id is None:
        db.session.add(rule)
    db.session.commit()
    return rule


def delete_rule(actor: User, rule_id: int) -> None:
    """Delete the rule; tickets it routed keep their queue. Commits."""
    db.session.delete(get_rule(actor, rule_id))
    db.session.commit()
