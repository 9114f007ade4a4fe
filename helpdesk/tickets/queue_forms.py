"""The agent workspace's forms: the queue's filters (read from the query string) and its bulk
actions on the selected tickets; field names as in docs/contract.md."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from helpdesk.inputs import FlaskForm
from helpdesk.tickets.forms import options, resolution_field


class QueueFilterForm(FlaskForm):
    """The workspace's filters, read from the query string; a value that is not offered is
    ignored, never sent to the database."""

    class Meta:
        csrf = False

    # Left empty: the open statuses, or every status when words are searched; "open" keeps a
    # search to the open statuses.
    status = SelectField(_l("Status"), default="", validate_choice=True)
    queue = SelectField(_l("Queue"), default="")
    province = SelectField(_l("Province"), default="")
    # The chosen province's communes, wards and other listed units (a unit's code).
    unit = SelectField(_l("Unit"), default="")
    category = SelectField(_l("Kind of problem"), default="")
    system = SelectField(_l("System"), default="")
    sla = SelectField(_l("SLA"), default="")
    assignee = SelectField(_l("Assignee"), default="")
    source = SelectField(_l("Source"), default="")


# How the queue's note names each filter that narrows the list: "queue Bộ Tư pháp – CNTT".
FILTER_PHRASES = {
    "queue": _l("queue %(value)s"),
    "province": _l("province %(value)s"),
    "unit": _l("unit %(value)s"),
    "category": _l("kind of problem %(value)s"),
    "system": _l("system %(value)s"),
    "sla": _l("SLA %(value)s"),
    "assignee": _l("assignee %(value)s"),
    "source": _l("source %(value)s"),
    "status": _l("status %(value)s"),
}
# The assignee filter's values that read better as their own words.
ASSIGNEE_PHRASES = {"mine": _l("assigned to me"), "unassigned": _l("not assigned")}


class BulkForm(FlaskForm):
    """Many tickets at once: the numbers come as a list of checkboxes named `numbers`."""

    action = SelectField(
        _l("Action"),
        choices=options(
            [
                ("claim", _l("Assign to me")),
                ("assign", _l("Assign to agent")),
                ("status", _l("Set status")),
                ("transfer", _l("Transfer to queue")),
                ("declare", _l("Declare an incident")),
                ("attach", _l("Attach to an incident")),
            ]
        ),
        validators=[DataRequired()],
    )
    assignee = SelectField(_l("Agent"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    queue = SelectField(_l("Queue"), validate_choice=False)
    reason = StringField(_l("Reason (for a transfer)"), validators=[Length(max=1000)])
    title = StringField(_l("Title (for a new incident)"), validators=[Length(max=200)])
    incident = StringField(_l("Incident number (to attach to)"), validators=[Length(max=40)])
    resolution = resolution_field()  # one for every ticket resolved
