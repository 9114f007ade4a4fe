"""SLA target arithmetic: pure, no app, no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.sla import targets
from helpdesk.sla.targets import Candidate, choose


def test_system_and_category_beat_category_beat_system_beat_priority_only():
    everything = [
        Candidate(1),
        Candidate(2, system="moj"),
        Candidate(3, category="payment"),
        Candidate(4, system="moj", category="payment"),
    ]

    assert choose(everything, "moj", "payment") == 4
    assert choose(everything[:3], "moj", "payment") == 3
    assert choose(everything[:2], "moj", "payment") == 2
    assert choose(everything[:1], "moj", "payment") == 1


def test_a_policy_for_another_system_or_category_does_not_match():
    assert (
        choose([Candidate(1, system="moha"), Candidate(2, category="sms")], "moj", "payment")
        is None
    )


def test_equally_specific_policies_tie_break_on_the_older_one():
    assert (
        choose(
            [Candidate(9, category="payment"), Candidate(5, category="payment")], "moj", "payment"
        )
        == 5
    )


@pytest.mark.parametrize(
    ("target", "percent", "after", "lead"),
    [
        (60, 75, 45, 15),
        (480, 75, 360, 120),
        (7, 50, 3, 4),  # floored: the warning never comes later than the percentage
        (60, 100, 60, 0),  # no early warning
        (60, 0, 60, 0),
    ],
)
def test_the_warning_falls_at_its_percentage_of_the_target(target, percent, after, lead):
    assert targets.warning_after(target, percent) == after
    assert targets.warning_lead(target, percent) == lead


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=-10, max_value=110))
def test_warning_and_lead_add_up_to_the_target(target, percent):
    after, lead = targets.warning_after(target, percent), targets.warning_lead(target, percent)
    assert after + lead == target
    assert 0 <= after <= target


@pytest.mark.parametrize(
    ("minutes", "parts"),
    [(0, (0, 0, 0)), (59, (0, 0, 59)), (480, (1, 0, 0)), (1025, (2, 1, 5)), (-75, (0, 1, 15))],
)
def test_minutes_read_as_business_days_hours_and_minutes(minutes, parts):
    assert targets.split_minutes(minutes) == parts
