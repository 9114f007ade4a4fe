"""The requester's pages: filing, my tickets, the ticket page, replies, confirming, reopening,
rating, attachments (the ticket page and replies serve staff too)."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import errors, storage, text
from helpdesk.auth.models import Role, is_staff
from helpdesk.auth.permissions import me, role_required
from helpdesk.directory import services as directory
from helpdesk.extensions import db
from helpdesk.inputs import id_from, int_arg
from helpdesk.tickets import forms, join_forms, services
from helpdesk.tickets.services import canned as canned_replies
from helpdesk.tickets.services import followers, incidents, pages
from helpdesk.tickets.views import bp, checked_number
from helpdesk.tickets.views.page import catalogue_choices, render_ticket

PER_PAGE = 20
QUERY_LIMIT = 200
WHOLE_NUMBER = re.compile(r"[A-Za-z]+-\d{4}-\d+")
FILERS = (Role.REQUESTER, Role.UNIT_ADMIN, Role.ADMIN)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*FILERS)
def new():
    unit = current_user.unit
    # A help article's "not solved yet?" link names its system and category.
    chosen = {name: request.args[name] for name in ("system", "category") if request.args.get(name)}
    form = forms.TicketForm(
        **chosen,
        province=current_user.province_code,
        unit=unit.name if unit else "",
        unit_code=(unit.code or "") if unit else "",
    )
    form.fill_choices(**catalogue_choices())
    if not form.submission_key.data:
        form.submission_key.data = forms.new_submission_key()
    # A known incident's "this is my problem too" button sends the form with its number.
    joining = join_forms.incident_asked(request.form) if request.method == "POST" else ""
    if joining:
        join_forms.for_joining(form)
    if form.validate_on_submit():
        try:
            draft = form.to_draft(files("attachments"))
            if joining:
                ticket = incidents.join(me(), joining, draft)
            else:
                ticket = services.create_ticket(me(), draft)
        except errors.Invalid as error:
            db.session.rollback()
            errors.attach_to_form(form, error)
        else:
            flash(filed_message(ticket), "success")
            return redirect(url_for(".show", number=ticket.number))
    if form.submission_key.errors:
        # A hidden field the page wrote: a key it did not write came from an altered page or
        # script. Its error has no place on the page, and sending the key again would fail
        # again: the form gets a new key and says so above the fields, the input kept.
        form.submission_key.data = forms.new_submission_key()
        form.form_errors.append(_("The form could not be read whole: check it and send it again."))
    status = 422 if form.errors or form.form_errors else 200
    contacts = directory.contacts_for(form.system.data, form.province.data)
    return render_template("tickets/new.html", form=form, filing_contacts=contacts), status


def filed_message(ticket) -> str:
    if ticket.parent is not None and ticket.parent.is_incident:
        return _(
            "Ticket %(number)s filed. It joined the known incident “%(title)s”: its updates "
            "will reach you.",
            number=ticket.number,
            title=ticket.parent.subject,
        )
    return _("Ticket %(number)s filed.", number=ticket.number)


@bp.route("/")
@login_required
def index():
    if is_staff(me()):
        return redirect(url_for(".queue"))
    status = request.args.get("status", "all")
    if status not in forms.REQUESTER_STATUS_FILTERS:
        status = "all"
    q = search_box()
    # A ticket's whole number finds it whatever its status.
    wanted = None if status == "all" or WHOLE_NUMBER.fullmatch(q) else status
    scopes = followers.list_scopes(me())  # none: the official sees their own tickets only
    scope = request.args.get("scope", "")
    scope = scope if scope in scopes else ""
    filters = services.TicketFilters(
        status=wanted,
        mine=scope == "mine" or not scopes,
        following=scope == "following",
        my_unit=scope == "unit",
        q=q,
    )
    page = services.list_tickets(me(), filters, page=int_arg("page"), per_page=PER_PAGE)
    return render_template(
        "tickets/index.html",
        page=page,
        status=status,
        q=q,
        status_filters=forms.REQUESTER_STATUS_FILTERS,
        scope=scope,
        scope_filters={name: forms.SCOPE_LABELS[name] for name in ("", *scopes)} if scopes else {},
    )


def search_box() -> str:
    """The requester's search box; a value it could not have sent counts as not given."""
    q = request.args.get("q", "").strip()
    if len(q) > QUERY_LIMIT or text.has_control_characters(q, multiline=False):
        return ""
    return q


@bp.route("/<number>")
@login_required
def show(number: str):
    return render_ticket(checked_number(number))


@bp.route("/<number>/reply", methods=["POST"])
@login_required
def reply(number: str):
    """A requester's reply; for staff the composer: a reply or an internal note
    (`visibility`), its files, a canned reply, and the status set with it, in one action."""
    number = checked_number(number)
    ticket = services.get_ticket(me(), number)
    staff = is_staff(me())
    form = forms.ComposerForm() if staff else forms.ReplyForm()
    if staff and request.form.get("insert_canned"):
        return insert_canned(number, ticket, form)
    if not form.validate_on_submit():
        return render_ticket(number, status=422, bound={"reply": form})
    uploads = forms.uploads_from(files("attachments"))
    try:
        if staff:
            internal = form.visibility.data == "internal"
            message = services.respond(
                me(),
                ticket,
                with_canned(ticket, form),
                internal=internal,
                uploads=uploads,
                status=form.status.data or None,
                resolution=form.resolution.data,
                version=forms.version_of(form.version),
            )
        else:
            internal, message = (
                False,
                services.add_message(me(), ticket, form.body.data, uploads=uploads),
            )
    except errors.Conflict as error:
        return conflict(number, error, "reply", form)
    except errors.Invalid as error:
        errors.attach_to_form(form, error)
        return render_ticket(number, status=422, bound={"reply": form})
    flash(sent_message(staff, internal, message, form), "success")
    return redirect(url_for(".show", number=number, _anchor="reply"))


def sent_message(staff: bool, internal: bool, message, form) -> str:
    """What the page says once the reply, note or status is saved."""
    if not staff:
        return _("Your reply was sent.")
    if message is None:
        return _("Status changed.")
    status = form.status.data
    if not status:
        return _("Internal note added.") if internal else _("Your reply was sent.")
    label = forms.STATUS_LABELS.get(status, status)
    if internal:
        return _("Internal note added; the status is now %(status)s.", status=label)
    return _("Your reply was sent; the status is now %(status)s.", status=label)


def with_canned(ticket, form) -> str:
    """The composer's text, with the canned reply chosen in it (sent without scripts, the
    select's choice is not in the box yet) after it."""
    chosen = id_from(form.canned.data)
    canned = canned_replies.find_canned_for(ticket, chosen) if chosen is not None else None
    body = (form.body.data or "").strip()
    return "\n\n".join(t for t in (body, canned.body if canned else "") if t)


def insert_canned(number: str, ticket, form):
    """Put a canned reply's text into the reply box (nothing is saved until it is sent)."""
    form.body.data = with_canned(ticket, form)
    form.canned.data = ""
    return render_ticket(number, bound={"reply": form})


@bp.route("/<number>/confirm", methods=["POST"])
@login_required
def confirm(number: str):
    number = checked_number(number)
    ticket = services.get_ticket(me(), number)
    if forms.ActionForm().validate_on_submit():
        try:
            services.confirm_resolution(me(), ticket)
        except errors.Invalid as error:
            flash(error.message, "warning")
        else:
            flash(_("Thank you. The ticket is closed."), "success")
    return redirect(url_for(".show", number=number))


@bp.route("/<number>/reopen", methods=["POST"])
@login_required
def reopen(number: str):
    number = checked_number(number)
    ticket = services.get_ticket(me(), number)
    form = forms.ReopenForm()
    if not form.validate_on_submit():
        return render_ticket(number, status=422, bound={"reopen": form})
    try:
        services.reopen(me(), ticket, reason=form.reopen_reason.data or "")
    except errors.Invalid as error:
        if "reason" not in error.fields:  # past the window: the form is no longer shown
            flash(error.message, "warning")
            return redirect(url_for(".show", number=number))
        errors.attach_to_form(form, error_for(error, reason="reopen_reason"))
        return render_ticket(number, status=422, bound={"reopen": form})
    flash(_("The ticket is open again; the team has been told."), "success")
    return redirect(url_for(".show", number=number))


@bp.route("/<number>/rate", methods=["POST"])
@login_required
def rate(number: str):
    number = checked_number(number)
    ticket = services.get_ticket(me(), number)
    form = forms.RateForm()
    if not form.validate_on_submit():
        return render_ticket(number, status=422, bound={"rate": form})
    try:
        services.rate(me(), ticket, rating=form.rating.data, comment=form.comment.data)
    except errors.Conflict as error:
        flash(error.message, "warning")
        return redirect(url_for(".show", number=number))
    except errors.Invalid as error:
        errors.attach_to_form(form, error)
        return render_ticket(number, status=422, bound={"rate": form})
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for(".show", number=number))


@bp.route("/<number>/attachments/<int:attachment_id>")
@login_required
def attachment(number: str, attachment_id: int):
    """A file of the ticket, always as a download that the browser may not interpret."""
    found = pages.get_attachment(current_user, checked_number(number), attachment_id)
    return storage.download(found.sha256, found.filename)


# ---------------------------------------------------------------- shared by the staff views


def files(name: str):
    return request.files.getlist(name)


def error_for(error: errors.HelpdeskError, **renamed) -> errors.HelpdeskError:
    """The service's error with its field names as this form names them."""
    fields = {renamed.get(name, name): message for name, message in error.fields.items()}
    return errors.HelpdeskError(error.message, fields=fields)


def conflict(number: str, error: errors.Conflict, name: str, form):
    """Someone changed the ticket meanwhile: say so, show it as it is now, keep the input."""
    flash(error.message, "danger")
    return render_ticket(number, status=409, bound={name: form})
