"""SLA target arithmetic: which policy applies, where a warning falls. Pure: no Flask, no DB."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BUSINESS_DAY_MINUTES = 8 * 60  # the README's "a business day is 8 h"


@dataclass(frozen=True)
class Candidate:
    """A policy as far as choosing one goes: its id and what it is narrowed to."""

    id: int
    system: str | None = None
    category: str | None = None

    @property
    def specificity(self) -> int:
        """system+category (3) > category (2) > system (1) > priority only (0)."""
        return (2 if self.category else 0) + (1 if self.system else 0)

    def matches(self, system: str | None, category: str | None) -> bool:
        return (self.system is None or self.system == system) and (
            self.category is None or self.category == category
        )


def choose(candidates: Iterable[Candidate], system: str | None, category: str | None) -> int | None:
    """The id of the most specific candidate matching the system and category; ties go to the
    lower id (the older policy); None when none matches."""
    matching = [c for c in candidates if c.matches(system, category)]
    if not matching:
        return None
    return min(matching, key=lambda c: (-c.specificity, c.id)).id


def warning_after(target: int, percent: int) -> int:
    """Business minutes from a clock's start to its warning: `percent` of the target, floored.

    A percent outside 1..99 (a policy that never warns early) gives the target itself.
    """
    if target <= 0 or not 0 < percent < 100:
        return max(target, 0)
    return target * percent // 100


def warning_lead(target: int, percent: int) -> int:
    """Business minutes left on the clock when the warning fires."""
    return max(target, 0) - warning_after(target, percent)


def split_minutes(minutes: int) -> tuple[int, int, int]:
    """|minutes| as (business days of 8 h, hours, minutes), for display."""
    minutes = abs(minutes)
    days, rest = divmod(minutes, BUSINESS_DAY_MINUTES)
    hours, minutes = divmod(rest, 60)
    return days, hours, minutes
