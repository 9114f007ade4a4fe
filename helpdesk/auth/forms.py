"""Account forms; field names as in CONTRACT.md."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(
        _l("Login name"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("Your CCCD number, e.g. 001166668888 or 001166668888@ht.com"),
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Remember me on this device"))
