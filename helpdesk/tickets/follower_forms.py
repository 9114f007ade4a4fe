"""The forms of a ticket's followers panel: the requester's choice of a colleague, staff's login
name, and the buttons that follow or stop following (their CSRF token only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from helpdesk.inputs import FlaskForm


class ColleagueForm(FlaskForm):
    """The requester adds a colleague of their unit (offered by name, login masked)."""

    colleague = SelectField(
        _l("Colleague"),
        validators=[DataRequired(), Regexp(r"^\d{1,9}$")],
        validate_choice=False,
    )


class FollowerForm(FlaskForm):
    """Staff add anyone who may see the ticket, by login name."""

    username = StringField(
        _l("Login name (CCCD@domain)"), validators=[DataRequired(), Length(max=120)]
    )
