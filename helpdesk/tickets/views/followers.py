"""The ticket page's followers panel: the requester adds colleagues of their unit, staff add
anyone who may see the ticket (by login name) or follow it themselves; the requester, staff or
the follower themself ends a follow."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from helpdesk import errors
from helpdesk.auth import services as accounts
from helpdesk.auth.models import STAFF_ROLES, is_staff
from helpdesk.auth.permissions import me, role_required
from helpdesk.inputs import ButtonForm, id_from
from helpdesk.tickets import follower_forms, services
from helpdesk.tickets.services import followers, pages
from helpdesk.tickets.views import bp, checked_number
from helpdesk.tickets.views.page import render_ticket
from helpdesk.tickets.views.requester import error_for


@bp.route("/<number>/followers", methods=["POST"])
@login_required
def add_follower(number: str):
    """The requester's choice of a colleague (`colleague`), or staff's login name (`username`)."""
    number = checked_number(number)
    ticket = services.get_ticket(me(), number)
    staff = is_staff(me())
    name = "follower" if staff else "colleague"
    form = follower_forms.FollowerForm() if staff else follower_forms.ColleagueForm()
    if not form.validate_on_submit():
        return render_ticket(number, status=422, bound={name: form})
    if staff:
        person = accounts.find_user(form.username.data.strip())
    else:
        chosen = id_from(form.colleague.data)
        person = pages.find_user(chosen) if chosen is not None else None
    try:
        followers.add_follower(me(), ticket, person)
    except errors.Invalid as error:
        errors.attach_to_form(form, error_for(error, follower="username" if staff else name))
        return render_ticket(number, status=422, bound={name: form})
    flash(_("%(name)s now follows the ticket.", name=person.full_name), "success")
    return redirect(url_for(".show", number=number, _anchor="followers"))


@bp.route("/<number>/follow", methods=["POST"])
@role_required(*STAFF_ROLES)
def follow(number: str):
    """Staff follow the ticket themselves."""
    number = checked_number(number)
    ticket = services.get_ticket(me(), number)
    if ButtonForm().validate_on_submit():
        try:
            followers.add_follower(me(), ticket, me())
        except errors.Invalid as error:
            flash(error.message, "warning")
        else:
            flash(_("You follow this ticket."), "success")
    return redirect(url_for(".show", number=number, _anchor="followers"))


@bp.route("/<number>/followers/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_follower(number: str, user_id: int):
    """The requester, staff, or the follower themself (who may then no longer see it)."""
    number = checked_number(number)
    ticket = services.get_ticket(me(), number)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for(".show", number=number))
    followers.remove_follower(me(), ticket, user_id)
    if user_id == me().id:
        flash(_("You no longer follow this ticket."), "success")
        try:
            services.get_ticket(me(), number)
        except errors.NotFound:
            return redirect(url_for(".index"))
    else:
        flash(_("The follower was removed."), "success")
    return redirect(url_for(".show", number=number, _anchor="followers"))
