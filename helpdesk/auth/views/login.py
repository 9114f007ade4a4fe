"""Logging in and out, registering, confirming the address of a registration."""

from __future__ import annotations

import math
from datetime import datetime

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user
from wtforms import SelectChoice

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.forms import (
    LoginForm,
    RegistrationForm,
)
from helpdesk.auth.permissions import me
from helpdesk.auth.views import (
    LOGIN_FAILURES_PER_ADDRESS,
    REGISTRATIONS_PER_ADDRESS,
    REGISTRATIONS_PER_CCCD,
    bp,
    count_attempt,
    form_page,
    is_counted,
    limited,
    log_in,
    waiting,
)
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import limiter
from helpdesk.i18n import select_locale
from helpdesk.inputs import ButtonForm, local_path
from helpdesk.timeutil import utcnow


def cccd_key() -> str:
    """The registration limiter's key for one CCCD: a keyed digest (no CCCD in Redis)."""
    return "registration:" + services.throttle_key(request.form.get("cccd", "")[:40])


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
    form = ButtonForm()
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
