"""Language and time zone of a request: the user's choice, else Vietnamese."""

from __future__ import annotations

from flask import current_app, request
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
