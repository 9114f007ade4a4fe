"""The account's API tokens on the web: list them, create one (shown once), revoke one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import errors
from helpdesk.api import services
from helpdesk.api.forms import NewTokenForm, RevokeTokenForm

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            token = services.issue_token(current_user, name=form.name.data)
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            # Shown on this answer only (never flashed: the session cookie is not secret).
            response = render_template("tokens/created.html", token=token, name=form.name.data)
            return response, 200, {"Cache-Control": "no-store"}
    return render_template(
        "tokens/index.html",
        form=form,
        revoke_form=RevokeTokenForm(),
        tokens=services.list_tokens(current_user),
    )


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    if not RevokeTokenForm().validate_on_submit():
        flash(_("The form has expired. Please reload the page and try again."), "warning")
        return redirect(url_for(".index"))
    token = services.revoke_token(current_user, token_id)
    flash(_("The token %(prefix)s… no longer works.", prefix=token.prefix), "success")
    return redirect(url_for(".index"))
