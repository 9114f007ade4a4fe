"""`flask sla due` and what `flask seed` loads for the SLA."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from helpdesk.sla.models import Calendar, CalendarDay, Policy


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ("2026-03-06T16:30", "60", "2026-03-09T08:00:00+07:00"),  # Friday evening to Monday
        ("2026-03-02T04:00:00+00:00", "60", "2026-03-02T13:30:00+07:00"),  # 11:00, lunch skipped
        ("2026-04-24T17:00", "0", "2026-04-28T07:30:00+07:00"),  # Hùng Kings' day observed
    ],
)
def test_due_prints_the_deadline_with_its_offset(runner, start, minutes, due):
    result = runner.invoke(args=["sla", "due", "--start", start, "--minutes", minutes])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == due


def test_due_follows_the_days_an_admin_declared(runner, db):
    calendar = db.session.scalar(select(Calendar).where(Calendar.name == "default"))
    db.session.add(CalendarDay(calendar_id=calendar.id, day=date(2026, 3, 9), working=False))
    db.session.commit()

    result = runner.invoke(args=["sla", "due", "--start", "2026-03-06T16:30", "--minutes", "60"])

    assert result.output.strip() == "2026-03-10T08:00:00+07:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calendar", "nope"], "no calendar named 'nope'"),
        (["--start", "yesterday"], "not ISO 8601"),
        (["--minutes", "-5"], "-5 is not in the range"),
    ],
)
def test_due_refuses_bad_input_without_a_traceback(runner, args, message):
    options = {"--start": "2026-03-06T16:30", "--minutes": "60"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        options[flag] = value
    flat = [part for pair in options.items() for part in pair]

    result = runner.invoke(args=["sla", "due", *flat])

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_seed_loads_the_documented_default_policies_and_calendar(db):
    policies = db.session.scalars(
        select(Policy).where(Policy.system_code.is_(None), Policy.category_code.is_(None))
    ).all()
    targets = {p.priority: (p.first_response_minutes, p.resolution_minutes) for p in policies}

    # README "SLA defaults": 1 h / 8 h, 4 h / 2 days, 8 h / 5 days, 2 days / 10 days.
    assert targets == {1: (60, 480), 2: (240, 960), 3: (480, 2400), 4: (960, 4800)}
    assert {p.warning_percent for p in policies} == {75}
    calendar = db.session.scalar(select(Calendar).where(Calendar.name == "default"))
    assert (calendar.timezone, calendar.hours, calendar.workdays, calendar.public_holidays) == (
        "Asia/Ho_Chi_Minh",
        [["07:30", "11:30"], ["13:00", "17:00"]],
        [0, 1, 2, 3, 4],
        True,
    )


def test_seed_again_keeps_what_an_admin_changed(runner, db):
    policy = db.session.scalar(select(Policy).where(Policy.priority == 3))
    policy.resolution_minutes = 1234
    db.session.commit()

    result = runner.invoke(args=["seed"])

    assert "sla policies" not in result.output and "calendars" not in result.output
    db.session.refresh(policy)
    assert policy.resolution_minutes == 1234
    assert len(db.session.scalars(select(Policy)).all()) == 4
