"""The incident routes of the tickets blueprint: from a ticket's page, declare an incident with
it or attach it to one (or detach it); on an incident's page, post an update to every attached
ticket and attach more tickets; from the queue's selection, declare an incident or attach the
tickets to one (the queue's bulk form calls `declare_selected` and `attach_selected`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from helpdesk import errors
from helpdesk.auth.models import STAFF_ROLES
from helpdesk.auth.permissions import me, role_required
from helpdesk.tickets import forms, services
from helpdesk.tickets.incident_forms import (
    AttachTicketsForm,
    DeclareForm,
    IncidentForm,
    UpdateForm,
)
from helpdesk.tickets.services import incidents
from helpdesk.tickets.views import NUMBER, bp
from helpdesk.tickets.views.incident_page import keep_refused
from helpdesk.tickets.views.page import render_ticket
from helpdesk.tickets.views.requester import conflict, error_for
from helpdesk.tickets.views.staff import staff_ticket
from helpdesk.timeutil import from_local

# Between typed ticket numbers: commas, semicolons, spaces, line breaks.
SEPARATORS = re.compile(r"[\s,;]+")
SHOWN_CHARACTERS = 30  # of something typed that is no ticket number, when it is shown back


def answer(number: str, name: str, form, call: Callable[[], tuple[str, str]], **renamed):
    """Check the form and call the service, which says what to flash and where to go; on a
    refusal the page again, the message beside its field (422) or the conflict (409)."""
    if not form.validate_on_submit():
        return render_ticket(number, status=422, bound={name: form})
    try:
        message, target = call()
    except errors.Conflict as error:
        return conflict(number, error, name, form)
    except errors.Invalid as error:
        errors.attach_to_form(form, error_for(error, **renamed))
        return render_ticket(number, status=422, bound={name: form})
    flash(message, "success")
    return redirect(target)


def worked_ticket(number: str, *, incident: bool):
    """The ticket (an incident, or not one) that the user works; 404 otherwise."""
    number, ticket = staff_ticket(number)
    if ticket.is_incident != incident or not services.can_work(me(), ticket):
        abort(404)
    return number, ticket


def incident_named(number: str, field: str):
    """The incident a form names, if the user sees it; errors.Invalid on that field if not."""
    number = (number or "").strip().upper()
    try:
        found = services.get_ticket(me(), number) if NUMBER.fullmatch(number) else None
    except errors.NotFound:
        found = None
    if found is None or not found.is_incident:
        raise errors.Invalid(_("No open incident has that number."), field)
    return found


def attach_to(incident, numbers: list[str], field: str) -> dict[str, str]:
    """services.attach; an incident the user sees but does not work reads as none."""
    try:
        return services.attach(me(), incident, numbers)
    except errors.NotFound as error:
        raise errors.Invalid(_("No open incident has that number."), field) from error


@bp.route("/<number>/incident", methods=["POST"])
@role_required(*STAFF_ROLES)
def declare_incident(number: str):
    number, ticket = worked_ticket(number, incident=False)
    form = DeclareForm()

    def call():
        incident = services.declare(
            me(),
            title=form.title.data,
            system=ticket.system_code,
            provinces=form.provinces.data or [],
            numbers=[ticket.number],
        )
        return _("Incident %(number)s declared.", number=incident.number), url_for(
            ".show", number=incident.number
        )

    return answer(number, "declare", form, call)


@bp.route("/<number>/incident/attach", methods=["POST"])
@role_required(*STAFF_ROLES)
def incident_attach(number: str):
    number, ticket = worked_ticket(number, incident=False)
    form = IncidentForm()

    def call():
        back = url_for(".show", number=number)
        if not (form.incident.data or "").strip():
            services.detach(me(), ticket, version=forms.version_of(form.version))
            return _("The ticket was detached from its incident."), back
        incident = incident_named(form.incident.data, "incident")
        outcome = attach_to(incident, [ticket.number], "incident").get(ticket.number)
        if outcome != "ok":
            raise errors.Invalid(outcome or _("Ticket not found."), "incident")
        return _("The ticket is part of the incident %(number)s.", number=incident.number), back

    return answer(number, "incident", form, call, tickets="incident")


@bp.route("/<number>/incident/updates", methods=["POST"])
@role_required(*STAFF_ROLES)
def incident_update(number: str):
    number, incident = worked_ticket(number, incident=True)
    form = UpdateForm()

    def call():
        expected = form.expected_at.data
        zone = current_app.config["HELPDESK_TIMEZONE"]
        reached = services.post_update(
            me(),
            incident,
            form.body.data,
            resolve=bool(form.resolve.data),
            expected_at=from_local(expected, zone) if expected else None,
            version=forms.version_of(form.version),
        )
        sent = ngettext(
            "Update sent to %(num)d ticket.", "Update sent to %(num)d tickets.", reached
        )
        return sent, url_for(".show", number=number)

    return answer(number, "incident_update", form, call)


@bp.route("/<number>/incident/tickets", methods=["POST"])
@role_required(*STAFF_ROLES)
def incident_tickets(number: str):
    """Attach the numbers typed and the suggestions ticked (`selected`); the page then shows
    the numbers refused, each with its reason."""
    number, incident = worked_ticket(number, incident=True)
    form = AttachTicketsForm()
    typed = [*SEPARATORS.split(form.numbers.data or ""), *request.form.getlist("selected")]
    asked = list(dict.fromkeys(n.strip().upper() for n in typed if n.strip()))

    def call():
        if not asked:
            raise errors.Invalid(_("Write or choose the tickets to attach."), "numbers")
        numbers = [n for n in asked if NUMBER.fullmatch(n)]
        results = attach_to(incident, numbers, "numbers")
        for typo in asked:
            if not NUMBER.fullmatch(typo):
                results[typo[:SHOWN_CHARACTERS]] = _("Not a ticket number.")
        keep_refused(number, results)
        done = sum(outcome == "ok" for outcome in results.values())
        attached = _("%(done)d of %(total)d tickets attached.", done=done, total=len(results))
        return attached, url_for(".show", number=number, _anchor="incident-attach")

    return answer(number, "incident_tickets", form, call, tickets="numbers")


# ---------------------------------------------------------------- the queue's selection


def declare_selected(form, numbers: list[str]) -> str | None:
    """Declare an incident titled as the bulk form says with the tickets chosen (all of one
    system); its number, or None when refused (the reason flashed, nothing saved)."""
    if not (form.title.data or "").strip():
        flash(_("Write the incident's title."), "warning")
        return None
    try:
        incident = services.declare(
            me(),
            title=form.title.data,
            system=incidents.system_of(me(), numbers),
            numbers=numbers,
        )
    except errors.Invalid as error:
        flash(error.message, "danger")
        return None
    count = len(numbers)
    flash(
        ngettext(
            "Incident %(number)s declared with %(num)d ticket.",
            "Incident %(number)s declared with %(num)d tickets.",
            count,
            number=incident.number,
        ),
        "success",
    )
    return incident.number


def attach_selected(form, numbers: list[str]) -> dict[str, str] | None:
    """Attach the tickets chosen to the incident the bulk form names: {number: "ok" | why
    not}, or None when the incident is refused (the reason flashed)."""
    try:
        incident = incident_named(form.incident.data, "incident")
        return attach_to(incident, numbers, "incident")
    except errors.Invalid as error:
        flash(error.message, "danger")
        return None
