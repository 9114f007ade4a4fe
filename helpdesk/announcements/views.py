"""The announcements page of admins and the ministry's IT staff: the list, the form to post one,
the button to end one. Anyone else is told the page does not exist."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.announcements import services
from helpdesk.announcements.forms import AUDIENCE_LABELS, AnnouncementForm, EndForm
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import me, role_required
from helpdesk.timeutil import utcnow

bp = Blueprint("announcements", __name__, url_prefix="/admin/announcements")
POSTERS = (Role.ADMIN, Role.AGENT, Role.SUPERVISOR)  # the service narrows it to IT staff


@bp.route("/", methods=["GET", "POST"])
@role_required(*POSTERS)
def index():
    every_system, systems = services.posting_systems(me())
    form = AnnouncementForm()
    form.fill_systems(systems, every_system=every_system)
    if form.validate_on_submit():
        try:
            services.post_announcement(me(), form.to_draft())
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Announcement posted."), "success")
            return redirect(url_for(".index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "announcements/index.html",
        form=form,
        end_form=EndForm(),
        announcements=services.list_announcements(me()),
        audience_labels=AUDIENCE_LABELS,
        now=utcnow(),
    ), status


@bp.route("/<int:announcement_id>/end", methods=["POST"])
@role_required(*POSTERS)
def end(announcement_id: int):
    services.require_poster(me())
    if EndForm().validate_on_submit():
        services.end_announcement(me(), announcement_id)
        flash(_("Announcement ended."), "success")
    return redirect(url_for(".index"))
