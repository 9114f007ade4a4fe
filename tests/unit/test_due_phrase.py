"""helpdesk.i18n.due_phrase: an instant said relative to now, in local time, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from helpdesk import i18n

# Monday 7 December 2026, 09:21 in Hanoi (UTC+7 all year: no daylight saving).
NOW = datetime(2026, 12, 7, 2, 21, tzinfo=UTC)


@pytest.fixture(scope="module")
def app():
    """Only what the phrase needs: the catalogues of helpdesk/translations and the time zone."""
    app = Flask("helpdesk")
    app.config.update(HELPDESK_TIMEZONE="Asia/Ho_Chi_Minh", LANGUAGES=("vi", "en"))
    Babel(app)
    with app.app_context():
        yield app


def said(instant: datetime, now: datetime = NOW, language: str = "vi") -> str:
    with force_locale(language):
        return i18n.due_phrase(instant, now)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "vi", "en"),
    [
        (utc(2026, 12, 7, 9, 21), "16:21 hôm nay", "16:21 today"),
        (utc(2026, 12, 8, 2, 0), "09:00 ngày mai", "09:00 tomorrow"),
        (utc(2026, 12, 6, 10, 0), "17:00 hôm qua", "17:00 yesterday"),
        (utc(2026, 12, 9, 3, 0), "10:00 thứ Tư 09/12/2026", "10:00 Wednesday 09/12/2026"),
        (utc(2026, 12, 14, 3, 0), "10:00 thứ Hai 14/12/2026", "10:00 Monday 14/12/2026"),
        (utc(2026, 12, 13, 1, 30), "08:30 Chủ nhật 13/12/2026", "08:30 Sunday 13/12/2026"),
        (utc(2027, 1, 2, 3, 0), "10:00 thứ Bảy 02/01/2027", "10:00 Saturday 02/01/2027"),
    ],
)
def test_today_tomorrow_and_other_days_in_both_languages(app, instant, vi, en):
    assert said(instant, language="vi") == vi
    assert said(instant, language="en") == en


def test_days_are_counted_in_local_time_around_midnight(app):
    # 23:30 local on the 7th is 16:30 UTC; 00:30 local on the 8th is still the 7th in UTC.
    late = utc(2026, 12, 7, 16, 30)
    just_after_midnight = utc(2026, 12, 7, 17, 30)
    assert said(late) == "23:30 hôm nay"
    assert said(just_after_midnight) == "00:30 ngày mai"
    # Seen from 00:10 local on the 8th (17:10 UTC on the 7th): the 7th is yesterday.
    after_midnight = utc(2026, 12, 7, 17, 10)
    assert said(late, now=after_midnight) == "23:30 hôm qua"
    assert said(just_after_midnight, now=after_midnight) == "00:30 hôm nay"
    # From 23:50 local, 00:10 local ten minutes later is tomorrow, not today as in UTC.
    assert said(utc(2026, 12, 7, 17, 10), now=utc(2026, 12, 7, 16, 50)) == "00:10 ngày mai"


def test_naive_instants_are_utc(app):
    """SQLite hands back naive datetimes: they are UTC, as stored."""
    assert said(datetime(2026, 12, 7, 9, 21)) == "16:21 hôm nay"


def test_another_time_zone_is_honoured(app):
    assert i18n.due_phrase(utc(2026, 12, 7, 9, 21), NOW, timezone="UTC") == "09:21 today"
