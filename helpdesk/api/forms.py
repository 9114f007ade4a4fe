"""Forms of the API token pages. Shape only: the token services enforce the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from helpdesk.api.services import TOKEN_NAME_LIMIT
from helpdesk.inputs import FlaskForm


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=TOKEN_NAME_LIMIT)],
        description=_l("Where the token is used, e.g. “the unit's reporting script”."),
    )


class RevokeTokenForm(FlaskForm):
    """A button: CSRF only."""
