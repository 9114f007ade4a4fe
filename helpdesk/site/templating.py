"""What every template may use: the language, local times, masked CCCDs, the names of the
catalogue's codes, numbers, percentages and months written the language's way, the current
announcements (announcements/_banners.html)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from flask_babel import get_locale

from helpdesk import i18n
from helpdesk.announcements import services as announcements
from helpdesk.announcements.models import Announcement
from helpdesk.auth.cccd import mask
from helpdesk.auth.permissions import signed_in_user
from helpdesk.catalogue import services as catalogue
from helpdesk.site.widgets import field_html
from helpdesk.timeutil import to_local


def register(app: Flask) -> None:
    @app.context_processor
    def globals_for_templates():
        return {"current_language": str(get_locale() or "vi"), "languages": app.config["LANGUAGES"]}

    @app.template_filter("local")
    def local_time(instant: datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
        if instant is None:
            return ""
        return to_local(instant, current_app.config["HELPDESK_TIMEZONE"]).strftime(pattern)

    app.add_template_filter(mask, "mask_cccd")
    app.add_template_filter(i18n.percent, "percent")
    app.add_template_filter(i18n.number, "number")
    app.add_template_filter(i18n.month, "month")
    app.add_template_filter(i18n.due_phrase, "due_phrase")
    app.add_template_global(field_html)
    app.add_template_global(catalogue.system_name, "system_name")
    app.add_template_global(category_name)
    app.add_template_global(catalogue.province_name, "province_name")
    app.add_template_global(banners)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        return response


def banners(system: str | None = None) -> list[Announcement]:
    """The current announcements for the page's reader (a visitor too) about that system or
    every system; none given: about any system. One query."""
    return announcements.banners(signed_in_user(), system_code=system or None)


def category_name(code: str | None) -> str:
    """The category's name in the page's language."""
    return catalogue.category_name(code, str(get_locale() or "vi"))
