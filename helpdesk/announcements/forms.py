"""The form for a new announcement (admins and the ministry's IT staff)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from helpdesk.announcements.models import Audience
from helpdesk.announcements.services import BODY_LIMIT, TITLE_LIMIT, AnnouncementDraft
from helpdesk.catalogue.services import CachedSystem
from helpdesk.inputs import FlaskForm

AUDIENCE_LABELS = {
    Audience.EVERYONE: _l("Everyone"),
    Audience.STAFF: _l("Staff only"),
    Audience.PUBLIC: _l("Everyone, visitors who are not signed in too"),
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
    # The service says which systems the poster may choose: a refused one is told beside it.
    system = SelectField(_l("System"), choices=[], validate_choice=False)
    starts_on = DateField(
        _l("Shown from"),
        validators=[Optional()],
        description=_l("The first day it shows. Empty: from now."),
    )
    ends_on = DateField(
        _l("Shown until"),
        validators=[Optional()],
        description=_l("The last day it shows. Empty: until you end it."),
    )

    def fill_systems(self, systems: Iterable[CachedSystem], *, every_system: bool) -> None:
        """The systems the poster may choose, after "every system" for those who may."""
        choices = [SelectChoice(system.code, system.ministry) for system in systems]
        if every_system:
            choices.insert(0, SelectChoice("", _l("Every system")))
        self.system.choices = choices

    def to_draft(self) -> AnnouncementDraft:
        return AnnouncementDraft(
            title=self.title.data or "",
            body=self.body.data or "",
            audience=self.audience.data or "",
            system=self.system.data or "",
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
        )


class EndForm(FlaskForm):
    """The "end" button: its CSRF token only."""
