"""The fields of an account as people type them (registration, the accounts pages, imports):
its unit, province, e-mail address, phone and role, checked."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import Role, Unit
from helpdesk.auth.services import units
from helpdesk.catalogue.models import Province
from helpdesk.extensions import db


def find_or_create_unit(province_code: str, name: str) -> Unit:
    """The unit of that province the name means (units.resolve): the listed one it matches,
    else the name kept as written. Flushed, not committed."""
    return units.resolve(province_code, name)


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
