"""Language and time zone of a request: the user's choice, else Vietnamese; and how numbers,
percentages and months are written in it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import current_app, g, request
from flask_babel import (
    format_date,
    format_decimal,
    format_percent,
    get_locale,
    get_translations,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """The language chosen on this device (the switch's cookie), else the one in the user's
    profile (a new device), else Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE) if request else None
    if chosen in languages:
        return chosen
    user_language = getattr(current_user, "language", None) if current_user else None
    if user_language in languages:
        return user_language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["HELPDESK_TIMEZONE"]


# Monday first, as datetime.weekday() counts.
WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


def due_phrase(instant: datetime, now: datetime, *, timezone: str | None = None) -> str:
    """An instant as people say it, local time, relative to `now`: `16:21 hôm nay`,
    `09:00 ngày mai`, `17:00 hôm qua`, else `10:00 thứ Hai 14/12/2026` (`16:21 today` in
    English). Days are counted in the configured time zone (`timezone`, by default
    HELPDESK_TIMEZONE), so that 23:30 and 00:30 local are a day apart whatever UTC says."""
    zone = ZoneInfo(timezone or select_timezone())
    local = _aware(instant).astimezone(zone)
    days = (local.date() - _aware(now).astimezone(zone).date()).days
    time = local.strftime("%H:%M")
    if days == 0:
        return _("%(time)s today", time=time)
    if days == 1:
        return _("%(time)s tomorrow", time=time)
    if days == -1:
        return _("%(time)s yesterday", time=time)
    return _(
        "%(time)s %(weekday)s %(date)s",
        time=time,
        weekday=str(WEEKDAYS[local.weekday()]),
        date=local.strftime("%d/%m/%Y"),
    )


def _aware(instant: datetime) -> datetime:
    """SQLite hands back naive datetimes; every instant stored is UTC."""
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def template_translations():
    """The catalogue templates translate with: Flask-Babel's, kept for the rest of the request.

    A page translates dozens of strings and Flask-Babel looks the catalogue up again for each;
    here it is looked up once per request, and again only when the locale or domain in force
    changes (force_locale() while mailing, refresh() after a switch).
    """
    try:
        state = g._get_current_object()
    except RuntimeError:  # no app context: Flask-Babel's own answer (no translation)
        return get_translations()
    kept = state.__dict__.get("_template_translations")
    key = _locale_in_force(state)
    if kept is not None and key[0] is not None and kept[0] == key:
        return kept[1]
    translations = get_translations()
    # Read again: the first lookup of a request is what settles the locale.
    state._template_translations = (_locale_in_force(state), translations)
    return translations


def _locale_in_force(state) -> tuple:
    """(locale, domain) as Flask-Babel keeps them on `g` (None before its first lookup)."""
    babel_state = state.__dict__.get("_flask_babel")
    return getattr(babel_state, "babel_locale", None), getattr(babel_state, "babel_domain", None)


def install_template_gettext(app) -> None:
    """Templates' _(), gettext() and friends, through template_translations()."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: template_translations().ugettext(s),
        ngettext=lambda s, p, n: template_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: template_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: template_translations().unpgettext(c, s, p, n),
    )


# How a figure is written, by language, where Babel's own pattern is not the local usage:
# Vietnamese puts a space before the percent sign (`87,5 %`) and writes months `12/2026`.
PERCENT_PATTERNS = {"vi": "#,##0.# %"}
MONTH_PATTERNS = {"vi": "MM/yyyy"}
MONTH_SKELETON = "yMMM"  # elsewhere the language's own short month and year: `Dec 2026`
MISSING = "—"


def percent(value: float | None) -> str:
    """A percentage given in hundredths (87.5), at most one decimal, none when it is ,0:
    `87,5 %`, `100 %` in Vietnamese, `87.5%` in English; a dash when there is none."""
    if value is None:
        return MISSING
    locale = get_locale()
    pattern = PERCENT_PATTERNS.get(str(locale), "#,##0.#%")
    return format_percent(value / 100, pattern)


def number(value: float | None) -> str:
    """A count with the language's grouping: `1.234` in Vietnamese, `1,234` in English."""
    if value is None:
        return MISSING
    return format_decimal(value, "#,##0.##")


def month(value: date | str | None) -> str:
    """A month (a date in it, or `YYYY-MM`): `12/2026` in Vietnamese, `Dec 2026` in English."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, str):
        value = date.fromisoformat(f"{value[:7]}-01")
    locale = get_locale()
    pattern = MONTH_PATTERNS.get(str(locale))
    if pattern is not None:
        return format_date(value, pattern)
    return babel_dates.format_skeleton(MONTH_SKELETON, value, locale=locale)
