"""The incident forms of the staff pages: on a ticket's page, attaching it to an incident or
declaring one from it; on an incident's page, posting an update and attaching tickets."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk.inputs import FlaskForm
from helpdesk.tickets.forms import NUMBER_PATTERN, version_field
from helpdesk.tickets.services import filing, messages

# As a browser's date-time-local input sends it: local wall-clock time, to the minute.
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
NUMBERS_LIMIT = 100_000  # characters of typed ticket numbers (thousands of them)


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (the template lays them out in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IncidentForm(FlaskForm):
    """Attach this ticket to an open incident by its number; empty: detach it."""

    incident = StringField(
        _l("Incident number"),
        validators=[Optional(), Regexp(NUMBER_PATTERN, message=_l("Not a ticket number."))],
        description=_l("An open incident of the same system. Leave empty to detach the ticket."),
    )
    version = version_field()


class DeclareForm(FlaskForm):
    """Declare an incident with this ticket attached."""

    title = StringField(
        _l("Incident title"),
        validators=[DataRequired(), Length(max=filing.LIMITS["subject"])],
        description=_l("Officials see it when they report the same fault."),
    )
    # Any code is taken here: the service names the ones it does not know.
    provinces = CheckboxesField(_l("Provinces affected"), validate_choice=False)


class UpdateForm(FlaskForm):
    """One public update to the incident and every ticket attached to it."""

    body = TextAreaField(
        _l("Update"),
        id="update-body",  # the page's composer has a `body` too
        validators=[DataRequired(), Length(max=messages.MESSAGE_LIMIT)],
        description=_l(
            "Added to the conversation of every attached ticket and mailed to its requester "
            "and followers."
        ),
    )
    expected_at = DateTimeLocalField(
        _l("Expected repair time (optional)"),
        format=LOCAL_MINUTE,
        validators=[Optional()],
        description=_l("Local time. Left empty, the time an earlier update gave is kept."),
    )
    resolve = BooleanField(_l("The fault is fixed: resolve the incident and its open tickets"))
    version = version_field()


class AttachTicketsForm(FlaskForm):
    """Tickets to attach to the incident: typed numbers, or the suggestions ticked (`selected`,
    read by the view)."""

    numbers = TextAreaField(
        _l("Ticket numbers"),
        validators=[Optional(), Length(max=NUMBERS_LIMIT)],
        description=_l("One per line, or separated by commas."),
    )
