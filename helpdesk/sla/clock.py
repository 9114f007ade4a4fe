"""The business-hours clock: working calendars and deadlines counted in business minutes."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)


class ClockError(ValueError):
    """A calendar or an argument the clock cannot work with."""


@dataclass(frozen=True)
class Calendar:
    """When a unit works: periods of each working day, its working weekdays and exceptions.

    A day works when it is in workdays_extra; otherwise not when it is in days_off or
    (with public_holidays) a Vietnamese public holiday; otherwise when it is a make-up
    working day announced in the holidays package or its weekday is in workdays.
    Periods are half-open, [start, end), in the calendar's local time.
    """

    name: str = "default"
    timezone: str = "Asia/Ho_Chi_Minh"
    hours: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    days_off: frozenset[date] = frozenset()
    workdays_extra: frozenset[date] = frozenset()
    public_holidays: bool = True

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ClockError(f"unknown time zone {self.timezone!r}") from error
        hours = tuple(tuple(period) for period in self.hours)
        if not hours:
            raise ClockError("a calendar needs at least one working period")
        for period in hours:
            if len(period) != 2 or not all(
                isinstance(moment, time) and moment.tzinfo is None for moment in period
            ):
                raise ClockError(f"a working period is two naive times, not {period!r}")
            if period[0] >= period[1]:
                raise ClockError(f"working period {period!r} ends before it starts")
        for earlier, later in zip(hours, hours[1:], strict=False):
            if later[0] < earlier[1]:
                raise ClockError(
                    f"working periods {earlier!r} and {later!r} overlap or are unsorted"
                )
        workdays = frozenset(self.workdays)
        # Without a weekly working day the clock could walk forever looking for one.
        if not workdays or not all(
            isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6 for day in workdays
        ):
            raise ClockError("workdays is a non-empty set of weekdays 0 (Monday) to 6")
        days_off = frozenset(self.days_off)
        workdays_extra = frozenset(self.workdays_extra)
        for day in days_off | workdays_extra:
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ClockError(f"days_off and workdays_extra hold dates, not {day!r}")
        if days_off & workdays_extra:
            raise ClockError(f"days both off and worked: {sorted(days_off & workdays_extra)}")
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "workdays", workdays)
        object.__setattr__(self, "days_off", days_off)
        object.__setattr__(self, "workdays_extra", workdays_extra)


# What holidays 0.108 gives for "VN" (default: public category, observed=True):
# - fixed days: 1 Jan, 30 Apr, 1 May, 2 Sep plus a day next to it (since 2021),
#   24 Nov "Vietnam Cultural Day" (since 2026); Hung Kings' day (10/3 lunar);
# - Tết: lunar new year's eve and days 1-4 (2027: 5-10 Feb);
# - observed days ("nghỉ bù"): a holiday on a weekend moves to a working day
#   (2026-04-27 for Hung Kings' day on Sunday 26 Apr; Tết days get extra "29 Tết"/"mùng 5"
#   days, e.g. 2027-02-04 and 2027-02-10);
# - substituted days from government announcements: the day off is a holiday
#   (2025-05-02, 2026-08-31) and the Saturday worked for it is in `weekend_workdays`
#   (2025-04-26, 2026-08-22), which we count as a working day.
# Years without an announcement yet have no substitutions: admins add them as
# days_off / workdays_extra.
@lru_cache(maxsize=64)
def _public_calendar(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """The Vietnamese public holidays and make-up working days that fall in `year`."""
    # Neighbouring years too: an announcement filed under one year may move a day in the next.
    vn = holidays.country_holidays("VN", years=range(year - 1, year + 2))
    days_off = frozenset(day for day in vn if day.year == year)
    make_up = frozenset(day for day in vn.weekend_workdays if day.year == year)
    return days_off, make_up


def is_working_day(day: date, calendar: Calendar) -> bool:
    """Whether `day` (a local date in the calendar's time zone) has working hours."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ClockError(f"expected a date, got {day!r}")
    if day in calendar.workdays_extra:
        return True
    if day in calendar.days_off:
        return False
    if calendar.public_holidays:
        public_days_off, make_up_days = _public_calendar(day.year)
        if day in public_days_off:
            return False
        if day in make_up_days:
            return True
    return day.weekday() in calendar.workdays


def _periods(day: date, calendar: Calendar, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The working periods of a local day as UTC intervals; empty on a day off."""
    if not is_working_day(day, calendar):
        return []
    periods = []
    for start, end in calendar.hours:
        # Built from wall-clock times then moved to UTC, so a DST shift changes the length.
        begin = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
        finish = datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
        if begin < finish:
            periods.append((begin, finish))
    return periods


def _aware(moment: datetime, argument: str) -> datetime:
    if not isinstance(moment, datetime):
        raise ClockError(f"{argument} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ClockError(f"{argument} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def add(start: datetime, minutes: int, calendar: Calendar) -> datetime:
    """The instant `minutes` business minutes after `start`, in UTC.

    Counting begins at the next working instant at or after `start`; time is exact to the
    microsecond, so a start with seconds keeps them. A count that uses up a working period
    ends at that period's end (10:30 + 60 -> 11:30, not 13:00). `minutes == 0` gives
    next_working_instant(start). Cost grows with the days spanned, not the minutes.
    Raises ClockError for a naive `start` or a negative or non-integer `minutes`.
    """
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        raise ClockError(f"minutes must be an int, got {minutes!r}")
    if minutes < 0:
        raise ClockError(f"minutes must not be negative, got {minutes}")
    cursor = _aware(start, "start")
    zone = ZoneInfo(calendar.timezone)
    left = minutes * _MINUTE
    day = cursor.astimezone(zone).date()
    while True:
        for begin, end in _periods(day, calendar, zone):
            if end <= cursor:
                continue
            begin = max(begin, cursor)
            if not left:
                return begin
            if left <= end - begin:
                return begin + left
            left -= end - begin
        day += _DAY


def next_working_instant(at: datetime, calendar: Calendar) -> datetime:
    """`at` itself if it is working time, else the start of the next working period; in UTC.

    Periods are half-open: at exactly a period's end (11:30) the answer is the next start.
    Raises ClockError for a naive `at`.
    """
    return add(at, 0, calendar)


def _business_time(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    zone = ZoneInfo(calendar.timezone)
    total = timedelta()
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        for begin, finish in _periods(day, calendar, zone):
            overlap = min(finish, end) - max(begin, start)
            if overlap > timedelta():
                total += overlap
        day += _DAY
    return total


def between(start: datetime, end: datetime, calendar: Calendar) -> int:
    """Whole business minutes in [start, end): floor of the exact business time / 60 s.

    0 when end <= start. Exact to the microsecond before flooring, so
    between(t, add(t, m)) == m for every aware t. Raises ClockError for naive datetimes.
    """
    start = _aware(start, "start")
    end = _aware(end, "end")
    if end <= start:
        return 0
    return _business_time(start, end, calendar) // _MINUTE


def remaining(now: datetime, due: datetime, calendar: Calendar) -> int:
    """Signed business minutes from `now` to `due`: positive before it, negative once late.

    Both sides are floored toward zero, as between() does (30 s late is 0, not -1).
    Raises ClockError for naive datetimes.
    """
    if _aware(due, "due") > _aware(now, "now"):
        return between(now, due, calendar)
    return -between(due, now, calendar)
