"""Login, logout, registration, links from mail, password and profile pages."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
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
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from helpdesk import errors
from helpdesk.auth import permissions, services
from helpdesk.auth.forms import (
    ROLE_LABELS,
    STATUS_LABELS,
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
    SetPasswordForm,
)
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import me
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import limiter, login_manager
from helpdesk.i18n import select_locale
from helpdesk.inputs import local_path
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
    return {
        "can_manage_accounts": permissions.can(user, "accounts.manage"),
        "can_approve_accounts": permissions.can(user, "accounts.approve"),
        "can_import_accounts": permissions.can(user, "accounts.import"),
        "can_unthrottle_accounts": permissions.can(user, "accounts.unthrottle"),
        "can_read_reports": permissions.can(user, "reports.read"),
        "can_supervise": permissions.can(user, "tickets.supervise"),
        "can_configure": permissions.can(user, "admin.configure"),
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


def cccd_key() -> str:
    """The registration limiter's key for one CCCD: a keyed digest (no CCCD in Redis)."""
    return "registration:" + services.throttle_key(request.form.get("cccd", "")[:40])


def own_account_key() -> str:
    return f"account:{current_user.id}"


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
    return errors.error_response(429, errors.default_message(429))


def log_in(user, *, remember: bool) -> None:
    session.permanent = True  # PERMANENT_SESSION_LIFETIME bounds it
    login_user(user, remember=remember)


def remembered() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


# ---------------------------------------------------------------- login, logout


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    LOGIN_FAILURES_PER_ADDRESS,
    methods=["POST"],
    deduct_when=is_counted,
    on_breach=limited(lambda message: form_page("auth/login.html", LoginForm(), message)),
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data)
        if result.ok:
            log_in(result.user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=result.user.full_name), "success")
            if result.user.must_change_password:
                return redirect(url_for(".change_password"))
            return redirect(local_path(request.args.get("next")) or url_for("site.home"))
        count_attempt()
        if result.outcome is services.Outcome.THROTTLED:
            page = form_page("auth/login.html", form, throttled_message(result.retry_at))
            seconds = max(1, math.ceil((result.retry_at - utcnow()).total_seconds()))
            return page, 429, {"Retry-After": str(seconds)}
        form.form_errors.append(login_failure_message(result.outcome))
    return render_template("auth/login.html", form=form)


def throttled_message(retry_at: datetime) -> str:
    """A login name waiting after failures: the same words whether or not it has an account."""
    minutes, at = waiting(retry_at)
    return ngettext(
        "After several failed attempts, logging in with this login name is paused: try again "
        "in %(num)d minute, at %(time)s. Resetting your password lifts the pause at once.",
        "After several failed attempts, logging in with this login name is paused: try again "
        "in %(num)d minutes, at %(time)s. Resetting your password lifts the pause at once.",
        minutes,
        time=at,
    )


def login_failure_message(outcome: services.Outcome) -> str:
    if outcome is services.Outcome.PENDING_VERIFICATION:
        return _("Confirm your e-mail address first: follow the link we sent you.")
    if outcome is services.Outcome.PENDING_APPROVAL:
        return _("Your registration is waiting for approval. We will tell you by e-mail.")
    if outcome is services.Outcome.INACTIVE:
        return _("This account cannot log in. Contact your unit's account administrator.")
    # One message for every other cause: nothing tells whether the account exists.
    return _(
        "Wrong login name or password. After several failed attempts, logging in to an "
        "account is paused for a few minutes: try again later or reset your password."
    )


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.log_out(me())  # ends the user's sessions on every device
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("site.home"))


# ---------------------------------------------------------------- registration


def registration_form() -> RegistrationForm:
    form = RegistrationForm()
    form.domain.choices = [SelectChoice(d) for d in services.login_domains()]
    form.province.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(p.code, p.name) for p in catalogue.provinces()
    ]
    return form


def limited_registration(message: str) -> str:
    return form_page("auth/register.html", registration_form(), message)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(
    REGISTRATIONS_PER_ADDRESS,
    methods=["POST"],
    deduct_when=is_counted,
    on_breach=limited(limited_registration),
)
@limiter.limit(
    REGISTRATIONS_PER_CCCD,
    methods=["POST"],
    key_func=cccd_key,
    deduct_when=is_counted,
    on_breach=limited(limited_registration),
)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = registration_form()
    if form.validate_on_submit():
        draft = form.to_draft(language=select_locale())
        try:
            services.register(draft)  # an existing account's owner is mailed instead
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            count_attempt()
            # The same page whether or not the CCCD has an account.
            return render_template("auth/registered.html", email=draft.email.strip())
    return render_template("auth/register.html", form=form)


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """The link from the confirmation mail: a page whose button (POST) confirms."""
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            services.confirm_email(token)
            flash(
                _(
                    "Thank you: your e-mail address is confirmed. An approver will now review "
                    "your registration; we will tell you by e-mail."
                ),
                "success",
            )
            return redirect(url_for(".login"))
        user = services.check_verification_link(token)
    except (services.LinkExpired, services.LinkInvalid) as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    return render_template(
        "auth/confirm.html",
        form=form,
        title=_("Confirm your e-mail address"),
        text=_(
            "Press the button to confirm the address %(email)s for the account %(username)s.",
            email=user.email,
            username=user.masked_username,
        ),
        button=_("Confirm my e-mail address"),
    )


# ---------------------------------------------------------------- passwords


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    PASSWORD_CHANGES_PER_ACCOUNT,
    methods=["POST"],
    key_func=own_account_key,
    on_breach=limited(
        lambda message: form_page(
            "auth/change_password.html",
            ChangePasswordForm(),
            message,
            forced=current_user.must_change_password,
        )
    ),
)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.change_password(me(), form.current_password.data, form.password.data)
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            log_in(user, remember=remembered())  # this session goes on; the others ended
            flash(
                _(
                    "Your password is changed. Your other sessions have ended and your API "
                    "tokens, if you had any, were revoked."
                ),
                "success",
            )
            return redirect(url_for("site.home"))
    return render_template(
        "auth/change_password.html", form=form, forced=current_user.must_change_password
    )


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(
    RESET_REQUESTS_PER_ADDRESS,
    methods=["POST"],
    deduct_when=is_counted,
    on_breach=limited(
        lambda message: form_page("auth/reset_request.html", PasswordResetRequestForm(), message)
    ),
)
def request_reset():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        count_attempt()
        services.request_password_reset(form.username.data)
        # The same answer whether or not the account exists.
        flash(
            _(
                "If an active account has this login name, we have sent a link to its e-mail "
                "address. The link is valid for one hour."
            ),
            "info",
        )
        return redirect(url_for(".login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return password_link_page("reset", token)


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    return password_link_page("activate", token)


def password_link_page(purpose: str, token: str):
    """Set a password from a mailed link (GET shows the form, so a scanner's visit is harmless)."""
    form = SetPasswordForm()
    try:
        user = services.check_password_link(purpose, token)
        if form.validate_on_submit():
            try:
                services.set_password_by_link(purpose, token, form.password.data)
            except (services.LinkExpired, services.LinkInvalid):
                raise
            except errors.HelpdeskError as error:
                errors.attach_to_form(form, error)
            else:
                if current_user.is_authenticated:
                    logout_user()
                flash(_("Your password is set. You can log in now."), "success")
                return redirect(url_for(".login"))
    except (services.LinkExpired, services.LinkInvalid) as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    title = _("Activate your account") if purpose == "activate" else _("Choose a new password")
    return render_template(
        "auth/set_password.html", form=form, title=title, username=user.masked_username
    )


# ---------------------------------------------------------------- profile


def own_account_key() -> str:
    """The rate limiter's key for the signed-in account: guesses of the current password (a
    new e-mail address needs it) are limited per account, as logins are."""
    return f"profile:{getattr(current_user, 'id', '')}"


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@limiter.limit("10/minute;50/hour", methods=["POST"], key_func=own_account_key)
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            mailed = services.update_profile(me(), form.to_change())
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Your profile is saved."), "success")
            if mailed:
                flash(
                    _(
                        "We sent a link to %(email)s: the new address is used once you follow it.",
                        email=current_user.pending_email,
                    ),
                    "info",
                )
            return redirect(url_for(".profile"))
    return render_template(
        "auth/profile.html",
        form=form,
        user=me(),
        is_admin=current_user.role == Role.ADMIN,
    )


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            services.confirm_email_change(token)
            flash(_("Your new e-mail address is confirmed."), "success")
            return redirect(
                url_for(".profile") if current_user.is_authenticated else url_for(".login")
            )
        user = services.check_email_change_link(token)
    except (services.LinkExpired, services.LinkInvalid) as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    return render_template(
        "auth/confirm.html",
        form=form,
        title=_("Confirm your new e-mail address"),
        text=_(
            "Press the button to use %(email)s for the account %(username)s.",
            email=user.pending_email,
            username=user.masked_username,
        ),
        button=_("Confirm the new address"),
    )


@bp.route("/email/undo/<token>", methods=["GET", "POST"])
def undo_email_change(token: str):
    """The link mailed to the old address: a page whose button (POST) restores it."""
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            reset_token = services.undo_email_change(token)
            if current_user.is_authenticated:
                logout_user()
            flash(
                _(
                    "Your e-mail address is restored. Every session of the account has ended "
                    "and its API tokens were revoked. The password that was used no longer "
                    "works: choose a new one."
                ),
                "success",
            )
            if reset_token is None:
                return redirect(url_for(".login"))
            return redirect(url_for(".reset_password", token=reset_token))
        change = services.check_email_undo_link(token)
    except (services.LinkExpired, services.LinkInvalid) as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    return render_template(
        "auth/confirm.html",
        form=form,
        title=_("Undo the change of e-mail address"),
        text=_(
            "Press the button to give the account %(username)s back its address %(email)s. "
            "This also ends every session of the account, revokes its API tokens and makes "
            "its password stop working: you then choose a new one.",
            username=change.user.masked_username,
            email=change.old_email,
        ),
        button=_("Restore my address"),
    )


@bp.route("/tokens")
@login_required
def tokens():
    """The API tokens page lives with the API; old links land there."""
    return redirect(url_for("tokens.index"))
