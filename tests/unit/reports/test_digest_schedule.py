"""When the digests are due and what they cover: pure, no app, no database. Working days from
the SLA clock's default calendar (Vietnamese holidays and Tết)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.reports.digests import schedule
from helpdesk.reports.digests.schedule import MONTH, WEEK, Period
from helpdesk.sla import clock

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WORKING = partial(clock.is_working_day, calendar=clock.Calendar())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.mark.parametrize(
    ("now", "covered"),
    [
        ("2026-12-07 07:29", None),  # Monday, before 07:30
        ("2026-12-07 07:30", ("2026-11-30", "2026-12-07")),
        ("2026-12-07 23:59", ("2026-11-30", "2026-12-07")),
        ("2026-12-08 07:30", None),  # Tuesday: the day has passed
        ("2026-12-06 23:59", None),  # Sunday: the week is not over
        ("2027-02-08 08:00", ("2027-02-01", "2027-02-08")),  # a Monday of Tết: Monday all the same
    ],
)
def test_a_week_is_due_on_the_monday_after_from_0730_until_the_day_ends(now, covered):
    found = schedule.due(WEEK, at(now), WORKING)

    if covered is None:
        assert found is None
    else:
        assert found == Period(WEEK, *(date.fromisoformat(day) for day in covered))


@pytest.mark.parametrize(
    ("month", "send_day"),
    [
        ("2026-11-01", "2026-12-01"),  # Tuesday 1 December works
        ("2026-02-01", "2026-03-02"),  # 1 March is a Sunday
        ("2026-04-01", "2026-05-04"),  # 1 May (Friday) is Labour Day, then a weekend
        ("2026-08-01", "2026-09-03"),  # 1 and 2 September are National Day
        ("2026-12-01", "2027-01-04"),  # New Year's Day is a Friday
        ("2027-01-01", "2027-02-01"),
        ("2027-04-01", "2027-05-04"),  # 1 May (Saturday) is observed on Monday 3 May
    ],
)
def test_a_month_goes_on_the_first_working_day_of_the_next(month, send_day):
    period = schedule.period_of(MONTH, date.fromisoformat(month))
    day = date.fromisoformat(send_day)

    assert schedule.send_day(period, WORKING) == day
    assert schedule.due(MONTH, at(f"{send_day} 07:30"), WORKING) == period
    assert schedule.due(MONTH, at(f"{send_day} 07:29"), WORKING) is None
    before = day - timedelta(days=1)
    assert schedule.due(MONTH, at(f"{before.isoformat()} 12:00"), WORKING) is None
    after = day + timedelta(days=1)
    assert schedule.due(MONTH, at(f"{after.isoformat()} 07:30"), WORKING) is None


def test_a_month_with_tet_in_its_first_days_waits_for_tet_to_end():
    # A calendar whose first working day of February 2027 comes after Tết: the days off given.
    days_off = frozenset(date(2027, 2, day) for day in range(1, 11))
    calendar = clock.Calendar(name="long Tết", days_off=days_off)

    assert schedule.send_day(
        schedule.period_of(MONTH, date(2027, 1, 15)),
        partial(clock.is_working_day, calendar=calendar),
    ) == date(2027, 2, 11)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_the_last_completed_period_ends_where_the_current_begins(today):
    for kind in (WEEK, MONTH):
        current = schedule.period_of(kind, today)
        last = schedule.last_completed(kind, today)
        assert last.end == current.start <= today < current.end
        assert last.previous().end == last.start
        assert current.start.weekday() == 0 if kind == WEEK else current.start.day == 1
