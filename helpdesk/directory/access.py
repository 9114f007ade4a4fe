"""Who keeps the support directory: the one place that decides.

Everyone reads it (no login). Admins keep every entry; a coordinator keeps the entries of its
own province only (never a national one, never one of another province); nobody else edits.
"""

from __future__ import annotations

from helpdesk.auth import permissions
from helpdesk.auth.models import Role

KEEPERS = (Role.ADMIN, Role.COORDINATOR)


def can_keep(user) -> bool:
    """Whether the account keeps some entries (the New, Import, Export links)."""
    if not permissions.is_signed_in(user):
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.COORDINATOR and bool(user.province_code)


def can_keep_province(user, province_code: str | None) -> bool:
    """Whether the account keeps the entries of that province (None: the national ones)."""
    if not can_keep(user):
        return False
    if user.role == Role.ADMIN:
        return True
    return province_code is not None and province_code == user.province_code
