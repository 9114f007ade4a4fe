"""The hotline's forms: the search for the official who calls, the ticket filed for them (the
filing form's fields and the number to call back) and the waiting account of an official who
has none. Shape only: tickets.services.calls and auth's provisioning enforce the rules."""

from __future__ import annotations

from dataclasses import replace

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Length, Optional

from helpdesk.auth.forms import CCCD_INPUT, unit_code_field
from helpdesk.auth.models import Role
from helpdesk.auth.services import AccountDraft
from helpdesk.inputs import FlaskForm
from helpdesk.tickets.forms import TicketForm
from helpdesk.tickets.models import Source
from helpdesk.tickets.services import TicketDraft


class CallerSearchForm(FlaskForm):
    """Read from the query string: nothing is changed by a search."""

    class Meta:
        csrf = False

    q = StringField(
        _l("CCCD, phone or name of the caller"),
        validators=[Optional(), Length(max=120)],
        description=_l(
            "The 12 digits of the CCCD, a phone number, or the name (diacritics not needed)."
        ),
    )


class CallTicketForm(TicketForm):
    """The official's filing form, filled in by the staff who take the call."""

    callback_phone = TelField(
        _l("Number to call back"),
        validators=[Optional(), Length(max=20)],
        description=_l("Where the caller can be reached about this ticket."),
    )

    def to_draft(self, files) -> TicketDraft:
        draft = super().to_draft(files)
        return replace(draft, source=Source.PHONE, callback_phone=self.callback_phone.data or "")


class CallerAccountForm(FlaskForm):
    """An official without an account, made while they are on the line: a requester of a
    unit who sets a password through the activation mail."""

    cccd = StringField(
        _l("CCCD number"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={**CCCD_INPUT, "autocomplete": "off"},  # the caller's number
    )
    domain = SelectField(_l("Login domain"), validators=[DataRequired()])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("The activation link and the ticket's mail go to this address."),
    )
    phone = TelField(_l("Phone"), validators=[DataRequired(), Length(max=20)])
    province = SelectField(_l("Province"), validators=[DataRequired()])
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=200)])
    unit_code = unit_code_field()
    # The search that found nobody, kept for the way back.
    q = HiddenField(validators=[Optional(), Length(max=120)])

    def to_draft(self) -> AccountDraft:
        return AccountDraft(
            username=f"{self.cccd.data.strip()}@{self.domain.data}",
            role=Role.REQUESTER,
            full_name=self.full_name.data,
            email=self.email.data,
            phone=self.phone.data or "",
            province_code=self.province.data or None,
            unit=self.unit.data or "",
            unit_code=self.unit_code.data or "",
        )
