"""Choose the queue for a ticket. Pure: no Flask, no database, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CONDITIONS = ("system", "category", "province", "priority")
PRIORITIES = range(1, 5)  # 1 critical .. 4 low
NO_MATCH_REASON = "no rule matched; default queue of the system"


class RuleError(ValueError):
    """A rule that cannot be stored; `field` names the offending attribute."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Facts:
    system: str
    category: str
    province: str
    priority: int


@dataclass(frozen=True)
class Rule:
    id: int
    queue_id: int
    system: str | None = None
    category: str | None = None
    province: str | None = None
    priority: int | None = None
    rank: int = 100
    priority_override: int | None = None
    name: str = ""

    @property
    def conditions(self) -> dict[str, str | int | None]:
        """The conditions in display order; None means "any"."""
        return {field: getattr(self, field) for field in CONDITIONS}

    @property
    def specificity(self) -> int:
        """How many conditions are set."""
        return sum(value is not None for value in self.conditions.values())

    def matches(self, facts: Facts) -> bool:
        """Whether every set condition equals the fact of the same name."""
        return all(
            value is None or value == getattr(facts, field)
            for field, value in self.conditions.items()
        )

    def describe(self) -> str:
        """English reason: "rule 7 (system=moj, category=payment, province=any, priority=any)".

        The override, if any, follows as "; priority set to 1". A UI that translates renders
        `conditions` itself instead.
        """
        shown = ", ".join(
            f"{field}={'any' if value is None else value}"
            for field, value in self.conditions.items()
        )
        text = f"rule {self.id} ({shown})"
        if self.priority_override is not None:
            text += f"; priority set to {self.priority_override}"
        return text


@dataclass(frozen=True)
class Decision:
    queue_id: int
    rule_id: int | None
    reason: str
    priority: int


def validate_rule(rule: Rule) -> Rule:
    """Return the rule unchanged. Raises RuleError naming the first bad field."""
    for field in ("priority", "priority_override"):
        value = getattr(rule, field)
        if value is not None and not _is_priority(value):
            raise RuleError(field, f"must be 1 to 4 or empty, not {value!r}")
    if rule.province is not None and not _is_province(rule.province):
        raise RuleError("province", f"must be a two-digit code or empty, not {rule.province!r}")
    return rule


def route(facts: Facts, rules: Sequence[Rule], default_queue_id: int) -> Decision:
    """The most specific matching rule wins; ties go to the lower rank, then the lower id."""
    return explain(facts, rules, default_queue_id)[0]


def explain(
    facts: Facts, rules: Sequence[Rule], default_queue_id: int
) -> tuple[Decision, list[Rule]]:
    """The decision, and every matching rule in winning order (the winner first)."""
    matching = sorted((rule for rule in rules if rule.matches(facts)), key=_winning_order)
    if not matching:
        return Decision(default_queue_id, None, NO_MATCH_REASON, facts.priority), []
    best = matching[0]
    priority = facts.priority if best.priority_override is None else best.priority_override
    return Decision(best.queue_id, best.id, best.describe(), priority), matching


def _winning_order(rule: Rule) -> tuple:
    # Ids are unique in the database; the trailing fields only keep the answer independent
    # of the rules' order should two rules ever share an id.
    return (
        -rule.specificity,
        rule.rank,
        rule.id,
        rule.queue_id,
        _none_first(rule.priority_override),
        *(_none_first(value) for value in rule.conditions.values()),
    )


def _none_first(value: str | int | None) -> tuple:
    return () if value is None else (value,)


def _is_province(value: object) -> bool:
    # str.isdigit() alone accepts non-ASCII digits such as "٠١".
    return isinstance(value, str) and len(value) == 2 and value.isascii() and value.isdigit()


def _is_priority(value: object) -> bool:
    # bool is an int and 1.0 == 1; neither is a priority.
    return type(value) is int and value in PRIORITIES
