"""The admins' form for a new announcement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from helpdesk.announcements.models import Audience
from helpdesk.announcements.services import BODY_LIMIT, TITLE_LIMIT, AnnouncementDraft
from helpdesk.inputs import FlaskForm

AUDIENCE_LABELS = {
    Audience.EVERYONE: _l("Everyone"),
    Audience.STAFF: _l("Staff only"),
}


class AnnouncementForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_LIMIT)])
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=BODY_LIMIT)])
    audience = SelectField(
        _l("Shown to"),
        choices=[
            SelectChoice(audience.value, label) for audience, label in AUDIENCE_LABELS.items()
        ],
        default=Audience.EVERYONE.value,
    )
    ends_on = DateField(
        _l("Shown until"),
        validators=[Optional()],
        description=_l("The last day it shows. Empty: until you end it."),
    )

    def to_draft(self) -> AnnouncementDraft:
        return AnnouncementDraft(
            title=self.title.data or "",
            body=self.body.data or "",
            audience=self.audience.data or "",
            ends_on=self.ends_on.data,
        )


class EndForm(FlaskForm):
    """The "end" button: its CSRF token only."""
