"""Canned replies for supervisors and admins: list, create, edit, delete."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import me, role_required
from helpdesk.inputs import id_from
from helpdesk.tickets import forms
from helpdesk.tickets.services import canned as service
from helpdesk.tickets.views import bp

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def canned_form(**data) -> forms.CannedReplyForm:
    form = forms.CannedReplyForm(**data)
    form.queue.choices = forms.options(
        [("", _("Every queue"))] + [(str(q.id), q.name) for q in service.manageable_queues(me())]
    )
    return form


def draft_of(form: forms.CannedReplyForm) -> service.CannedDraft:
    return service.CannedDraft(
        title=form.title.data or "",
        body=form.body.data or "",
        queue_id=id_from(form.queue.data),
    )


@bp.route("/canned")
@role_required(*SUPERVISORS)
def canned_list():
    queues = {q.id: q.name for q in service.manageable_queues(me())}
    return render_template(
        "tickets/canned_list.html",
        replies=service.list_canned(me()),
        queues=queues,
        delete_form=forms.ActionForm(),
    )


@bp.route("/canned/new", methods=["GET", "POST"])
@role_required(*SUPERVISORS)
def canned_new():
    return edit_canned(canned_form(), None)


@bp.route("/canned/<int:canned_id>", methods=["GET", "POST"])
@role_required(*SUPERVISORS)
def canned_edit(canned_id: int):
    reply = service.get_canned(me(), canned_id)
    form = canned_form(obj=reply, queue=str(reply.queue_id or ""))
    return edit_canned(form, canned_id)


def edit_canned(form: forms.CannedReplyForm, canned_id: int | None):
    if form.validate_on_submit():
        try:
            service.save_canned(me(), draft_of(form), canned_id=canned_id)
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Canned reply saved."), "success")
            return redirect(url_for(".canned_list"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("tickets/canned_edit.html", form=form, canned_id=canned_id), status


@bp.route("/canned/<int:canned_id>/delete", methods=["POST"])
@role_required(*SUPERVISORS)
def canned_delete(canned_id: int):
    if forms.ActionForm().validate_on_submit():
        service.delete_canned(me(), canned_id)
        flash(_("Canned reply deleted."), "success")
    return redirect(url_for(".canned_list"))
