"""Policies and calendars as the clock needs them: read once per reference stamp, kept in memory."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import time

from flask import current_app
from sqlalchemy import or_, select

from helpdesk import reference_cache
from helpdesk.extensions import db
from helpdesk.sla import clock, targets
from helpdesk.sla.models import Calendar, CalendarDay, Policy, TimerKind

DEFAULT_CALENDAR = "default"


@dataclass(frozen=True)
class Targets:
    """A policy's numbers and calendar, as plain values (kept in process memory)."""

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


@dataclass(frozen=True, slots=True)
class CachedPolicy:
    """A policy as the cache keeps it: its columns as plain values, no relationships."""

    id: int
    name: str
    priority: int
    system_code: str | None
    category_code: str | None
    first_response_minutes: int
    resolution_minutes: int
    warning_percent: int
    calendar_id: int
    notify_supervisor: bool
    raise_priority: bool
    transfer_to_next_queue: bool
    active: bool


@dataclass(frozen=True)
class SlaReference:
    """Every policy, calendar and target, as read under one reference stamp."""

    policies: tuple[CachedPolicy, ...]
    calendars: dict[int, clock.Calendar]  # by calendar id
    calendar_ids: dict[str, int]  # by name
    targets: dict[int, Targets]  # by policy id


def _load() -> SlaReference:
    policy_columns = [Policy.__table__.c[column.name] for column in fields(CachedPolicy)]
    policies = tuple(
        CachedPolicy(*row)
        for row in db.session.execute(select(*policy_columns).order_by(Policy.id))
    )
    days: dict[int, list] = {}
    for calendar_id, day, working in db.session.execute(
        select(CalendarDay.calendar_id, CalendarDay.day, CalendarDay.working)
    ):
        days.setdefault(calendar_id, []).append((day, working))
    calendars, calendar_ids = {}, {}
    for row in db.session.execute(
        select(
            Calendar.id,
            Calendar.name,
            Calendar.timezone,
            Calendar.hours,
            Calendar.workdays,
            Calendar.public_holidays,
        )
    ):
        calendars[row.id] = _clock_calendar(row, days.get(row.id, ()))
        calendar_ids[row.name] = row.id
    targets = {
        policy.id: _targets(policy, calendars.get(policy.calendar_id) or builtin_calendar())
        for policy in policies
    }
    return SlaReference(policies, calendars, calendar_ids, targets)


_reference = reference_cache.register("sla.reference", _load)


def reference() -> SlaReference:
    """Policies, calendars and targets from process memory (three queries after a change)."""
    return _reference()


def forget_cached() -> None:
    """Read the reference stamp again at the next use in this app context.

    Not needed after a change through the session: the change itself moves the stamp.
    """
    reference_cache.forget()


def _clock_calendar(row, days) -> clock.Calendar:
    return clock.Calendar(
        name=row.name,
        timezone=row.timezone,
        hours=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in row.hours),
        workdays=frozenset(int(day) for day in row.workdays),
        days_off=frozenset(day for day, working in days if not working),
        workdays_extra=frozenset(day for day, working in days if working),
        public_holidays=row.public_holidays,
    )


def to_clock(row: Calendar) -> clock.Calendar:
    """The pure clock's calendar for a Calendar row and its days off / make-up working days."""
    return _clock_calendar(row, [(day.day, day.working) for day in row.days])


def builtin_calendar() -> clock.Calendar:
    """The README's default calendar, for a database where `seed` has not run yet."""
    return clock.Calendar(name=DEFAULT_CALENDAR, timezone=current_app.config["HELPDESK_TIMEZONE"])


def find_calendar(name: str) -> Calendar | None:
    """The Calendar row of that name, from the database (for changing it)."""
    return db.session.scalar(select(Calendar).where(Calendar.name == name))


def named_calendar(name: str) -> clock.Calendar | None:
    """The calendar of that name (the built-in default before `seed`); None if unknown."""
    cached = reference()
    if name in cached.calendar_ids:
        return cached.calendars[cached.calendar_ids[name]]
    return builtin_calendar() if name == DEFAULT_CALENDAR else None


def calendar_for(policy: Policy | CachedPolicy | None) -> clock.Calendar:
    """The business calendar of a policy (the "default" calendar for None), from memory."""
    if policy is None:
        return named_calendar(DEFAULT_CALENDAR)
    found = reference().calendars.get(policy.calendar_id)
    if found is not None:
        return found
    # A calendar added in this very transaction, before the flush that moves the stamp.
    row = db.session.get(Calendar, policy.calendar_id)
    return to_clock(row) if row is not None else builtin_calendar()


def find_policy(
    priority: int, system_code: str | None, category_code: str | None
) -> CachedPolicy | None:
    """The active policy for a priority, the most specific for the system and category:
    system+category > category > system > priority only; ties go to the older policy."""
    rows = [
        p
        for p in reference().policies
        if p.active
        and p.priority == priority
        and p.system_code in (None, system_code)
        and p.category_code in (None, category_code)
    ]
    candidates = [targets.Candidate(p.id, p.system_code, p.category_code) for p in rows]
    chosen = targets.choose(candidates, system_code, category_code)
    return next((p for p in rows if p.id == chosen), None)


def _targets(policy: Policy | CachedPolicy, calendar: clock.Calendar) -> Targets:
    return Targets(
        policy_id=policy.id,
        first_response_minutes=policy.first_response_minutes,
        resolution_minutes=policy.resolution_minutes,
        warning_percent=policy.warning_percent,
        calendar=calendar,
        notify_supervisor=policy.notify_supervisor,
        raise_priority=policy.raise_priority,
        transfer_to_next_queue=policy.transfer_to_next_queue,
    )


def targets_of(policy: Policy | CachedPolicy) -> Targets:
    """The targets of a policy: the cached ones for a cached policy, else built from the row."""
    if isinstance(policy, CachedPolicy) and policy.id in reference().targets:
        return reference().targets[policy.id]
    return _targets(policy, calendar_for(policy))


def targets_for(policy_id: int | None) -> Targets | None:
    """The targets of a ticket's policy, from process memory (no query per row)."""
    if policy_id is None:
        return None
    found = reference().targets.get(policy_id)
    if found is not None:
        return found
    policy = db.session.get(Policy, policy_id)  # added in this transaction, not flushed yet
    return targets_of(policy) if policy is not None else None


def policy_calendar(policy_id: int | None) -> clock.Calendar:
    """The calendar a ticket's clocks count in: its policy's (the default one without)."""
    found = targets_for(policy_id)
    return found.calendar if found is not None else calendar_for(None)


def escalating_policies() -> set[int]:
    """The policies with escalation steps beyond telling the supervisor (from the database)."""
    return set(
        db.session.scalars(
            select(Policy.id).where(or_(Policy.raise_priority, Policy.transfer_to_next_queue))
        )
    )
