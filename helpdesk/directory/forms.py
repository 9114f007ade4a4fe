"""The support directory's forms: the public filters, an entry, the import and delete forms,
and the labels pages show for kinds and handles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk.catalogue import services as catalogue
from helpdesk.directory.models import Handles, Kind
from helpdesk.directory.services import LIMITS, NOTE_LIMIT, EntryDraft
from helpdesk.inputs import FlaskForm

KIND_LABELS = {
    Kind.IT_UNIT: _l("Ministry IT unit"),
    Kind.VENDOR: _l("Vendor"),
    Kind.COORDINATOR: _l("Provincial coordinator"),
    Kind.FOCAL_POINT: _l("Focal point"),
}
HANDLES_LABELS = {
    Handles.TECHNICAL: _l("Technical problems"),
    Handles.BUSINESS: _l("Procedures and business rules"),
    Handles.ACCOUNTS: _l("Accounts and permissions"),
    Handles.PAYMENTS: _l("Online payments"),
}


def system_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(system.code, system.ministry) for system in catalogue.systems()
    ]


def province_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(province.code, province.name) for province in catalogue.provinces()
    ]


class FilterForm(FlaskForm):
    """The public page's filters (GET, no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    system = SelectField(_l("System"), default="", validate_choice=False)
    province = SelectField(_l("Province"), default="", validate_choice=False)
    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])

    def fill_choices(self) -> None:
        self.system.choices = system_choices(_l("Every system"))
        self.province.choices = province_choices(_l("Every province"))

    def chosen(self, field) -> str | None:
        """The field's value if it is one of its choices, else None (not filtered on)."""
        return field.data if field.data and field.data in {c.value for c in field.choices} else None


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EntryForm(FlaskForm):
    system = SelectField(
        _l("System"),
        default="",
        description=_l("Empty: the entry answers for every system."),
    )
    province = SelectField(
        _l("Province"),
        default="",
        description=_l("Empty: the entry answers for the whole country."),
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=Kind.FOCAL_POINT.value,
    )
    organisation = StringField(
        _l("Organisation"), validators=[DataRequired(), Length(max=LIMITS["organisation"])]
    )
    name = StringField(
        _l("Person"),
        validators=[Optional(), Length(max=LIMITS["name"])],
        description=_l("A named person, if the entry is one."),
    )
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=LIMITS["phone"])],
        description=_l("Several numbers separated by commas."),
    )
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=LIMITS["email"])])
    hours = StringField(
        _l("Hours"),
        validators=[Optional(), Length(max=LIMITS["hours"])],
        description=_l("e.g. 7:30–17:00, Monday to Friday"),
    )
    handles = MultiCheckboxField(
        _l("Handles"),
        choices=[SelectChoice(value.value, label) for value, label in HANDLES_LABELS.items()],
        validators=[Optional()],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_LIMIT)])
    position = IntegerField(
        _l("Position"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=9999)],
        description=_l("Entries of the same kind are listed by this number, smallest first."),
    )

    def fill_choices(self, *, only_province: str | None = None) -> None:
        """`only_province`: a coordinator's form, whose province is its own."""
        self.system.choices = system_choices(_l("Every system"))
        provinces = province_choices(_l("The whole country"))
        if only_province:
            provinces = [choice for choice in provinces if choice.value == only_province]
        self.province.choices = provinces

    def to_draft(self) -> EntryDraft:
        return EntryDraft(
            system_code=self.system.data or None,
            province_code=self.province.data or None,
            kind=self.kind.data or "",
            organisation=self.organisation.data or "",
            name=self.name.data or "",
            phone=self.phone.data or "",
            email=self.email.data or "",
            hours=self.hours.data or "",
            handles=tuple(self.handles.data or ()),
            note=self.note.data or "",
            position=self.position.data or 0,
        )


class ImportForm(FlaskForm):
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[FileRequired()],
        description=_l("UTF-8 CSV or XLSX, with the header row of the export."),
    )


class DeleteForm(FlaskForm):
    """The delete button: its CSRF token only."""
