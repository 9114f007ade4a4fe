"""The outbox page of admins: recent messages and their state, a retry for failed ones."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import role_required
from helpdesk.extensions import db
from helpdesk.inputs import ButtonForm, int_arg
from helpdesk.notifications import admin
from helpdesk.notifications.models import OutboxStatus

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")

PER_PAGE = 50


def chosen_status() -> str | None:
    status = request.args.get("status", "")
    return status if status in set(OutboxStatus) else None


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    status = chosen_status()
    page = db.paginate(
        admin.recent(status=status),
        page=int_arg("page"),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "outbox/index.html",
        page=page,
        status=status,
        statuses=list(OutboxStatus),
        form=ButtonForm(),
    )


@bp.route("/<int:outbox_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry(outbox_id: int):
    if ButtonForm().validate_on_submit():
        try:
            admin.retry_failed(outbox_id)
        except errors.Conflict as error:
            flash(error.message, "warning")
        else:
            flash(_("Message %(id)d is queued again.", id=outbox_id), "success")
    return redirect(url_for(".index", status=chosen_status()))
