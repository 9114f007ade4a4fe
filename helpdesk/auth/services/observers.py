"""The systems an observer is bound to: a national observer has none and reads every system's
figures; a ministry's observer reads only its systems' figures."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import delete, select

from helpdesk import errors
from helpdesk.auth import permissions
from helpdesk.auth.models import ObserverSystem, Role, User
from helpdesk.catalogue.models import System
from helpdesk.extensions import db

log = logging.getLogger(__name__)


def observer_systems(user_id: int) -> tuple[str, ...]:
    """The codes of the systems the account is bound to, in code order (none: national)."""
    return tuple(
        db.session.scalars(
            select(ObserverSystem.system_code)
            .where(ObserverSystem.user_id == user_id)
            .order_by(ObserverSystem.system_code)
        )
    )


def check_systems(role: str, codes: Iterable[str], *, field: str = "systems") -> tuple[str, ...]:
    """The distinct system codes, each known; only an observer is bound to systems.

    Raises errors.Invalid naming the unknown codes, or when the role is not observer."""
    wanted = tuple(sorted({code.strip() for code in codes if code.strip()}))
    if not wanted:
        return ()
    if role != Role.OBSERVER:
        raise errors.Invalid(_("Only an observer is bound to systems."), field)
    known = set(db.session.scalars(select(System.code).where(System.code.in_(wanted))))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise errors.Invalid(_("Unknown system: %(codes)s.", codes=", ".join(unknown)), field)
    return wanted


def stage_observer_systems(user: User, codes: tuple[str, ...]) -> None:
    """Bind the account to exactly these (checked) systems; none makes it national. Flushes
    nothing and never commits."""
    db.session.execute(delete(ObserverSystem).where(ObserverSystem.user_id == user.id))
    db.session.add_all(ObserverSystem(user_id=user.id, system_code=code) for code in codes)


def get_observer(actor: User, user_id: int) -> User:
    """An observer's account that `actor` manages; errors.NotFound for any other (or none)."""
    user = db.session.get(User, user_id)
    if (
        user is None
        or user.role != Role.OBSERVER
        or not permissions.can(actor, "accounts.manage", target=user)
    ):
        raise errors.not_found()
    return user


def set_observer_systems(actor: User, user_id: int, codes: Iterable[str]) -> tuple[str, ...]:
    """Bind an observer to these systems (none: national). Commits; returns them.

    Raises errors.NotFound unless the account is an observer `actor` manages, errors.Invalid
    for an unknown system."""
    user = get_observer(actor, user_id)
    wanted = check_systems(user.role, codes)
    stage_observer_systems(user, wanted)
    db.session.commit()
    log.info("observer %s bound to %s systems by user %s", user.id, len(wanted), actor.id)
    return wanted
