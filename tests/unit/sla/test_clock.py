"""The business-hours clock: pure, no app, no database."""

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.sla import clock

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    """An aware datetime in Vietnam's time zone: at("2026-03-02 11:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


WEEKDAYS = clock.Calendar()
NO_HOLIDAYS = clock.Calendar(name="no holidays", public_holidays=False)
MORNINGS = clock.Calendar(
    name="mornings, Monday to Saturday",
    hours=((time(8, 0), time(12, 0)),),
    workdays=frozenset(range(6)),
    public_holidays=False,
)


def _first_weekday_of_each_month(weekday: int) -> frozenset[date]:
    days = set()
    for year in range(2025, 2030):
        for month in range(1, 13):
            day = date(year, month, 1)
            days.add(day + timedelta(days=(weekday - day.weekday()) % 7))
    return frozenset(days)


# Make-up Saturdays and days off often enough that random starts run into them;
# 2027-02-08 (a Tết day in the holidays package) is worked, overriding the holiday.
EXCEPTIONS = clock.Calendar(
    name="with exceptions",
    days_off=_first_weekday_of_each_month(2),
    workdays_extra=_first_weekday_of_each_month(5) | {date(2027, 2, 8)},
)
CALENDARS = [WEEKDAYS, NO_HOLIDAYS, MORNINGS, EXCEPTIONS]


# Holiday dates below are what holidays 0.108 gives for VN (printed from
# holidays.country_holidays("VN", years=...)):
# 2026: 1 Jan; Tết 16-20 Feb; Hung Kings 26 Apr (Sun) observed Mon 27 Apr; 30 Apr; 1 May;
#       31 Aug (day off substituted from Sat 22 Aug, which is worked); 1-2 Sep; 24 Nov.
# 2027: 1 Jan; Tết 4-10 Feb (Thu-Wed: 29 Tết, eve, mùng 1-5; Lunar New Year is Sat 6 Feb);
#       16 Apr; 30 Apr; 1 May (Sat) observed Mon 3 May; 2-3 Sep; 24 Nov.
# 2025: 2 May is a day off substituted from Sat 26 Apr, which is worked.
@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        pytest.param(at("2026-03-02 11:00"), 60, at("2026-03-02 13:30"), id="lunch skipped"),
        pytest.param(at("2026-03-06 16:30"), 60, at("2026-03-09 08:00"), id="friday to monday"),
        pytest.param(at("2026-03-02 06:00"), 30, at("2026-03-02 08:00"), id="before opening"),
        pytest.param(at("2026-03-03 00:00"), 60, at("2026-03-03 08:30"), id="midnight"),
        pytest.param(at("2026-03-02 12:15"), 30, at("2026-03-02 13:30"), id="during lunch"),
        pytest.param(at("2026-03-02 17:00"), 1, at("2026-03-03 07:31"), id="at closing"),
        pytest.param(at("2026-03-02 20:00"), 1, at("2026-03-03 07:31"), id="evening"),
        pytest.param(at("2026-03-07 10:00"), 60, at("2026-03-09 08:30"), id="saturday"),
        pytest.param(at("2026-03-08 23:59"), 1, at("2026-03-09 07:31"), id="sunday"),
        pytest.param(at("2026-03-02 10:30"), 60, at("2026-03-02 11:30"), id="ends at 11:30"),
        pytest.param(at("2026-03-02 16:00"), 60, at("2026-03-02 17:00"), id="ends at 17:00"),
        pytest.param(at("2026-03-02 07:30"), 480, at("2026-03-02 17:00"), id="full day"),
        pytest.param(at("2026-03-02 07:30"), 481, at("2026-03-03 07:31"), id="day and a minute"),
        pytest.param(at("2026-03-02 09:00"), 2400, at("2026-03-09 09:00"), id="five days"),
        pytest.param(
            at("2026-03-02 07:30:30.500000"), 1, at("2026-03-02 07:31:30.500000"), id="seconds"
        ),
        pytest.param(at("2027-02-03 16:00"), 120, at("2027-02-11 08:30"), id="tet 2027"),
        pytest.param(at("2026-02-13 16:00"), 120, at("2026-02-23 08:30"), id="tet 2026"),
        pytest.param(at("2026-04-24 16:00"), 120, at("2026-04-28 08:30"), id="hung kings observed"),
        pytest.param(at("2026-04-29 16:00"), 120, at("2026-05-04 08:30"), id="30 april 1 may"),
        pytest.param(at("2026-08-28 16:00"), 120, at("2026-09-03 08:30"), id="national day 2026"),
        pytest.param(at("2026-11-23 16:00"), 120, at("2026-11-25 08:30"), id="cultural day"),
        pytest.param(at("2025-04-25 16:00"), 120, at("2025-04-26 08:30"), id="package make-up"),
    ],
)
def test_add_skips_time_off(start, minutes, due):
    assert clock.add(start, minutes, WEEKDAYS) == due


def test_add_answers_in_utc():
    due = clock.add(at("2026-03-02 11:00"), 60, WEEKDAYS)

    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 2, 6, 30, tzinfo=UTC)


def test_add_accepts_a_start_in_any_time_zone():
    start = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 11:00 in Hanoi

    assert clock.add(start, 60, WEEKDAYS) == at("2026-03-02 13:30")


def test_add_ignores_public_holidays_when_the_calendar_does():
    assert clock.add(at("2027-02-03 16:00"), 120, NO_HOLIDAYS) == at("2027-02-04 08:30")


def test_add_ignores_package_make_up_days_when_the_calendar_ignores_holidays():
    assert clock.add(at("2025-04-25 16:00"), 120, NO_HOLIDAYS) == at("2025-04-28 08:30")


def test_make_up_saturday_counts_as_working():
    calendar = clock.Calendar(workdays_extra=frozenset({date(2026, 3, 7)}))

    assert clock.add(at("2026-03-06 16:30"), 60, calendar) == at("2026-03-07 08:00")


def test_make_up_day_overrides_a_public_holiday():
    calendar = clock.Calendar(workdays_extra=frozenset({date(2026, 9, 1)}))

    assert clock.add(at("2026-08-28 16:00"), 120, calendar) == at("2026-09-01 08:30")


def test_day_off_is_skipped():
    calendar = clock.Calendar(days_off=frozenset({date(2026, 3, 3)}))

    assert clock.add(at("2026-03-02 16:30"), 60, calendar) == at("2026-03-04 08:00")


def test_day_off_overrides_a_package_make_up_day():
    calendar = clock.Calendar(days_off=frozenset({date(2025, 4, 26)}))

    assert clock.add(at("2025-04-25 16:00"), 120, calendar) == at("2025-04-28 08:30")


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        pytest.param(at("2026-03-06 11:00"), 120, at("2026-03-07 09:00"), id="saturday works"),
        pytest.param(at("2026-03-07 11:30"), 60, at("2026-03-09 08:30"), id="sunday off"),
        pytest.param(at("2026-03-09 07:00"), 240, at("2026-03-09 12:00"), id="one period"),
        pytest.param(at("2026-03-09 12:00"), 1, at("2026-03-10 08:01"), id="no afternoon"),
        pytest.param(at("2027-02-08 08:00"), 60, at("2027-02-08 09:00"), id="no holidays"),
    ],
)
def test_add_follows_a_custom_calendar(start, minutes, due):
    assert clock.add(start, minutes, MORNINGS) == due


@pytest.mark.parametrize(
    ("start", "instant"),
    [
        pytest.param(at("2026-03-02 09:15:10"), at("2026-03-02 09:15:10"), id="working"),
        pytest.param(at("2026-03-02 07:30"), at("2026-03-02 07:30"), id="at opening"),
        pytest.param(at("2026-03-02 11:30"), at("2026-03-02 13:00"), id="at period end"),
        pytest.param(at("2026-03-02 12:00"), at("2026-03-02 13:00"), id="lunch"),
        pytest.param(at("2026-03-06 17:00"), at("2026-03-09 07:30"), id="friday closing"),
        pytest.param(at("2027-02-06 10:00"), at("2027-02-11 07:30"), id="tet"),
    ],
)
def test_zero_minutes_gives_the_next_working_instant(start, instant):
    assert clock.add(start, 0, WEEKDAYS) == instant
    assert clock.next_working_instant(start, WEEKDAYS) == instant


def test_adding_zero_after_a_count_ending_at_a_period_end_moves_on():
    # Why add(add(t, a), b) == add(t, a + b) needs b >= 1: a count may end at 11:30.
    end_of_morning = clock.add(at("2026-03-02 10:30"), 60, WEEKDAYS)

    assert end_of_morning == at("2026-03-02 11:30")
    assert clock.add(end_of_morning, 0, WEEKDAYS) == at("2026-03-02 13:00")


@pytest.mark.parametrize(
    ("start", "minutes"),
    [
        pytest.param(datetime(2026, 3, 2, 11, 0), 60, id="naive start"),
        pytest.param(at("2026-03-02 11:00"), -1, id="negative"),
        pytest.param(at("2026-03-02 11:00"), 1.5, id="float"),
        pytest.param(at("2026-03-02 11:00"), True, id="bool"),
        pytest.param(date(2026, 3, 2), 60, id="date start"),
    ],
)
def test_add_rejects_bad_input(start, minutes):
    with pytest.raises(clock.ClockError):
        clock.add(start, minutes, WEEKDAYS)


def test_clock_error_is_a_value_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.next_working_instant(datetime(2026, 3, 2, 11, 0), WEEKDAYS)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"hours": ()}, id="no periods"),
        pytest.param({"hours": ((time(12), time(8)),)}, id="ends before start"),
        pytest.param({"hours": ((time(8), time(8)),)}, id="empty period"),
        pytest.param({"hours": ((time(8), time(12)), (time(11), time(14)))}, id="overlap"),
        pytest.param({"hours": ((time(13), time(17)), (time(8), time(12)))}, id="unsorted"),
        pytest.param({"hours": ((time(8, tzinfo=UTC), time(12, tzinfo=UTC)),)}, id="aware"),
        pytest.param({"hours": ((time(8), time(12), time(13)),)}, id="three times"),
        pytest.param({"hours": (("08:00", "12:00"),)}, id="strings"),
        pytest.param({"timezone": "Asia/Nowhere"}, id="unknown zone"),
        pytest.param({"workdays": frozenset()}, id="no workdays"),
        pytest.param({"workdays": frozenset({7})}, id="weekday 7"),
        pytest.param({"days_off": frozenset({datetime(2026, 3, 3)})}, id="datetime off"),
        pytest.param(
            {"days_off": frozenset({date(2026, 3, 3)}), "workdays_extra": {date(2026, 3, 3)}},
            id="off and worked",
        ),
    ],
)
def test_calendar_rejects_bad_fields(fields):
    with pytest.raises(clock.ClockError):
        clock.Calendar(**fields)


def test_calendar_allows_touching_periods():
    calendar = clock.Calendar(hours=((time(8), time(12)), (time(12), time(16))))

    assert clock.add(at("2026-03-02 11:00"), 120, calendar) == at("2026-03-02 13:00")


def test_calendar_is_frozen_and_hashable_with_plain_sets():
    calendar = clock.Calendar(workdays={0, 1, 2}, days_off={date(2026, 3, 3)})

    assert hash(calendar) == hash(
        clock.Calendar(workdays=frozenset({0, 1, 2}), days_off=frozenset({date(2026, 3, 3)}))
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        calendar.name = "other"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 3, 2), True, id="monday"),
        pytest.param(date(2026, 3, 6), True, id="friday"),
        pytest.param(date(2026, 3, 7), False, id="saturday"),
        pytest.param(date(2026, 3, 8), False, id="sunday"),
        pytest.param(date(2026, 1, 1), False, id="new year 2026"),
        pytest.param(date(2026, 2, 16), False, id="tet eve 2026"),
        pytest.param(date(2026, 2, 20), False, id="tet day 4 2026"),
        pytest.param(date(2026, 2, 23), True, id="after tet 2026"),
        pytest.param(date(2026, 4, 27), False, id="hung kings observed"),
        pytest.param(date(2026, 4, 30), False, id="reunification day"),
        pytest.param(date(2026, 5, 1), False, id="labour day"),
        pytest.param(date(2026, 8, 22), True, id="make-up saturday 2026"),
        pytest.param(date(2026, 8, 31), False, id="substituted day off 2026"),
        pytest.param(date(2026, 9, 1), False, id="national day 2026 1 sep"),
        pytest.param(date(2026, 9, 2), False, id="national day 2026"),
        pytest.param(date(2026, 11, 24), False, id="cultural day"),
        pytest.param(date(2027, 2, 3), True, id="before tet 2027"),
        pytest.param(date(2027, 2, 4), False, id="29 tet 2027"),
        pytest.param(date(2027, 2, 8), False, id="tet monday 2027"),
        pytest.param(date(2027, 2, 10), False, id="tet observed 2027"),
        pytest.param(date(2027, 2, 11), True, id="after tet 2027"),
        pytest.param(date(2027, 5, 3), False, id="labour day observed 2027"),
        pytest.param(date(2027, 9, 3), False, id="national day 2027 3 sep"),
        pytest.param(date(2025, 4, 26), True, id="make-up saturday 2025"),
        pytest.param(date(2025, 5, 2), False, id="substituted day off 2025"),
    ],
)
def test_is_working_day_knows_vietnamese_holidays(day, working):
    assert clock.is_working_day(day, WEEKDAYS) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 3, 7), True, id="extra saturday"),
        pytest.param(date(2026, 9, 2), True, id="extra holiday"),
        pytest.param(date(2026, 3, 4), False, id="admin day off"),
        pytest.param(date(2026, 8, 22), False, id="day off beats package make-up"),
        pytest.param(date(2026, 3, 5), True, id="ordinary thursday"),
    ],
)
def test_is_working_day_applies_admin_exceptions(day, working):
    calendar = clock.Calendar(
        days_off=frozenset({date(2026, 3, 4), date(2026, 8, 22)}),
        workdays_extra=frozenset({date(2026, 3, 7), date(2026, 9, 2)}),
    )

    assert clock.is_working_day(day, calendar) is working


def test_is_working_day_rejects_a_datetime():
    with pytest.raises(clock.ClockError):
        clock.is_working_day(datetime(2026, 3, 2, 9, 0), WEEKDAYS)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        pytest.param(at("2026-03-02 11:00"), at("2026-03-02 13:30"), 60, id="lunch skipped"),
        pytest.param(at("2026-03-06 16:30"), at("2026-03-09 08:00"), 60, id="friday to monday"),
        pytest.param(at("2026-03-02 06:00"), at("2026-03-02 08:00"), 30, id="before opening"),
        pytest.param(at("2026-03-02 12:00"), at("2026-03-02 12:59"), 0, id="within lunch"),
        pytest.param(at("2026-03-07 00:00"), at("2026-03-09 00:00"), 0, id="weekend"),
        pytest.param(at("2026-03-02 00:00"), at("2026-03-03 00:00"), 480, id="full day"),
        pytest.param(at("2026-03-02 10:30"), at("2026-03-02 11:30"), 60, id="to 11:30"),
        pytest.param(at("2026-03-02 16:00"), at("2026-03-02 17:00"), 60, id="to 17:00"),
        pytest.param(at("2026-03-02 00:00"), at("2026-03-09 00:00"), 2400, id="week"),
        pytest.param(at("2027-02-03 16:00"), at("2027-02-11 08:30"), 120, id="tet 2027"),
        pytest.param(at("2026-04-27 00:00"), at("2026-05-04 00:00"), 960, id="holiday week"),
        pytest.param(at("2026-03-02 07:30"), at("2026-03-02 07:30:59.999999"), 0, id="floor"),
        pytest.param(at("2026-03-02 07:30:30"), at("2026-03-02 07:32:29"), 1, id="seconds"),
        pytest.param(at("2026-03-02 11:00"), at("2026-03-02 11:00"), 0, id="empty"),
        pytest.param(at("2026-03-02 13:30"), at("2026-03-02 11:00"), 0, id="reversed"),
    ],
)
def test_between_counts_business_minutes(start, end, minutes):
    assert clock.between(start, end, WEEKDAYS) == minutes


def test_between_follows_admin_exceptions():
    calendar = clock.Calendar(
        days_off=frozenset({date(2026, 3, 3)}), workdays_extra=frozenset({date(2026, 3, 7)})
    )

    assert clock.between(at("2026-03-02 00:00"), at("2026-03-09 00:00"), calendar) == 2400


def test_between_follows_a_custom_calendar():
    assert clock.between(at("2026-03-02 00:00"), at("2026-03-09 00:00"), MORNINGS) == 1440


def test_between_rejects_a_naive_end():
    with pytest.raises(clock.ClockError):
        clock.between(at("2026-03-02 11:00"), datetime(2026, 3, 2, 12, 0), WEEKDAYS)


@pytest.mark.parametrize(
    ("now", "due", "minutes"),
    [
        pytest.param(at("2026-03-06 16:30"), at("2026-03-09 08:00"), 60, id="due monday"),
        pytest.param(at("2026-03-09 08:00"), at("2026-03-06 16:30"), -60, id="late since friday"),
        pytest.param(at("2026-03-02 11:00"), at("2026-03-02 11:00"), 0, id="due now"),
        pytest.param(at("2026-03-02 11:00:30"), at("2026-03-02 11:00"), 0, id="30 s late"),
        pytest.param(at("2026-03-07 12:00"), at("2026-03-07 09:00"), 0, id="late on weekend"),
    ],
)
def test_remaining_is_signed(now, due, minutes):
    assert clock.remaining(now, due, WEEKDAYS) == minutes


def test_a_million_minutes_is_counted_by_days():
    start = at("2026-03-02 11:00")

    due = clock.add(start, 1_000_000, WEEKDAYS)

    assert clock.between(start, due, WEEKDAYS) == 1_000_000
    assert clock.add(start, 999_999, WEEKDAYS) < due


# Properties: starts anywhere in 2025-2028, in Hanoi time or UTC, to the microsecond, and
# on whole minutes too, so that counts often end exactly at a period's end.
precise_starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([VN, UTC]),
)
starts = st.one_of(
    precise_starts, precise_starts.map(lambda moment: moment.replace(second=0, microsecond=0))
)
counts = st.integers(min_value=0, max_value=50_000)
positive_counts = st.integers(min_value=1, max_value=50_000)
calendars = st.sampled_from(CALENDARS)
properties = settings(deadline=None)


def _working_period(moment: datetime, calendar: clock.Calendar) -> tuple[time, time] | None:
    """The local period whose (start, end] holds `moment`, if any."""
    local = moment.astimezone(ZoneInfo(calendar.timezone))
    if not clock.is_working_day(local.date(), calendar):
        return None
    for start, end in calendar.hours:
        if start < local.time() <= end:
            return start, end
    return None


@properties
@given(start=starts, minutes=counts, calendar=calendars)
def test_between_undoes_add(start, minutes, calendar):
    assert clock.between(start, clock.add(start, minutes, calendar), calendar) == minutes


@properties
@given(start=starts, first=counts, second=positive_counts, calendar=calendars)
def test_adding_in_two_steps_equals_adding_once(start, first, second, calendar):
    # Holds for any first >= 0 and second >= 1 (add(x, 0) may move x off a period end).
    in_two = clock.add(clock.add(start, first, calendar), second, calendar)

    assert in_two == clock.add(start, first + second, calendar)


@properties
@given(start=starts, minutes=positive_counts, calendar=calendars)
def test_add_ends_in_working_time(start, minutes, calendar):
    assert _working_period(clock.add(start, minutes, calendar), calendar) is not None


@properties
@given(start=starts, calendar=calendars)
def test_next_working_instant_is_the_first_working_moment(start, calendar):
    instant = clock.next_working_instant(start, calendar)
    local = instant.astimezone(ZoneInfo(calendar.timezone))

    assert instant >= start
    assert clock.between(start, instant, calendar) == 0
    assert clock.is_working_day(local.date(), calendar)
    assert any(begin <= local.time() < end for begin, end in calendar.hours)
    assert clock.next_working_instant(instant, calendar) == instant


@properties
@given(start=starts, calendar=calendars)
def test_a_count_using_up_a_period_ends_at_its_end(start, calendar):
    zone = ZoneInfo(calendar.timezone)
    # Whole minutes, so the rest of the period is a whole number of minutes.
    instant = clock.next_working_instant(start, calendar).replace(second=0, microsecond=0)
    local = instant.astimezone(zone)
    end = next(end for begin, end in calendar.hours if begin <= local.time() < end)
    period_end = datetime.combine(local.date(), end, tzinfo=zone)

    assert clock.add(instant, clock.between(instant, period_end, calendar), calendar) == period_end


@properties
@given(start=starts, first=counts, second=counts, calendar=calendars)
def test_add_grows_with_minutes(start, first, second, calendar):
    low, high = sorted((first, second))

    assert clock.add(start, low, calendar) <= clock.add(start, high, calendar)


@properties
@given(first=starts, second=starts, minutes=counts, calendar=calendars)
def test_add_grows_with_start(first, second, minutes, calendar):
    early, late = sorted((first, second))

    assert clock.add(early, minutes, calendar) <= clock.add(late, minutes, calendar)


@properties
@given(first=starts, second=starts, calendar=calendars)
def test_remaining_is_antisymmetric(first, second, calendar):
    assert clock.remaining(first, second, calendar) == -clock.remaining(second, first, calendar)
