"""The hotline's forms: the search for the official who calls, the ticket filed for them (the
filing form's fields and the number to call back) and the waiting account of an official who
has none. Shape only: tickets.services.calls and auth's provisioning enforce the rules."""

from __future__ import annotations

from dataclasses import replace

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Length, Optional

from helpdesk.auth.forms import PersonForm
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


class CallerAccountForm(PersonForm):
    """An official without an account, made while they are on the line: a requester of a
    unit who sets a password through the activation mail."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("The activation link and the ticket's mail go to this address."),
    )
    phone = TelField(_l("Phone"), validators=[DataRequired(), Length(max=20)])
    province = SelectField(_l("Province"), validators=[DataRequired()])
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=200)])
    # The search that found nobody, kept for the way back.
    q = HiddenField(validators=[Optional(), Length(max=120)])

    def to_draft(self) -> AccountDraft:
        return AccountDraft(**self.person(), role=Role.REQUESTER)
