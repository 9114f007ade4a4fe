"""Forms of the SLA admin pages: a policy, a calendar's declared day."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from helpdesk.catalogue import services as catalogue
from helpdesk.inputs import FlaskForm
from helpdesk.sla.services.admin import PolicyDraft

PRIORITY_LABELS = {1: _l("1 – critical"), 2: _l("2 – high"), 3: _l("3 – normal"), 4: _l("4 – low")}


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


class PolicyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    priority = SelectField(_l("Priority"), choices=options(PRIORITY_LABELS.items()))
    system = SelectField(_l("System"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    first_response_minutes = IntegerField(
        _l("First response (business minutes)"),
        validators=[InputRequired(), NumberRange(min=1)],
        description=_l("A business day is 480 minutes (8 h)."),
    )
    resolution_minutes = IntegerField(
        _l("Resolution (business minutes)"), validators=[InputRequired(), NumberRange(min=1)]
    )
    warning_percent = IntegerField(
        _l("Warn at (percent of the target)"),
        default=75,
        validators=[InputRequired(), NumberRange(min=1, max=99)],
    )
    calendar = SelectField(_l("Calendar"))
    notify_supervisor = BooleanField(_l("After a breach: tell the queue's supervisor"))
    raise_priority = BooleanField(_l("After a breach: raise the priority one level"))
    transfer_to_next_queue = BooleanField(
        _l("After a breach: move the ticket to the next queue on its routing path")
    )
    active = BooleanField(_l("Active"))

    def fill_choices(self, calendars) -> None:
        language = str(get_locale() or "vi")
        self.system.choices = options(
            [("", _l("(any system)"))] + [(s.code, s.ministry) for s in catalogue.systems()]
        )
        self.category.choices = options(
            [("", _l("(any category)"))]
            + [(c.code, c.name(language)) for c in catalogue.categories()]
        )
        self.calendar.choices = options((c.id, c.name) for c in calendars)

    def to_draft(self) -> PolicyDraft:
        return PolicyDraft(
            name=self.name.data or "",
            priority=int(self.priority.data),
            system=self.system.data or None,
            category=self.category.data or None,
            first_response_minutes=self.first_response_minutes.data,
            resolution_minutes=self.resolution_minutes.data,
            warning_percent=self.warning_percent.data,
            calendar_id=int(self.calendar.data) if self.calendar.data else 0,
            notify_supervisor=self.notify_supervisor.data,
            raise_priority=self.raise_priority.data,
            transfer_to_next_queue=self.transfer_to_next_queue.data,
            active=self.active.data,
        )


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Day"), validators=[InputRequired()])
    working = SelectField(
        _l("The day is"),
        choices=options([("0", _l("a day off")), ("1", _l("a make-up working day"))]),
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
