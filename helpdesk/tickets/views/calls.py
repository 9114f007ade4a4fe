"""The hotline's pages (staff): find the official who calls, file the ticket for them as a call,
or make a waiting account for an official who has none and then file it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from helpdesk import errors
from helpdesk.auth import services as accounts
from helpdesk.auth.models import STAFF_ROLES, Role
from helpdesk.auth.permissions import me, role_required
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.tickets import call_forms, forms
from helpdesk.tickets.services import calls
from helpdesk.tickets.views import bp
from helpdesk.tickets.views.page import catalogue_choices
from helpdesk.tickets.views.requester import files

# The account service's field names as the account form names them.
ACCOUNT_FIELDS = {"username": "cccd", "province_code": "province"}


@bp.route("/phone")
@role_required(*STAFF_ROLES)
def phone():
    """Take a call: the search for the official (GET `q`), and who it found."""
    form = call_forms.CallerSearchForm(formdata=request.args)
    q = (form.q.data or "").strip() if form.validate() else ""
    found = calls.find_callers(me(), q) if q else None
    return render_template("tickets/phone.html", form=form, q=q, found=found)


@bp.route("/phone/<int:official_id>", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def phone_file(official_id: int):
    """The official's filing form, filled in while they are on the line."""
    official = calls.get_caller(me(), official_id)
    unit = official.unit
    form = call_forms.CallTicketForm(
        province=official.province_code,
        unit=unit.name if unit else "",
        unit_code=(unit.code or "") if unit else "",
        callback_phone=official.phone,
    )
    form.fill_choices(**catalogue_choices())
    if me().role == Role.COORDINATOR:  # its province's tickets only
        form.province.choices = [c for c in form.province.choices if c.value == me().province_code]
    form.unit.label.text = _("Unit")
    if not form.submission_key.data:
        form.submission_key.data = forms.new_submission_key()
    if form.validate_on_submit():
        try:
            ticket = calls.file_for(me(), official, form.to_draft(files("attachments")))
        except errors.Invalid as error:
            db.session.rollback()
            errors.attach_to_form(form, error)
        else:
            return filed(ticket, official)
    if form.submission_key.errors:  # as on the official's own form (requester.new)
        form.submission_key.data = forms.new_submission_key()
        form.form_errors.append(_("The form could not be read whole: check it and send it again."))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("tickets/phone_new.html", form=form, official=official), status


def filed(ticket, official):
    """To the ticket; to the search again when it went to a queue the filer does not see."""
    if calls.can_see(me(), ticket):
        flash(
            _(
                "Ticket %(number)s filed for %(name)s.",
                number=ticket.number,
                name=official.full_name,
            ),
            "success",
        )
        return redirect(url_for(".show", number=ticket.number))
    flash(
        _(
            "Ticket %(number)s filed for %(name)s; it went to %(queue)s, which you do not see.",
            number=ticket.number,
            name=official.full_name,
            queue=ticket.queue.name,
        ),
        "success",
    )
    return redirect(url_for(".phone"))


@bp.route("/phone/account", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def phone_account():
    """A waiting account for an official the search did not find; then their filing form."""
    form = call_forms.CallerAccountForm()
    fill_account_choices(form)
    if request.method == "GET":
        prefill(form, request.args.get("q", ""))
    if form.validate_on_submit():
        try:
            official = accounts.create_caller_account(me(), form.to_draft())
        except errors.HelpdeskError as error:
            db.session.rollback()
            fields = {ACCOUNT_FIELDS.get(name, name): text for name, text in error.fields.items()}
            errors.attach_to_form(form, errors.HelpdeskError(error.message, fields=fields))
        else:
            flash(
                _(
                    "The account of %(name)s is created; an activation link went to %(email)s. "
                    "Now file the ticket.",
                    name=official.full_name,
                    email=official.email,
                ),
                "success",
            )
            return redirect(url_for(".phone_file", official_id=official.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("tickets/phone_account.html", form=form), status


def fill_account_choices(form: call_forms.CallerAccountForm) -> None:
    """The login domains; the provinces, a coordinator's own only (what else is sent is
    refused by the account service)."""
    form.domain.choices = [SelectChoice(domain) for domain in accounts.login_domains()]
    provinces = catalogue.provinces()
    if me().role == Role.COORDINATOR:
        provinces = [p for p in provinces if p.code == me().province_code]
        form.province.data = form.province.data or me().province_code
    form.province.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(p.code, p.name) for p in provinces
    ]


def prefill(form: call_forms.CallerAccountForm, words: str) -> None:
    """What the search that found nobody said: the CCCD, the phone or the name."""
    search = calls.read_search(words)
    form.q.data = words.strip()[:120]
    if search.kind == "cccd":
        form.cccd.data = search.terms[0]
    elif search.kind == "phone":
        form.phone.data = words.strip()[:20]
    elif search.kind == "name":
        form.full_name.data = " ".join(words.split())[:120]
