"""A request's instants in the business calendar (Vietnamese working days and hours, the SLA's
default calendar): its due time, and the mornings its reminders go out."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from helpdesk.sla import clock
from helpdesk.sla import services as sla

REMINDER_WORKING_DAYS = 3  # the first reminder: this many working days before the due date
# Far enough back to find three working days before any date, Tết's week off included.
LOOKBACK_DAYS = 30


class Reminder(enum.StrEnum):
    """A reminder of a request's unanswered ticket (part of its outbox key)."""

    BEFORE = "before"  # three working days before the due date, in the morning
    DUE = "due"  # on the due date, in the morning


def calendar() -> clock.Calendar:
    return sla.calendar_for(None)


def at_local(day: date, moment, working: clock.Calendar) -> datetime:
    return datetime.combine(day, moment, tzinfo=ZoneInfo(working.timezone)).astimezone(UTC)


def due_instant(due_on: date, working: clock.Calendar | None = None) -> datetime:
    """The end of the due date's working hours (17:00 local by default), in UTC: the day's
    closing time even when the day is not a working one."""
    working = working or calendar()
    return at_local(due_on, working.hours[-1][1], working)


def morning_of(day: date, working: clock.Calendar) -> datetime:
    """The start of the day's working hours (07:30 local by default), in UTC."""
    return at_local(day, working.hours[0][0], working)


def working_days_before(day: date, count: int, working: clock.Calendar) -> date:
    """The working day `count` working days before `day` (not counting `day` itself)."""
    found = day
    for _step in range(LOOKBACK_DAYS):
        found -= timedelta(days=1)
        if clock.is_working_day(found, working):
            count -= 1
            if count == 0:
                return found
    return found


def reminder_instants(due_on: date, working: clock.Calendar | None = None) -> dict[str, datetime]:
    """When each reminder of a request due on that date goes out (UTC)."""
    working = working or calendar()
    before = working_days_before(due_on, REMINDER_WORKING_DAYS, working)
    return {Reminder.BEFORE: morning_of(before, working), Reminder.DUE: morning_of(due_on, working)}


def reminder_due(
    due_on: date, due_at: datetime, created_at: datetime, now: datetime
) -> Reminder | None:
    """The reminder a request's unanswered tickets are owed at `now`: the one whose morning has
    come (the later one once its morning has come), while the request is not yet late; none
    whose morning came before the request was sent (its new-ticket mail said as much)."""
    if now >= due_at:
        return None
    instants = reminder_instants(due_on)
    for reminder in (Reminder.DUE, Reminder.BEFORE):
        if instants[reminder] <= now:
            return reminder if created_at < instants[reminder] else None
    return None
