"""The fields of an account as people type them (registration, the accounts pages, imports):
its unit, province, e-mail address, phone and role, checked."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors, inputs
from helpdesk.auth.models import Role, Unit
from helpdesk.catalogue.models import Province
from helpdesk.extensions import db


def find_or_create_unit(province_code: str, name: str) -> Unit:
    """The unit of that province whose name matches (ignoring case and diacritics), or a new one.

    A new unit is flushed, not committed: it belongs to the caller's transaction.
    """
    name = inputs.require_readable(" ".join(name.split()), "unit")
    key = Unit.key_for(name)
    if not key:
        raise errors.Invalid(_("Enter the name of your unit."), "unit")
    unit = db.session.scalar(
        select(Unit).where(Unit.province_code == province_code, Unit.key == key)
    )
    if unit is None:
        unit = Unit(province_code=province_code, name=name[:200], key=key[:200])
        db.session.add(unit)
        db.session.flush()
    return unit


def check_province(code: str | None, *, field: str = "province") -> str | None:
    """The province code if it exists; raises errors.Invalid otherwise. None stays None."""
    if not code:
        return None
    if db.session.get(Province, code) is None:
        raise errors.Invalid(_("Choose a province from the list."), field)
    return code


def normalised_email(address: str, *, field: str = "email") -> str:
    """A syntactically valid address (no DNS lookup); raises errors.Invalid."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise errors.Invalid(_("Enter a valid e-mail address."), field) from error


def check_phone(phone: str, *, field: str = "phone") -> str:
    phone = phone.strip()
    allowed = set("0123456789 +-.()")
    if len(phone) > 20 or any(ch not in allowed for ch in phone):
        raise errors.Invalid(_("Enter a phone number of digits (at most 20 characters)."), field)
    return phone


def check_role(role: str, *, field: str = "role") -> str:
    if role not in set(Role):
        raise errors.Invalid(_("Unknown role."), field)
    return Role(role).value
