"""A moment written the way people say it, in the page's language and the local time zone:
"16:21 hôm nay", "09:00 ngày mai", "10:00 thứ Hai 14/12/2026"."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpdesk.timeutil import to_local, utcnow

WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


def moment(instant: datetime | None, now: datetime | None = None) -> str:
    """The instant as a time and a day: today, tomorrow, yesterday, else the weekday and date."""
    if instant is None:
        return ""
    timezone = current_app.config["HELPDESK_TIMEZONE"]
    local = to_local(instant, timezone)
    today = to_local(now or utcnow(), timezone).date()
    time = local.strftime("%H:%M")
    day = local.date()
    if day == today:
        return _("%(time)s today", time=time)
    if day == today + timedelta(days=1):
        return _("%(time)s tomorrow", time=time)
    if day == today - timedelta(days=1):
        return _("%(time)s yesterday", time=time)
    return _(
        "%(time)s %(weekday)s %(date)s",
        time=time,
        weekday=WEEKDAYS[day.weekday()],
        date=day.strftime("%d/%m/%Y"),
    )
