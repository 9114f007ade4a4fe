"""The rules of a ticket's deadlines, on plain values: which policy applies, when each clock is
due, and how a public reply, a status or a priority moves them.

A ticket's SLA columns travel as `Clocks`; each rule returns the new values and reads or writes
no row: helpdesk.tickets.services.deadlines reads a ticket into Clocks, applies a rule and writes
back what changed. What the status means to the clocks is its `Phase`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, replace
from datetime import datetime

from helpdesk.sla import clock
from helpdesk.sla.models import TimerKind, TimerStage
from helpdesk.sla.services.calendars import (
    Targets,
    calendar_for,
    find_policy,
    policy_calendar,
    targets_for,
    targets_of,
)

KINDS = (TimerKind.FIRST_RESPONSE, TimerKind.RESOLUTION)


class Phase(enum.StrEnum):
    """What a ticket's status means to its clocks."""

    RUNNING = "running"  # open: both clocks count
    WAITING = "waiting"  # waiting on the requester: the resolution clock pauses
    DONE = "done"  # resolved or closed: both clocks are met


@dataclass(frozen=True)
class Clocks:
    """A ticket's SLA columns as plain values, named as the ticket's columns, and the phase of
    its status."""

    phase: Phase
    sla_policy_id: int | None = None
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None
    first_responded_at: datetime | None = None
    sla_paused_at: datetime | None = None
    sla_remaining_minutes: int | None = None
    first_response_warned_at: datetime | None = None
    resolution_warned_at: datetime | None = None
    first_response_breached_at: datetime | None = None
    resolution_breached_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.phase != Phase.DONE


# The ticket columns a Clocks carries: every field but the phase.
COLUMNS = tuple(field.name for field in fields(Clocks) if field.name != "phase")


def deadline(clocks: Clocks, kind: str) -> datetime | None:
    return clocks.first_response_due if kind == TimerKind.FIRST_RESPONSE else clocks.resolution_due


def marker(clocks: Clocks, kind: str, stage: str) -> datetime | None:
    return getattr(clocks, marker_name(kind, stage))


def marker_name(kind: str, stage: str) -> str:
    """The column that records a clock's warning or breach (`resolution_breached_at`)."""
    return f"{kind}_{'warned' if stage == TimerStage.WARNING else 'breached'}_at"


def is_running(clocks: Clocks, kind: str) -> bool:
    """Whether that clock counts now: the ticket is open, the deadline set, not met or paused."""
    if not clocks.open:
        return False
    if kind == TimerKind.FIRST_RESPONSE:
        return clocks.first_responded_at is None and clocks.first_response_due is not None
    return clocks.sla_paused_at is None and clocks.resolution_due is not None


def _with_deadline(clocks: Clocks, kind: str, due: datetime | None) -> Clocks:
    """A new deadline means a new warning point: the warned marker goes with the old one."""
    if deadline(clocks, kind) == due:
        return clocks
    return replace(clocks, **{f"{kind}_due": due, marker_name(kind, TimerStage.WARNING): None})


def set_deadlines(
    clocks: Clocks,
    now: datetime,
    *,
    priority: int,
    system_code: str | None,
    category_code: str | None,
) -> Clocks:
    """Choose the policy for these facts and set the first-response and resolution deadlines
    from `now`: the first response only while nobody has answered; a breached deadline stays
    as it is; a paused resolution clock stays paused with the new policy's full target."""
    policy = find_policy(priority, system_code, category_code)
    clocks = replace(clocks, sla_policy_id=policy.id if policy is not None else None)
    found = targets_of(policy) if policy is not None else None
    if not clocks.open:
        return clocks
    if clocks.first_responded_at is None and clocks.first_response_breached_at is None:
        due = _add(now, found, TimerKind.FIRST_RESPONSE)
        clocks = _with_deadline(clocks, TimerKind.FIRST_RESPONSE, due)
    if clocks.resolution_breached_at is None:
        if clocks.sla_paused_at is not None:
            left = found.resolution_minutes if found else None
            clocks = replace(clocks, sla_remaining_minutes=left)
        else:
            due = _add(now, found, TimerKind.RESOLUTION)
            clocks = _with_deadline(clocks, TimerKind.RESOLUTION, due)
    return clocks


def _add(now: datetime, found: Targets | None, kind: str) -> datetime | None:
    return clock.add(now, found.minutes(kind), found.calendar) if found is not None else None


def on_public_agent_reply(clocks: Clocks, now: datetime) -> Clocks:
    """The first public agent reply meets the first response; one after the deadline is
    recorded as breached even if no timer has fired yet."""
    if clocks.first_responded_at is not None:
        return clocks
    return _mark_late(replace(clocks, first_responded_at=now), TimerKind.FIRST_RESPONSE, now)


def _mark_late(clocks: Clocks, kind: str, now: datetime) -> Clocks:
    due = deadline(clocks, kind)
    breached = marker_name(kind, TimerStage.BREACH)
    if due is not None and due <= now and getattr(clocks, breached) is None:
        return replace(clocks, **{breached: due})
    return clocks


def on_status_change(clocks: Clocks, old: Phase, new: Phase, now: datetime) -> Clocks:
    """Pause, resume, meet or reopen the clocks as the status goes from one phase to another
    (the caller asks only when the status changed).

    Waiting on the requester pauses the resolution clock; leaving it resumes; resolved or
    closed meets both clocks; going back to an open status resumes with what was left.
    """
    was_open, now_open = old != Phase.DONE, new != Phase.DONE
    if was_open and now_open:
        if new == Phase.WAITING:
            return _pause(clocks, now)
        if old == Phase.WAITING:
            return _resume(clocks, now)
        return clocks
    if was_open:
        return _meet(clocks, now)
    if now_open:
        clocks = _reopen(clocks, now)
        return _pause(clocks, now) if new == Phase.WAITING else clocks
    return clocks


def _pause(clocks: Clocks, now: datetime) -> Clocks:
    due = clocks.resolution_due
    if clocks.sla_paused_at is not None or due is None or clocks.resolution_breached_at:
        return clocks
    if due <= now:
        return clocks  # overdue: a pause does not stop the breach
    left = clock.remaining(now, due, policy_calendar(clocks.sla_policy_id))
    return replace(clocks, sla_remaining_minutes=left, sla_paused_at=now, resolution_due=None)


def _resume(clocks: Clocks, now: datetime) -> Clocks:
    if clocks.sla_paused_at is None:
        return clocks
    left = max(clocks.sla_remaining_minutes or 0, 0)
    due = clock.add(now, left, policy_calendar(clocks.sla_policy_id))
    return replace(clocks, resolution_due=due, sla_paused_at=None, sla_remaining_minutes=None)


def _meet(clocks: Clocks, now: datetime) -> Clocks:
    if clocks.first_responded_at is None:
        clocks = _mark_late(clocks, TimerKind.FIRST_RESPONSE, now)
    if clocks.sla_paused_at is not None:
        # Resolved while waiting: the paused remainder is kept.
        return replace(clocks, sla_paused_at=None)
    if clocks.resolution_due is not None:
        clocks = _mark_late(clocks, TimerKind.RESOLUTION, now)
        calendar = policy_calendar(clocks.sla_policy_id)
        left = clock.remaining(now, clocks.resolution_due, calendar)
        return replace(clocks, sla_remaining_minutes=left)
    return clocks


def _reopen(clocks: Clocks, now: datetime) -> Clocks:
    """Resume the resolution clock with what was left (never less than zero: a ticket resolved
    late is due at once); a ticket nobody answered gets a fresh first-response deadline."""
    found = targets_for(clocks.sla_policy_id)
    calendar = found.calendar if found is not None else calendar_for(None)
    left = clocks.sla_remaining_minutes
    if left is None and found is not None:
        left = found.resolution_minutes
    if left is not None:
        clocks = replace(clocks, resolution_due=clock.add(now, max(left, 0), calendar))
    clocks = replace(clocks, sla_remaining_minutes=None, sla_paused_at=None)
    if (
        clocks.first_responded_at is None
        and clocks.first_response_breached_at is None
        and found is not None
    ):
        due = clock.add(now, found.first_response_minutes, calendar)
        clocks = _with_deadline(clocks, TimerKind.FIRST_RESPONSE, due)
    return clocks
