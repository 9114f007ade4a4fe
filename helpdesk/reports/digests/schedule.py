"""When the digests go and what they cover, in local dates and times: a week (Monday to Sunday)
is sent the Monday after at 07:30, a calendar month on the first working day of the next month
at 07:30. Pure: the working days come as a function (the SLA calendar's, with the Vietnamese
holidays and Tết)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

WEEK = "week"
MONTH = "month"
KINDS = (WEEK, MONTH)
SEND_TIME = time(7, 30)
# The first working day of a month comes within its first weeks (Tết takes at most about ten
# days); past this day of the month no monthly digest is due and no calendar is read.
LATEST_MONTHLY_DAY = 20

WorkingDays = Callable[[date], bool]


@dataclass(frozen=True)
class Period:
    """The local dates [start, end) a digest covers."""

    kind: str
    start: date
    end: date  # the day after its last

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same kind just before, for what changed."""
        return period_of(self.kind, self.start - timedelta(days=1))


def period_of(kind: str, day: date) -> Period:
    """The week (from its Monday) or calendar month holding `day`; ValueError for another kind."""
    if kind == WEEK:
        monday = day - timedelta(days=day.weekday())
        return Period(WEEK, monday, monday + timedelta(days=7))
    if kind == MONTH:
        first = day.replace(day=1)
        return Period(MONTH, first, date(first.year + first.month // 12, first.month % 12 + 1, 1))
    raise ValueError(f"no digest period {kind!r}")


def last_completed(kind: str, today: date) -> Period:
    """The latest period of that kind that ended before `today` began."""
    return period_of(kind, today).previous()


def send_day(period: Period, is_working: WorkingDays) -> date:
    """The day a period's digests go: the Monday after a week; the first working day after a
    month (its first day, should the calendar have none in the weeks after)."""
    if period.kind == WEEK:
        return period.end
    day = period.end
    while day.day <= LATEST_MONTHLY_DAY:
        if is_working(day):
            return day
        day += timedelta(days=1)
    return period.end


def due(kind: str, now: datetime, is_working: WorkingDays) -> Period | None:
    """The period whose digests are due at `now` (a local, aware instant): the last completed
    one, from 07:30 of its send day until that day ends; None otherwise (a missed day is not
    made up: `flask reports digest` sends a period by hand)."""
    today = now.date()
    if kind == WEEK and today.weekday() != 0:
        return None
    if kind == MONTH and today.day > LATEST_MONTHLY_DAY:
        return None
    period = last_completed(kind, today)
    if send_day(period, is_working) != today or now.time() < SEND_TIME:
        return None
    return period
