"""The filing form sent by a known incident's "this is my problem too" button: a submit button
of the form named `incident`, the incident's number as its value (docs/contract.md). The
incident gives the system and the kind of problem, and the subject and description when they
are left empty; the official's province, unit, priority and files go with it as they are."""

from __future__ import annotations

from wtforms.validators import DataRequired

from helpdesk.tickets.forms import TicketForm

JOIN_FIELD = "incident"
GIVEN_BY_THE_INCIDENT = ("system", "category", "subject", "description")


def incident_asked(formdata) -> str:
    """The incident number the form was sent with ("": an ordinary filing)."""
    value = formdata.get(JOIN_FIELD, "")
    return value.strip() if isinstance(value, str) else ""


def for_joining(form: TicketForm) -> TicketForm:
    """The form, its fields that the incident gives no longer required (their other checks
    stay: a value sent must still be one of the choices, within its length)."""
    for name in GIVEN_BY_THE_INCIDENT:
        field = form[name]
        field.validators = [v for v in field.validators if not isinstance(v, DataRequired)]
    return form
