"""The auth blueprint: login, logout, registration, links from mail, password and profile
pages. Here what every page of it shares: the session's user, the forced password change,
the menu flags, the rate limits of the forms; the pages are in the modules below."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded, RequestLimit
from flask_login import current_user, login_user

from helpdesk import errors
from helpdesk.auth import permissions, services
from helpdesk.auth.forms import ROLE_LABELS, STATUS_LABELS
from helpdesk.auth.services import approvals
from helpdesk.extensions import login_manager
from helpdesk.timeutil import to_local, utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")

# What a user who must change their password may still reach.
OPEN_WHILE_PASSWORD_CHANGE = {
    "auth.change_password",
    "auth.logout",
    "static",
    "site.language",
    "site.healthz",
}


@login_manager.user_loader
def load_user(session_id: str):
    return services.load_session_user(session_id)


@bp.before_app_request
def require_own_password():
    """A provisioned account sets its own password before it can do anything else."""
    user = current_user._get_current_object()  # loads the session's user, once per request
    if not user.is_authenticated or not user.must_change_password:
        return None
    if request.endpoint in OPEN_WHILE_PASSWORD_CHANGE:
        return None
    if request.path.startswith("/api/"):
        raise errors.Forbidden(_("Change your password on the web before using the API."))
    return redirect(url_for("auth.change_password"))


@bp.app_context_processor
def account_flags():
    """Menu flags and the masking helper for every template."""
    user = permissions.signed_in_user()  # each check below reads several of its attributes
    can_approve = permissions.can(user, "accounts.approve")
    return {
        "can_manage_accounts": permissions.can(user, "accounts.manage"),
        "can_approve_accounts": can_approve,
        # The menu's count: one statement for approvers, when the menu shows it; none for others.
        "waiting_registrations": (
            functools.cache(lambda: approvals.count_waiting(user)) if can_approve else lambda: 0
        ),
        "can_import_accounts": permissions.can(user, "accounts.import"),
        "can_appoint_accounts": permissions.can(user, "accounts.appoint"),
        "can_unthrottle_accounts": permissions.can(user, "accounts.unthrottle"),
        "can_read_reports": permissions.can(user, "reports.read"),
        "can_supervise": permissions.can(user, "tickets.supervise"),
        "can_configure": permissions.can(user, "admin.configure"),
        "can_manage_units": permissions.can_manage_units(user),
        "shown_username": lambda account: permissions.shown_username(user, account),
        "role_label": lambda role: ROLE_LABELS.get(role, role),
        "status_label": lambda status: STATUS_LABELS.get(status, status),
    }


# ---------------------------------------------------------------- rate limits of the forms

# Per address, they count only what an attacker needs or what costs (failed logins, accepted
# registrations and reset requests), so that an office behind one address is not held up: a
# training room of 40 registers in a few minutes. The per-name limit of logins is the throttle
# of services.authenticate (at most 15 minutes, lifted by a password reset); registrations of
# one CCCD wait at most 15 minutes too.
LOGIN_FAILURES_PER_ADDRESS = "20/minute;200/hour"
REGISTRATIONS_PER_ADDRESS = "60/hour"
REGISTRATIONS_PER_CCCD = "3 per 15 minutes"
RESET_REQUESTS_PER_ADDRESS = "10/minute;60/hour"
PASSWORD_CHANGES_PER_ACCOUNT = "10 per 15 minutes"  # noqa: S105 - a rate, not a password


def count_attempt() -> None:
    """What this request did counts against its form's rate limits (see `is_counted`)."""
    g.counted_attempt = True


def is_counted(response: Response) -> bool:  # noqa: ARG001 - Flask-Limiter's deduct_when
    return g.get("counted_attempt", False)


def waiting(retry_at: datetime) -> tuple[int, str]:
    """The whole minutes left until `retry_at` (at least 1), and its local time (HH:MM)."""
    minutes = max(1, math.ceil((retry_at - utcnow()).total_seconds() / 60))
    return minutes, to_local(retry_at, current_app.config["HELPDESK_TIMEZONE"]).strftime("%H:%M")


def wait_message(retry_at: datetime) -> str:
    minutes, at = waiting(retry_at)
    return ngettext(
        "Too many attempts in a short time: please try again in %(num)d minute, at %(time)s.",
        "Too many attempts in a short time: please try again in %(num)d minutes, at %(time)s.",
        minutes,
        time=at,
    )


def form_page(template: str, form, message: str, **context) -> str:
    form.form_errors.append(message)
    return render_template(template, form=form, **context)


def limited(page: Callable[[str], str]) -> Callable[[RequestLimit], Response]:
    """Flask-Limiter's on_breach for a form: the form page again, with what was typed (the
    request's form data; passwords are never shown again) and when to try again, status 429."""

    def breached(limit: RequestLimit) -> Response:
        retry_at = datetime.fromtimestamp(limit.window[0], UTC)  # reset_at adds a second
        return make_response(page(wait_message(retry_at)), 429)

    return breached


@bp.errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded):
    """The form page that on_breach made, else the plain 429 page."""
    if error.response is not None:
        return error.response
    return errors.too_many_requests()


@bp.errorhandler(services.LinkExpired)
@bp.errorhandler(services.LinkInvalid)
def link_not_usable(error: errors.HelpdeskError):
    """A mailed link that has expired, was tampered with or was used: the page says which."""
    return render_template("auth/link_invalid.html", message=error.message), 400


def log_in(user, *, remember: bool) -> None:
    session.permanent = True  # PERMANENT_SESSION_LIFETIME bounds it
    login_user(user, remember=remember)


def remembered() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


from helpdesk.auth.views import login, passwords, profile  # noqa: E402, F401 - routes
