"""What each role may see and do: the one place that decides; views, services and the API ask it.

`can(user, action, ...)` answers yes or no; `require(...)` raises errors.NotFound instead of
no (what a user may not act on is not shown to them either); `role_required(...)` guards a
view: a logged-in user without the role gets 404, an anonymous one the login page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort
from flask_login import current_user

from helpdesk import errors
from helpdesk.auth.models import STAFF_ROLES, Role, Unit, User
from helpdesk.extensions import db, login_manager

ALL_ROLES = frozenset(Role)

# Actions decided by role alone. Scoped actions (a unit, a province, one account) are
# decided by the functions below, which start from this table.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    # Accounts
    # the accounts pages at all
    "accounts.manage": frozenset({Role.ADMIN, Role.COORDINATOR, Role.UNIT_ADMIN}),
    "accounts.create": frozenset({Role.ADMIN, Role.COORDINATOR, Role.UNIT_ADMIN}),
    "accounts.import": frozenset({Role.ADMIN, Role.COORDINATOR, Role.UNIT_ADMIN}),
    "accounts.approve": frozenset({Role.ADMIN, Role.COORDINATOR, Role.UNIT_ADMIN}),
    # Making an official of a unit its account administrator, or a requester again.
    "accounts.appoint": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "accounts.unthrottle": frozenset({Role.ADMIN}),
    "accounts.see_cccd": frozenset({Role.ADMIN}),
    # Tickets: filing is for officials (a coordinator files for its province's communes too);
    # working a queue for its members (tickets.services.access.can_work adds the queue and
    # province check).
    "tickets.file": frozenset({Role.REQUESTER, Role.UNIT_ADMIN, Role.COORDINATOR, Role.ADMIN}),
    "tickets.work": frozenset(STAFF_ROLES),
    "tickets.supervise": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # The hotline: staff who take an official's call file the ticket for them (and make a
    # waiting account for one who has none); a coordinator for its province's officials only
    # (tickets.services.calls).
    "tickets.take_calls": frozenset(STAFF_ROLES),
    # Reports: aggregates without personal data; a coordinator's of its province only, a
    # ministry's observer's of its systems only (helpdesk/reports/scope.py).
    "reports.read": frozenset({Role.OBSERVER, Role.COORDINATOR, Role.SUPERVISOR, Role.ADMIN}),
    # Configuration: catalogue, queues, rules, policies.
    "admin.configure": frozenset({Role.ADMIN}),
}

# The roles a unit admin may give: they run the accounts of their unit's officials only.
UNIT_ADMIN_GRANTS = frozenset({Role.REQUESTER})
# The roles a coordinator may give, in every unit of its province: officials and the unit
# admins who run their accounts; never staff, observers, admins or another coordinator.
COORDINATOR_GRANTS = frozenset({Role.REQUESTER, Role.UNIT_ADMIN})


def me() -> User:
    """The signed-in account itself, not Flask-Login's proxy: services keep it (in
    relationships) and return it. For views that require a login."""
    return current_user._get_current_object()


def signed_in_user() -> User | None:
    """The request's signed-in account itself, not Flask-Login's proxy (each attribute read
    through the proxy resolves it again), or None for an anonymous visitor."""
    user = me() if current_user else None
    return user if user is not None and user.is_authenticated else None


def is_signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def has_role(user, *roles: str) -> bool:
    return is_signed_in(user) and user.role in roles


def can(
    user,
    action: str,
    *,
    target: User | None = None,
    province_code: str | None = None,
    unit_id: int | None = None,
    role: str | None = None,
) -> bool:
    """May `user` do `action` (on `target`, in that province or unit, giving that role)?

    Unknown actions are refused. Scope arguments left at None are not checked; a view that
    only asks "may this user see the page at all" leaves them out.
    """
    if action not in ROLE_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not is_signed_in(user) or user.role not in ROLE_ACTIONS[action]:
        return False
    if action == "accounts.approve" and target is not None:
        return can_approve(user, target)
    if action in ("accounts.create", "accounts.import", "accounts.manage", "accounts.appoint"):
        return can_place_account(
            user, province_code=province_code, unit_id=unit_id, role=role, target=target
        )
    return True


def require(user, action: str, **scope) -> None:
    """Raise errors.NotFound unless `user` may do `action` (not allowed is not shown)."""
    if not can(user, action, **scope):
        raise errors.not_found()


def can_approve(approver, user: User) -> bool:
    """May `approver` approve or reject the registration of `user`?

    Admins approve anyone; a coordinator the officials of its province (any unit); a unit
    admin the requesters of their own unit. Who is asked first is approvals' business: this
    says who may decide.
    """
    if not is_signed_in(approver) or approver.id == user.id:
        return False
    if approver.role == Role.ADMIN:
        return True
    if approver.role == Role.COORDINATOR:
        return (
            user.role in COORDINATOR_GRANTS
            and approver.province_code is not None
            and user.province_code == approver.province_code
        )
    if approver.role == Role.UNIT_ADMIN:
        return (
            user.role == Role.REQUESTER
            and approver.unit_id is not None
            and user.unit_id == approver.unit_id
        )
    return False


def can_place_account(
    actor,
    *,
    province_code: str | None = None,
    unit_id: int | None = None,
    role: str | None = None,
    target: User | None = None,
) -> bool:
    """May `actor` create or manage an account with that role in that unit?

    Admins: any. Coordinators: requesters and unit admins of every unit of their province.
    Unit admins: requesters of their own unit only (never a role above theirs).
    """
    if not is_signed_in(actor):
        return False
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.COORDINATOR:
        return _in_province(
            actor, province_code=province_code, unit_id=unit_id, role=role, target=target
        )
    if actor.role != Role.UNIT_ADMIN or actor.unit_id is None:
        return False
    if target is not None:
        if target.id == actor.id or target.role not in UNIT_ADMIN_GRANTS:
            return False
        if target.unit_id != actor.unit_id:
            return False
    if role is not None and role not in UNIT_ADMIN_GRANTS:
        return False
    if unit_id is not None and unit_id != actor.unit_id:
        return False
    return province_code is None or province_code == actor.province_code


def _in_province(
    coordinator: User,
    *,
    province_code: str | None,
    unit_id: int | None,
    role: str | None,
    target: User | None,
) -> bool:
    """can_place_account for a coordinator: the officials of its own province only."""
    province = coordinator.province_code
    if province is None:
        return False
    if target is not None:
        if target.id == coordinator.id or target.role not in COORDINATOR_GRANTS:
            return False
        if target.province_code != province:
            return False
    if role is not None and role not in COORDINATOR_GRANTS:
        return False
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.province_code != province:
            return False
    return province_code is None or province_code == province


def can_manage_units(user, province_code: str | None = None) -> bool:
    """May `user` keep the units of that province (add, rename, deactivate, merge unlisted
    names, the members-see-tickets setting)? Admins: every province; a coordinator: its own
    province only. Without a province: the units pages at all."""
    if not is_signed_in(user):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.COORDINATOR or not user.province_code:
        return False
    return province_code is None or province_code == user.province_code


def can_set_unit_sharing(user, unit) -> bool:
    """May `user` choose whether the unit's members see all of its tickets? Who keeps the
    province's units, and the unit's own administrator."""
    if can_manage_units(user, unit.province_code):
        return True
    return has_role(user, Role.UNIT_ADMIN) and user.unit_id is not None and user.unit_id == unit.id


def require_units(user, province_code: str | None = None) -> None:
    """Raise errors.NotFound unless `user` may keep the units of that province."""
    if not can_manage_units(user, province_code):
        raise errors.not_found()


def can_see_cccd(viewer, user: User) -> bool:
    """The full CCCD is shown to its owner and to admins; everyone else sees it masked."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.id == user.id or can(viewer, "accounts.see_cccd")


def shown_username(viewer, user: User) -> str:
    """The login name as `viewer` may see it: whole, or with the CCCD masked."""
    return user.username if can_see_cccd(viewer, user) else user.masked_username


def role_required(*roles: str) -> Callable:
    """Guard a view: anonymous users go to the login page, other roles get 404."""
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_role(current_user, *roles):
                abort(404)
            return view(*args, **kwargs)

        return guarded

    return decorator
