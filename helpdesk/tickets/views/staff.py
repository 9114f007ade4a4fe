"""The staff controls of the ticket page: notes, status, assignment, transfer, escalation,
priority, facts, merge, external reference (its incident: views/incidents.py). Every control
carries the ticket's version: a stale page gets a conflict."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import STAFF_ROLES
from helpdesk.auth.permissions import me, role_required
from helpdesk.tickets import forms, services
from helpdesk.tickets.services import pages, references
from helpdesk.tickets.views import bp, checked_number
from helpdesk.tickets.views.page import catalogue_choices, render_ticket
from helpdesk.tickets.views.requester import conflict, error_for, files


def act(number: str, name: str, form, call: Callable, done: str, **renamed):
    """Check the form, call the service, answer: back to the page with a message on success;
    the page again with the message beside its field (422) or the conflict (409)."""
    if not form.validate_on_submit():
        return render_ticket(number, status=422, bound={name: form})
    try:
        call()
    except errors.Conflict as error:
        return conflict(number, error, name, form)
    except errors.Invalid as error:
        errors.attach_to_form(form, error_for(error, **renamed))
        return render_ticket(number, status=422, bound={name: form})
    flash(done, "success")
    return redirect(back_to(number))


def back_to(number: str) -> str:
    """The ticket's page, or the queue when the ticket has just left what the user sees
    (transferred or escalated to a team they are not in)."""
    try:
        services.get_ticket(me(), number)
    except errors.NotFound:
        return url_for(".queue")
    return url_for(".show", number=number)


def staff_ticket(number: str):
    number = checked_number(number)
    return number, services.get_ticket(me(), number)


@bp.route("/<number>/note", methods=["POST"])
@role_required(*STAFF_ROLES)
def note(number: str):
    number, ticket = staff_ticket(number)
    form = forms.NoteForm()
    return act(
        number,
        "note",
        form,
        lambda: services.add_message(
            me(),
            ticket,
            form.note.data,
            internal=True,
            uploads=forms.uploads_from(files("note_attachments")),
            version=forms.version_of(form.version),
        ),
        _("Internal note added."),
        body="note",
        attachments="note_attachments",
    )


@bp.route("/<number>/status", methods=["POST"])
@role_required(*STAFF_ROLES)
def status(number: str):
    number, ticket = staff_ticket(number)
    form = forms.StatusForm()
    return act(
        number,
        "status",
        form,
        lambda: services.change_status(
            me(),
            ticket,
            form.status.data,
            reason=form.status_reason.data or "",
            resolution=form.resolution.data,
            version=forms.version_of(form.version),
        ),
        _("Status changed."),
        reason="status_reason",
    )


@bp.route("/<number>/claim", methods=["POST"])
@role_required(*STAFF_ROLES)
def claim(number: str):
    number, ticket = staff_ticket(number)
    form = forms.ActionForm()
    return act(
        number,
        "claim",
        form,
        lambda: services.claim(me(), ticket, version=forms.version_of(form.version)),
        _("The ticket is yours."),
    )


@bp.route("/<number>/assign", methods=["POST"])
@role_required(*STAFF_ROLES)
def assign(number: str):
    number, ticket = staff_ticket(number)
    form = forms.AssignForm()

    def call():
        chosen = form.assignee.data or ""
        assignee = pages.find_user(int(chosen)) if chosen else None
        if chosen and assignee is None:
            raise errors.Invalid(_("Choose an agent."), "assignee")
        services.assign(me(), ticket, assignee, version=forms.version_of(form.version))

    return act(number, "assign", form, call, _("Assignment saved."))


@bp.route("/<number>/transfer", methods=["POST"])
@role_required(*STAFF_ROLES)
def transfer(number: str):
    number, ticket = staff_ticket(number)
    form = forms.TransferForm()
    return act(
        number,
        "transfer",
        form,
        lambda: services.transfer_ticket(
            me(),
            ticket,
            int(form.queue.data),
            reason=form.transfer_reason.data,
            version=forms.version_of(form.version),
        ),
        _("The ticket was transferred."),
        reason="transfer_reason",
    )


@bp.route("/<number>/escalate", methods=["POST"])
@role_required(*STAFF_ROLES)
def escalate(number: str):
    number, ticket = staff_ticket(number)
    form = forms.EscalateForm()
    return act(
        number,
        "escalate",
        form,
        lambda: services.escalate(
            me(),
            ticket,
            reason=form.escalate_reason.data,
            version=forms.version_of(form.version),
        ),
        _("The ticket was escalated to the next tier."),
        reason="escalate_reason",
    )


@bp.route("/<number>/priority", methods=["POST"])
@role_required(*STAFF_ROLES)
def priority(number: str):
    number, ticket = staff_ticket(number)
    form = forms.PriorityForm()
    return act(
        number,
        "priority",
        form,
        lambda: services.change_priority(
            me(), ticket, form.priority.data, version=forms.version_of(form.version)
        ),
        _("Priority changed."),
    )


@bp.route("/<number>/facts", methods=["POST"])
@role_required(*STAFF_ROLES)
def facts(number: str):
    number, ticket = staff_ticket(number)
    form = forms.FactsForm()
    form.fill_choices(**catalogue_choices())
    return act(
        number,
        "facts",
        form,
        lambda: services.change_facts(
            me(),
            ticket,
            system=form.system.data,
            category=form.category.data,
            province=form.province.data,
            version=forms.version_of(form.version),
        ),
        _("System, category and province saved; the ticket was routed again."),
    )


@bp.route("/<number>/merge", methods=["POST"])
@role_required(*STAFF_ROLES)
def merge(number: str):
    number, ticket = staff_ticket(number)
    form = forms.MergeForm()

    def call():
        target = target_ticket(form.target.data, "target")
        services.merge(me(), ticket, target, version=forms.version_of(form.version))

    return act(number, "merge", form, call, _("The ticket was merged."))


@bp.route("/<number>/external-ref", methods=["POST"])
@role_required(*STAFF_ROLES)
def external_ref(number: str):
    number, ticket = staff_ticket(number)
    form = forms.ExternalRefForm()
    return act(
        number,
        "external_ref",
        form,
        lambda: references.change_external_ref(
            me(), ticket, form.external_ref.data or "", version=forms.version_of(form.version)
        ),
        _("External reference saved."),
    )


def target_ticket(number: str, field: str):
    """The ticket a form names by number; errors.Invalid on that field if not found."""
    try:
        return services.get_ticket(me(), number.strip())
    except errors.NotFound as error:
        raise errors.Invalid(_("No ticket with that number."), field) from error
