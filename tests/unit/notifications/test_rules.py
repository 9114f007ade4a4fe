"""The outbox's small rules, without an app: backoff, keys, SMTP answers, CCCD masking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.notifications.outbox import KEY_LENGTH, outbox_key
from helpdesk.notifications.sending import retry_delay
from helpdesk.notifications.transport import PermanentFailure, TemporaryFailure, failure_for
from helpdesk.tickets.services.mail import redact


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (30, 60)],
)
def test_retries_wait_one_minute_doubling_up_to_one_hour(attempts, minutes):
    assert retry_delay(attempts) == timedelta(minutes=minutes)


def test_a_short_key_is_kept_as_it_is():
    assert outbox_key("filed:12:u3") == "filed:12:u3"


def test_long_keys_fit_the_column_and_stay_distinct():
    first = outbox_key("x" * 300 + "first")
    second = outbox_key("x" * 300 + "second")

    assert len(first) == len(second) == KEY_LENGTH
    assert first != second
    assert outbox_key("x" * 300 + "first") == first


@pytest.mark.parametrize(
    ("codes", "kind"),
    [
        ([421], TemporaryFailure),
        ([450, 451], TemporaryFailure),
        ([550], PermanentFailure),
        ([451, 550], PermanentFailure),  # any refusal for good is for good
        ([554], PermanentFailure),
    ],
)
def test_4xx_answers_are_temporary_and_5xx_permanent(codes, kind):
    assert type(failure_for(codes, "answer")) is kind


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("CCCD 001166001234 bị khoá", "CCCD ********1234 bị khoá"),
        ("001166001234", "********1234"),
        ("số 0011660012345 (13 chữ số)", "số 0011660012345 (13 chữ số)"),
        ("điện thoại 0912345678", "điện thoại 0912345678"),
        ("HT-2026-000123", "HT-2026-000123"),
        ("", ""),
    ],
)
def test_twelve_digit_numbers_are_masked_and_nothing_else(text, shown):
    assert redact(text) == shown
