"""Policies and calendars as the clock needs them: chosen, built once per app context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from flask import current_app, g
from sqlalchemy import or_, select

from helpdesk.extensions import db
from helpdesk.sla import clock, targets
from helpdesk.sla.models import Calendar, Policy, TimerKind
from helpdesk.tickets.models import Ticket

DEFAULT_CALENDAR = "default"


@dataclass(frozen=True)
class Targets:
    """A policy's numbers and calendar, as plain values (cached for a request or a job)."""

    policy_id: int
    first_response_minutes: int
    resolution_minutes: int
    warning_percent: int
    calendar: clock.Calendar
    notify_supervisor: bool
    raise_priority: bool
    transfer_to_next_queue: bool

    def minutes(self, kind: str) -> int:
        if kind == TimerKind.FIRST_RESPONSE:
            return self.first_response_minutes
        return self.resolution_minutes

    def lead(self, kind: str) -> int:
        """Business minutes left on that clock when its warning fires."""
        return targets.warning_lead(self.minutes(kind), self.warning_percent)


def _cache() -> dict:
    """Per app context (a request, a job, a CLI command): calendars and policy targets."""
    if "sla_cache" not in g:
        g.sla_cache = {"calendars": {}, "targets": {}}
    return g.sla_cache


def forget_cached() -> None:
    """Drop this app context's cached calendars and policies (after an admin changes one)."""
    g.pop("sla_cache", None)


def to_clock(row: Calendar) -> clock.Calendar:
    """The pure clock's calendar for a Calendar row and its days off / make-up working days."""
    return clock.Calendar(
        name=row.name,
        timezone=row.timezone,
        hours=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in row.hours),
        workdays=frozenset(int(day) for day in row.workdays),
        days_off=frozenset(day.day for day in row.days if not day.working),
        workdays_extra=frozenset(day.day for day in row.days if day.working),
        public_holidays=row.public_holidays,
    )


def builtin_calendar() -> clock.Calendar:
    """The README's default calendar, for a database where `seed` has not run yet."""
    return clock.Calendar(name=DEFAULT_CALENDAR, timezone=current_app.config["HELPDESK_TIMEZONE"])


def find_calendar(name: str) -> Calendar | None:
    return db.session.scalar(select(Calendar).where(Calendar.name == name))


def named_calendar(name: str) -> clock.Calendar | None:
    """The calendar of that name (the built-in default before `seed`); None if unknown."""
    row = find_calendar(name)
    if row is not None:
        return to_clock(row)
    return builtin_calendar() if name == DEFAULT_CALENDAR else None


def calendar_for(policy: Policy | None) -> clock.Calendar:
    """The business calendar of a policy (the "default" calendar for None).

    Built from the rows once per app context; forget_cached() drops it after an admin's change.
    """
    cache = _cache()["calendars"]
    key = policy.calendar_id if policy is not None else DEFAULT_CALENDAR
    if key not in cache:
        row = policy.calendar if policy is not None else find_calendar(DEFAULT_CALENDAR)
        cache[key] = to_clock(row) if row is not None else builtin_calendar()
    return cache[key]


def find_policy(priority: int, system_code: str | None, category_code: str | None) -> Policy | None:
    """The active policy for a priority, the most specific for the system and category:
    system+category > category > system > priority only; ties go to the older policy."""
    rows = db.session.scalars(
        select(Policy).where(
            Policy.active,
            Policy.priority == priority,
            or_(Policy.system_code.is_(None), Policy.system_code == system_code),
            or_(Policy.category_code.is_(None), Policy.category_code == category_code),
        )
    ).all()
    candidates = [targets.Candidate(p.id, p.system_code, p.category_code) for p in rows]
    chosen = targets.choose(candidates, system_code, category_code)
    return next((p for p in rows if p.id == chosen), None)


def targets_of(policy: Policy) -> Targets:
    return Targets(
        policy_id=policy.id,
        first_response_minutes=policy.first_response_minutes,
        resolution_minutes=policy.resolution_minutes,
        warning_percent=policy.warning_percent,
        calendar=calendar_for(policy),
        notify_supervisor=policy.notify_supervisor,
        raise_priority=policy.raise_priority,
        transfer_to_next_queue=policy.transfer_to_next_queue,
    )


def targets_for(policy_id: int | None) -> Targets | None:
    """The targets of a ticket's policy, loaded once per app context (no query per row)."""
    if policy_id is None:
        return None
    cache = _cache()["targets"]
    if not cache:
        cache.update({p.id: targets_of(p) for p in db.session.scalars(select(Policy))})
    if policy_id not in cache:
        policy = db.session.get(Policy, policy_id)
        if policy is None:
            return None
        cache[policy_id] = targets_of(policy)
    return cache[policy_id]


def ticket_calendar(ticket: Ticket) -> clock.Calendar:
    found = targets_for(ticket.sla_policy_id)
    return found.calendar if found is not None else calendar_for(None)
