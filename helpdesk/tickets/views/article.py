"""Turning a resolved ticket's answer into a help article draft, in one click."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import STAFF_ROLES
from helpdesk.auth.permissions import me, role_required
from helpdesk.tickets import forms, services
from helpdesk.tickets.services import articles
from helpdesk.tickets.views import bp, checked_number


@bp.route("/<number>/article", methods=["POST"])
@role_required(*STAFF_ROLES)
def draft_article(number: str):
    number = checked_number(number)
    ticket = services.get_ticket(me(), number)
    if not forms.ActionForm().validate_on_submit():
        return redirect(url_for(".show", number=number))
    try:
        article = articles.draft_article(me(), ticket)
    except errors.Invalid as error:
        flash(error.message, "warning")
        return redirect(url_for(".show", number=number))
    flash(
        _("Draft made from the answer: check it, remove anything personal, then publish it."),
        "success",
    )
    return redirect(url_for("help.edit", slug=article.slug))
