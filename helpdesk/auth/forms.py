"""Account forms; field names as in docs/contract.md. Shape only: the services enforce the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from helpdesk.auth import passwords
from helpdesk.auth.models import Role, Status, UnitKind
from helpdesk.auth.services import AccountDraft, ProfileChange, RegistrationDraft
from helpdesk.auth.services.unit_admin import UnitDraft
from helpdesk.inputs import FlaskForm

ROLE_LABELS = {
    Role.REQUESTER: _l("Requester"),
    Role.UNIT_ADMIN: _l("Unit administrator"),
    Role.COORDINATOR: _l("Provincial coordinator"),
    Role.AGENT: _l("Agent"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.OBSERVER: _l("Observer"),
    Role.ADMIN: _l("Administrator"),
}

STATUS_LABELS = {
    Status.PENDING_VERIFICATION: _l("E-mail not confirmed"),
    Status.PENDING_APPROVAL: _l("Waiting for approval"),
    Status.ACTIVE: _l("Active"),
    Status.REJECTED: _l("Rejected"),
    Status.DISABLED: _l("Disabled"),
}

PASSWORD_HELP = _l(
    "At least 10 characters; not your CCCD number, phone number or name, not a common or "
    "default password, nor a word with a year or a run of digits such as Hanoi@2026."
)


SYSTEMS_HELP = _l(
    "Observers only: the ministries' systems whose figures it reads. None chosen: every system."
)


def new_password_field(label=None) -> PasswordField:
    return PasswordField(
        label or _l("New password"),
        validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)],
        description=PASSWORD_HELP,
    )


def confirm_field() -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


def unit_code_field() -> HiddenField:
    """The code of the unit chosen from the province's list (the type-ahead writes it)."""
    return HiddenField(validators=[Optional(), Length(max=16)])


# A CCCD is 12 digits: phones open the number pad (the login name, CCCD@domain, stays text).
CCCD_INPUT = {"inputmode": "numeric", "pattern": "[0-9]*"}


class LoginForm(FlaskForm):
    username = StringField(
        _l("Login name"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("Your CCCD number, e.g. 001166668888 or 001166668888@ht.com"),
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Remember me on this device"))


class RegistrationForm(FlaskForm):
    cccd = StringField(
        _l("CCCD number"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The 12 digits of your citizen identity card; it becomes your login name."),
        render_kw={**CCCD_INPUT, "autocomplete": "username"},
    )
    domain = SelectField(_l("Login domain"), validators=[DataRequired()])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("We send a confirmation link to this address."),
    )
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=20)])
    province = SelectField(_l("Province"), validators=[DataRequired()])
    unit = StringField(
        _l("Unit"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Your commune, ward or department, e.g. UBND phường Ba Đình"),
    )
    unit_code = unit_code_field()
    password = new_password_field(_l("Password"))
    password_confirm = confirm_field()

    def to_draft(self, *, language: str) -> RegistrationDraft:
        return RegistrationDraft(
            cccd=self.cccd.data,
            domain=self.domain.data,
            full_name=self.full_name.data,
            email=self.email.data,
            phone=self.phone.data or "",
            province_code=self.province.data,
            unit=self.unit.data,
            unit_code=self.unit_code.data or "",
            password=self.password.data,
            language=language,
        )


class PasswordResetRequestForm(FlaskForm):
    username = StringField(
        _l("Login name"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("Your CCCD number, e.g. 001166668888 or 001166668888@ht.com"),
    )


class SetPasswordForm(FlaskForm):
    password = new_password_field()
    password_confirm = confirm_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=256)]
    )
    password = new_password_field()
    password_confirm = confirm_field()


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("A new address is used once you follow the link we send to it."),
    )
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=20)])
    # Shown only to whom may still choose their unit (services.may_choose_unit).
    unit = StringField(
        _l("Unit"),
        validators=[Optional(), Length(max=200)],
        description=_l("Choose your commune, ward or department from your province's list."),
    )
    unit_code = unit_code_field()
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")],
        default="vi",
    )
    notify_updates = BooleanField(_l("E-mail me when my tickets change"))
    # Shown only to whom gets the digests (services.may_get_digests).
    digest_opt_out = BooleanField(
        _l("Do not e-mail me the weekly and monthly digests"),
        description=_l("Each digest also has a link that stops them."),
    )
    current_password = PasswordField(
        _l("Current password"),
        validators=[Optional(), Length(max=256)],
        description=_l("Needed only to change the e-mail address."),
    )

    def to_change(self, *, with_unit: bool, with_digests: bool) -> ProfileChange:
        return ProfileChange(
            full_name=self.full_name.data,
            email=self.email.data,
            phone=self.phone.data or "",
            language=self.language.data,
            notify_updates=bool(self.notify_updates.data),
            current_password=self.current_password.data or "",
            unit=(self.unit.data or "") if with_unit else None,
            unit_code=(self.unit_code.data or "") if with_unit else "",
            digest_opt_out=bool(self.digest_opt_out.data) if with_digests else None,
        )


class PersonForm(FlaskForm):
    """A new account's person, as accounts/_person_fields.html shows it: login name, name,
    addresses, province and unit; it gets an activation link by mail."""

    cccd = StringField(
        _l("CCCD number"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={**CCCD_INPUT, "autocomplete": "off"},  # someone else's number
    )
    domain = SelectField(_l("Login domain"), validators=[DataRequired()])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("The activation link goes to this address."),
    )
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=20)])
    province = SelectField(_l("Province"), validators=[Optional()])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=200)])
    unit_code = unit_code_field()

    def person(self) -> dict:
        """The AccountDraft's fields of the person (the role and what follows from it aside)."""
        return {
            "username": f"{self.cccd.data.strip()}@{self.domain.data}",
            "full_name": self.full_name.data,
            "email": self.email.data,
            "phone": self.phone.data or "",
            "province_code": self.province.data or None,
            "unit": self.unit.data or "",
            "unit_code": self.unit_code.data or "",
        }


class AccountForm(PersonForm):
    """An account made by an admin or a unit admin, of any role."""

    role = SelectField(_l("Role"), validators=[DataRequired()])
    systems = SelectMultipleField(
        _l("Systems the observer reads"),
        validators=[Optional()],
        description=SYSTEMS_HELP,
    )

    def to_draft(self) -> AccountDraft:
        return AccountDraft(
            **self.person(), role=self.role.data, systems=tuple(self.systems.data or ())
        )


class ObserverSystemsForm(FlaskForm):
    """The systems an observer reads the figures of; none: every system."""

    systems = SelectMultipleField(
        _l("Systems the observer reads"), validators=[Optional()], description=SYSTEMS_HELP
    )


class RoleForm(FlaskForm):
    """An admin's change of an account's role and province (a coordinator needs one)."""

    role = SelectField(_l("Role"), validators=[DataRequired()])
    province = SelectField(_l("Province"), validators=[Optional()])
    # Staff write article drafts; admins and the staff marked here publish them.
    edits_articles = BooleanField(_l("Edits and publishes help articles (staff accounts only)"))
    # Observers read; those marked here also send requests with a due date to provinces.
    sends_requests = BooleanField(
        _l("Sends requests with a due date to provinces (observers only)")
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[FileRequired()],
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason (sent to the applicant)"), validators=[Length(max=500)])


# ---------------------------------------------------------------- units

UNIT_KIND_LABELS = {
    UnitKind.COMMUNE: _l("Commune"),
    UnitKind.WARD: _l("Ward"),
    UnitKind.SPECIAL_ZONE: _l("Special zone"),
    UnitKind.PROVINCIAL: _l("Provincial unit"),
    UnitKind.MINISTRY: _l("Ministry unit"),
    UnitKind.UNLISTED: _l("Not on the list"),
}


class NewUnitForm(FlaskForm):
    """A provincial or ministry unit of the province the page shows."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(UnitKind.PROVINCIAL.value, UNIT_KIND_LABELS[UnitKind.PROVINCIAL]),
            SelectChoice(UnitKind.MINISTRY.value, UNIT_KIND_LABELS[UnitKind.MINISTRY]),
        ],
    )
    system = SelectField(
        _l("Ministry's system"),
        validators=[Optional()],
        description=_l("For a ministry unit: the system of its ministry."),
    )

    def to_draft(self, province_code: str) -> UnitDraft:
        return UnitDraft(
            province_code=province_code,
            name=self.name.data or "",
            kind=self.kind.data or "",
            system_code=(self.system.data or "") if self.kind.data == UnitKind.MINISTRY else "",
        )


class RenameUnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])


class UnitSettingsForm(FlaskForm):
    members_see_tickets = BooleanField(_l("Members of this unit see all of the unit's tickets"))


class MergeUnitForm(FlaskForm):
    """ "This name is unit X": the code of the listed unit."""

    into = HiddenField(validators=[DataRequired()])
