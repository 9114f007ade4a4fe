"""The profile page, the links that confirm or undo a change of e-mail address, the link in
each digest that stops the digests, the old link to the tokens page."""

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
    ProfileForm,
)
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import me
from helpdesk.auth.views import (
    bp,
)
from helpdesk.extensions import limiter
from helpdesk.inputs import ButtonForm


def profile_key() -> str:
    """The rate limiter's key for the signed-in account: guesses of the current password (a
    new e-mail address needs it) are limited per account, as logins are."""
    return f"profile:{getattr(current_user, 'id', '')}"


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@limiter.limit("10/minute;50/hour", methods=["POST"], key_func=profile_key)
def profile():
    form = ProfileForm(obj=current_user)
    choosing = services.may_choose_unit(me())
    digests = services.may_get_digests(me())
    if not form.is_submitted():
        form.unit.data = current_user.unit.name if current_user.unit else ""
        form.unit_code.data = ""
    if form.validate_on_submit():
        try:
            change = form.to_change(with_unit=choosing, with_digests=digests)
            mailed = services.update_profile(me(), change)
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
        choosing_unit=choosing,
        digests=digests,
    )


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    form = ButtonForm()
    if form.validate_on_submit():
        services.confirm_email_change(token)
        flash(_("Your new e-mail address is confirmed."), "success")
        return redirect(url_for(".profile") if current_user.is_authenticated else url_for(".login"))
    user = services.check_email_change_link(token)
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
    form = ButtonForm()
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


@bp.route("/digests/stop/<token>", methods=["GET", "POST"])
def stop_digests(token: str):
    """The link in each digest: a page whose button (POST) stops the digests."""
    form = ButtonForm()
    if form.validate_on_submit():
        services.stop_digests(token)
        flash(
            _("You will no longer receive the digests. You can have them again in your profile."),
            "success",
        )
        return redirect(url_for(".profile") if current_user.is_authenticated else url_for(".login"))
    user = services.check_digest_link(token)
    return render_template(
        "auth/confirm.html",
        form=form,
        title=_("Stop the digests"),
        text=_(
            "Press the button to stop the weekly and monthly digests of the account %(username)s.",
            username=user.masked_username,
        ),
        button=_("Stop the digests"),
    )


@bp.route("/tokens")
@login_required
def tokens():
    """The API tokens page lives with the API; old links land there."""
    return redirect(url_for("tokens.index"))
