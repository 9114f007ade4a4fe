"""What a request may carry: whole numbers within the database's integers (in paths and query
strings), API bodies within a size and a depth, text without NUL, lone surrogates, other
control characters or text-direction overrides. Every refusal is a 4xx naming what was wrong,
in the user's language (the API's error shape under /api/)."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from urllib.parse import urlsplit

import flask_wtf
from flask import Flask, abort, request
from flask_babel import get_translations
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from helpdesk import errors
from helpdesk.text import has_control_characters

log = logging.getLogger(__name__)

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2999, 12, 31)
MAX_JSON_BYTES = 256 * 1024  # a ticket's 20 000 characters escaped as \uXXXX fit, twice
MAX_JSON_DEPTH = 16  # our bodies are objects of values: 2 levels deep
# What the depth check reads of a JSON text: escapes (a backslash and the byte after it),
# quotes and brackets; one pass, whatever the text.
JSON_TOKENS = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)
# NUL: PostgreSQL refuses it in every text value. Lone surrogates: not text (UTF-8 cannot carry
# them), only JSON's \uXXXX escapes can bring them.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number past the database's integers matches no rule (404),
    as one that matches no row."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Bound integers in every route (call before the blueprints), and the text guard."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_unstorable_text)


# ---------------------------------------------------------------- query strings and forms


def int_arg(name: str, *, default: int = 1) -> int:
    """A whole-number query parameter such as `page`: `default` when missing or not a whole
    number of at least 1 (a value no link of ours sends counts as not given); past the
    database's integers, 404 (no such page)."""
    raw = request.args.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return default
    value = int(raw)
    if value > MAX_ID:
        abort(404)
    return value if value >= 1 else default


def args_of(*names: str) -> dict[str, str]:
    """The query parameters of those names that are given: what a link back keeps. Never the
    whole query string: url_for() takes some names for itself (`endpoint`, `_external`...)."""
    return {name: request.args[name] for name in names if request.args.get(name)}


def date_arg(name: str) -> date | None:
    """A date query parameter (ISO 8601, `2026-03-02`) within FIRST_DATE..LAST_DATE, else None
    (not given): a date at the calendar's ends overflows what is computed from it."""
    try:
        value = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return value if FIRST_DATE <= value <= LAST_DATE else None


def id_from(text: str | None) -> int | None:
    """The id a form field names (ASCII digits within the database's integers), else None."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        return None
    return int(text)


def refuse_unstorable_text(*, api: bool = False) -> None:
    """No query string or path segment may hold NUL or a lone surrogate: 422 naming the
    parameter (404 for a path, which then names nothing that exists). Form fields are checked
    by their forms (Readable), beside the field and with the input kept. The API calls this
    itself once it knows the caller's language."""
    if errors.is_api_request() and not api:
        return
    if any(isinstance(v, str) and UNSTORABLE.search(v) for v in (request.view_args or {}).values()):
        abort(404)
    for name, values in request.args.lists():
        if UNSTORABLE.search(name) or any(UNSTORABLE.search(value) for value in values):
            raise unreadable(shown_name(name))


def unreadable(name: str) -> errors.Invalid:
    message = _("The field %(name)s contains a character that is not allowed.", name=name)
    return errors.Invalid(message, fields={name: message})


def shown_name(name: str) -> str:
    """A field name fit to be shown back (NUL and lone surrogates written as escapes)."""
    return UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", name)[:60]


# ---------------------------------------------------------------- text fields


def readable_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why a text may not be kept as a user wrote it, or None: control characters (a
    multiline text keeps newlines and tabs), text-direction overrides, lone surrogates."""
    if isinstance(value, str) and has_control_characters(value, multiline=multiline):
        return _("Remove the invisible control or text-direction characters.")
    return None


def local_path(target: str | None) -> str | None:
    """Only same-site paths: never redirect to another host (open redirect), nor put a control
    character in the Location header (a newline there is refused: a 500)."""
    if not target or readable_problem(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def require_readable(value: str, field: str, *, multiline: bool = False) -> str:
    """The value, or errors.Invalid naming the field when it is not readable as stored."""
    problem = readable_problem(value, multiline=multiline)
    if problem:
        raise errors.Invalid(problem, field)
    return value


def N_(message: str) -> str:  # noqa: N802 - the marker pybabel extracts, as _()
    return message


class Mark:
    """Plural messages for `pybabel extract` to find; nothing is translated here."""

    @staticmethod
    def ngettext(singular: str, plural: str, n: int) -> str:  # noqa: ARG004
        return singular if n == 1 else plural


# WTForms' own messages (wtforms/locale has no Vietnamese): listed here so that `pybabel
# extract` keeps them in our catalogue, where WtformsTranslations finds them.
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Not a valid time value."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Invalid CSRF Token."),
    N_("CSRF token missing."),
    N_("CSRF failed."),
    N_("CSRF token expired."),
    N_("File does not have an approved extension."),
    Mark.ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        2,
    ),
    Mark.ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        2,
    ),
    Mark.ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        2,
    ),
)


class WtformsTranslations:
    """WTForms' messages through the product's catalogue, in the request's language."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


WTFORMS_TRANSLATIONS = WtformsTranslations()


class FlaskForm(flask_wtf.FlaskForm):
    """Flask-WTF's form whose every text field is Readable (a text area keeps newlines and
    tabs), passwords aside: the message shows beside the field, the input is kept. WTForms'
    own messages speak the user's language."""

    class Meta:
        def get_translations(self, form):  # noqa: ARG002 - WTForms' signature
            return WTFORMS_TRANSLATIONS

    def validate(self, extra_validators=None) -> bool:
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for field in self:
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                multiline = isinstance(field, TextAreaField)
                extra.setdefault(field.name, []).append(Readable(multiline=multiline))
        return super().validate(extra_validators=extra)


class ButtonForm(FlaskForm):
    """A button that changes something (approve, retry, delete, follow, …): its CSRF token only.
    A mailed link that changes something opens a page with one (mail scanners follow links;
    they do not press buttons)."""


class Readable:
    """WTForms validator of readable_problem(): the message names the field."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        if readable_problem(field.data, multiline=self.multiline):
            raise ValidationError(
                _(
                    "%(field)s contains invisible control or text-direction characters; "
                    "remove them.",
                    field=field.label.text,
                )
            )


# ---------------------------------------------------------------- JSON bodies of the API


def limit_json_body() -> None:
    """The API's one body limit, checked before anything parses it: at most MAX_JSON_BYTES
    (413), nested at most MAX_JSON_DEPTH deep (400)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    request.max_content_length = MAX_JSON_BYTES
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise too_large() from None
    if len(data) > MAX_JSON_BYTES:
        raise too_large()
    if json_depth(data) > MAX_JSON_DEPTH:
        raise errors.HelpdeskError(
            _("The JSON body is nested more than %(n)d levels deep.", n=MAX_JSON_DEPTH)
        )


class TooLarge(errors.HelpdeskError):
    status = 413
    code = "too_large"


def too_large() -> TooLarge:
    return TooLarge(_("The body is larger than %(n)d KB.", n=MAX_JSON_BYTES // 1024))


def json_depth(data: bytes) -> int:
    """How deep brackets nest in a JSON text, those inside strings left out; no parsing."""
    depth = deepest = 0
    in_string = False
    for token in JSON_TOKENS.findall(data):
        if token == b'"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue
        elif token in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def json_body() -> object:
    """The body parsed (limit_json_body() has bounded it); None when it is not JSON. Raises
    errors.Invalid naming each field whose text holds NUL or a lone surrogate."""
    limit_json_body()
    if not request.is_json:
        return None
    try:
        data = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        return None
    problems = {
        shown_name(key): _("Contains a character that is not allowed (NUL or a lone surrogate).")
        for key, value in (data.items() if isinstance(data, dict) else [])
        if UNSTORABLE.search(key) or holds_unstorable(value)
    }
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return data


def holds_unstorable(value) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(UNSTORABLE.search(k) or holds_unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_unstorable(item) for item in value)
    return False
