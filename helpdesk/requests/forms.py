"""The form of a new request; field names as in docs/contract.md. Shape only: the service
checks the rest (a date not past, the provinces and system that exist, what the sender may
send, the template's type by its content)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import DateField, FileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from helpdesk import storage
from helpdesk.catalogue.services import CachedProvince, CachedSystem
from helpdesk.inputs import FlaskForm
from helpdesk.requests.access import Sending
from helpdesk.requests.services import RequestDraft
from helpdesk.tickets.incident_forms import CheckboxesField

TITLE_LIMIT = 200
BODY_LIMIT = 20000


class RequestForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_LIMIT)])
    body = TextAreaField(
        _l("Instructions"),
        validators=[DataRequired(), Length(max=BODY_LIMIT)],
        description=_l("What the provinces must send back, and how."),
    )
    due = DateField(
        _l("Due date"),
        validators=[DataRequired()],
        description=_l("Answers are due by the end of that day's working hours."),
    )
    provinces = CheckboxesField(
        _l("Provinces"),
        validators=[Optional()],
        validate_choice=False,  # the service names an unknown one
        description=_l("None ticked: all 34 provinces."),
    )
    system = SelectField(_l("System"), choices=[], validate_choice=False)
    template = FileField(
        _l("Template file"),
        description=_l("Optional: a form for the provinces to fill in (Office, PDF, text)."),
    )

    def fill_choices(
        self,
        sending: Sending,
        *,
        systems: Iterable[CachedSystem],
        provinces: Iterable[CachedProvince],
    ) -> None:
        """The provinces, and the systems the sender may choose (after "every system" for
        those who may send about every system; after a blank choice for those of several)."""
        self.provinces.choices = [SelectChoice(p.code, p.name) for p in provinces]
        choices = [SelectChoice(s.code, s.ministry) for s in systems if sending.allows(s.code)]
        if sending.every_system:
            choices.insert(0, SelectChoice("", _l("Every system")))
        elif len(choices) > 1:
            choices.insert(0, SelectChoice("", _l("Choose…")))
        self.system.choices = choices
        if self.system.data is None:
            self.system.data = sending.default_system() or ""

    def to_draft(self) -> RequestDraft:
        upload = self.template.data
        template = None
        if upload is not None and getattr(upload, "filename", ""):
            template = storage.Upload(upload.filename, upload.read())
        return RequestDraft(
            title=self.title.data or "",
            body=self.body.data or "",
            due=self.due.data,
            provinces=list(self.provinces.data or []) or None,
            system=self.system.data or None,
            template=template,
        )
