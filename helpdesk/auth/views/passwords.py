"""Passwords: the change, the reset request, and the mailed links that set one (reset,
activation)."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.forms import (
    ChangePasswordForm,
    PasswordResetRequestForm,
    SetPasswordForm,
)
from helpdesk.auth.permissions import me
from helpdesk.auth.views import (
    PASSWORD_CHANGES_PER_ACCOUNT,
    RESET_REQUESTS_PER_ADDRESS,
    bp,
    count_attempt,
    form_page,
    is_counted,
    limited,
    log_in,
    remembered,
)
from helpdesk.extensions import limiter


def password_change_key() -> str:
    """The rate limiter's key for password changes: the signed-in account."""
    return f"account:{current_user.id}"


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    PASSWORD_CHANGES_PER_ACCOUNT,
    methods=["POST"],
    key_func=password_change_key,
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
    user = services.check_password_link(purpose, token)
    if form.validate_on_submit():
        try:
            services.set_password_by_link(purpose, token, form.password.data)
        except (services.LinkExpired, services.LinkInvalid):
            raise  # the blueprint's page for links (auth.views.link_not_usable)
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is set. You can log in now."), "success")
            return redirect(url_for(".login"))
    title = _("Activate your account") if purpose == "activate" else _("Choose a new password")
    return render_template(
        "auth/set_password.html", form=form, title=title, username=user.masked_username
    )
