"""Accounts as operators make and run them: the command line, the accounts pages, imports.
Drafts become active accounts with a password or an activation link; admins, coordinators and
unit admins find, disable, enable and re-invite the accounts they manage; admins and
coordinators appoint unit admins."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, false, or_, select
from sqlalchemy.exc import IntegrityError

from helpdesk import errors, inputs
from helpdesk.auth import cccd as cccd_rules
from helpdesk.auth import permissions
from helpdesk.auth.models import STAFF_ROLES, Role, Status, User
from helpdesk.auth.services import units
from helpdesk.auth.services.accounts import (
    check_password_policy,
    hash_password,
    new_session_token,
    parse_username,
    queue_activation,
)
from helpdesk.auth.services.fields import (
    check_phone,
    check_province,
    check_role,
    normalised_email,
)
from helpdesk.auth.services.observers import check_systems, stage_observer_systems
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

# Roles that belong to a unit: officials who file tickets and those who run their accounts.
UNIT_ROLES = frozenset({Role.REQUESTER, Role.UNIT_ADMIN})


# ---------------------------------------------------------------- provisioning


@dataclass(frozen=True)
class AccountDraft:
    """An account made by an operator: CLI, admin pages, import."""

    username: str
    role: str = Role.REQUESTER
    full_name: str = ""
    email: str = ""
    phone: str = ""
    province_code: str | None = None
    unit: str = ""
    unit_code: str = ""  # picks the province's unit exactly; empty: `unit` is matched
    password: str | None = None
    # Set by whoever chose the password for the user (CLI --password): change it at first login.
    must_change_password: bool = False
    language: str = "vi"
    # An observer's systems (codes): it reads only their figures; none makes it national.
    systems: tuple[str, ...] = ()
    # Staff who write and publish help articles (helpdesk/help/access.py).
    edits_articles: bool = False


def create_account(
    draft: AccountDraft,
    *,
    actor: User | None = None,
    require_unit: bool = False,
    now: datetime | None = None,
) -> User:
    """Create an active account, with the draft's password or an activation mail. Commits.

    `actor` is the admin or unit admin creating it (None: the command line). Without a
    password the account gets an activation link (7 days) to set its own; it then needs an
    e-mail address. Raises errors.Invalid for a bad field, errors.Conflict for a taken CCCD,
    errors.NotFound when the actor may not create accounts at all.
    """
    now = now or utcnow()
    user, outbox = stage_account(draft, actor=actor, require_unit=require_unit, now=now)
    db.session.commit()
    dispatch(outbox)
    log.info("account %s created with role %s by %s", user.id, user.role, actor_label(actor))
    return user


def create_caller_account(taker: User, draft: AccountDraft, *, now: datetime | None = None) -> User:
    """An official's account made by the staff who take their call (the hotline), when the
    official has none: a requester of a unit, active, without a password; the activation mail
    (7 days) lets them set one. Its address counts as verified, as an account made by an
    operator does, so the ticket's mail reaches it. Commits.

    Admins and coordinators make it as they make any account (a coordinator in its province
    only); agents and supervisors, who manage no accounts, make this one kind. Raises as
    create_account does; errors.NotFound for anyone who does not take calls.
    """
    permissions.require(taker, "tickets.take_calls")
    now = now or utcnow()
    draft = replace(
        draft,
        role=Role.REQUESTER,
        password=None,
        must_change_password=False,
        systems=(),
        edits_articles=False,
    )
    manages = taker.role in (Role.ADMIN, Role.COORDINATOR)
    user, outbox = stage_account(
        draft, actor=taker if manages else None, require_unit=True, now=now
    )
    user.created_by_id = user.approved_by_id = taker.id
    db.session.commit()
    dispatch(outbox)
    log.info("account %s created for a call by user %s", user.id, taker.id)
    return user


def stage_account(
    draft: AccountDraft, *, actor: User | None = None, require_unit: bool = False, now: datetime
) -> tuple[User, list]:
    """create_account without its commit: the account, flushed, and the outbox rows of its
    activation mail, to hand to dispatch after the caller's commit (a caller
    that adds to the same transaction, such as the queue memberships of routing's
    provisioning). Raises as create_account does; a taken CCCD rolls the session back."""
    if actor is not None:
        permissions.require(actor, "accounts.create")
    user = build_account(draft, actor=actor, require_unit=require_unit, now=now)
    systems = check_systems(user.role, draft.systems)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as error:  # another request took the CCCD in the meantime
        db.session.rollback()
        raise errors.Conflict(duplicate_message(), "username") from error
    if systems:
        stage_observer_systems(user, systems)
    outbox = [] if user.password_hash else [queue_activation(user, now=now)]
    return user, outbox


def build_account(
    draft: AccountDraft, *, actor: User | None, require_unit: bool, now: datetime
) -> User:
    """Check a draft and make its (unsaved) user; may flush a new unit. Raises errors.Invalid."""
    login = parse_username(draft.username, now=now)
    inputs.require_readable(draft.full_name, "full_name")
    role = check_role(draft.role)
    check_editor(role, edits_articles=draft.edits_articles)
    email = normalised_email(draft.email) if draft.email.strip() else ""
    phone = check_phone(draft.phone)
    province_code = check_province(draft.province_code)
    given = bool(draft.unit.strip() or draft.unit_code.strip())
    if given and not province_code:
        raise errors.Invalid(_("Choose the province of the unit."), "province")
    if role == Role.COORDINATOR and not province_code:
        raise errors.Invalid(_("A provincial coordinator needs a province."), "province")
    if require_unit and role in UNIT_ROLES:
        if not province_code:
            raise errors.Invalid(_("Choose a province from the list."), "province")
        if not given:
            raise errors.Invalid(_("Enter the name of the unit."), "unit")
    if not draft.password and not email:
        raise errors.Invalid(_("An e-mail address is needed to send the activation link."), "email")
    own_unit = None
    if actor is not None and actor.role == Role.COORDINATOR:
        if province_code != actor.province_code:
            raise errors.Invalid(
                _("You can create accounts only for the units of your province."), "province"
            )
        if not permissions.can(actor, "accounts.create", province_code=province_code, role=role):
            raise errors.Invalid(_("You cannot give this role."), "role")
    elif actor is not None and actor.role != Role.ADMIN:
        if not units.is_same(actor.unit, province_code, draft.unit, draft.unit_code):
            raise errors.Invalid(_("You can create accounts only for your own unit."), "unit")
        if not permissions.can(actor, "accounts.create", role=role):
            raise errors.Invalid(_("You cannot give this role."), "role")
        own_unit = actor.unit
    if own_unit is None and given:
        units.check(province_code, draft.unit, draft.unit_code)
    if db.session.scalar(select(User.id).where(User.cccd == login.cccd)) is not None:
        raise errors.Conflict(duplicate_message(), "username")
    unit = own_unit or (
        units.resolve(province_code, draft.unit, draft.unit_code) if given else None
    )
    user = User(
        cccd=login.cccd,
        domain=login.domain,
        full_name=" ".join(draft.full_name.split())[:120] or cccd_rules.mask_login(login.username),
        email=email,
        phone=phone,
        province_code=province_code,
        unit=unit,
        role=role,
        status=Status.ACTIVE,
        session_token=new_session_token(),
        language=draft.language if draft.language in ("vi", "en") else "vi",
        email_verified_at=now if email else None,
        approved_at=now,
        approved_by_id=actor.id if actor else None,
        created_by_id=actor.id if actor else None,
        created_at=now,
        edits_articles=draft.edits_articles,
    )
    if draft.password:
        check_password_policy(
            draft.password,
            cccd=login.cccd,
            username=login.username,
            phone=phone,
            full_name=user.full_name,
            email=email,
        )
        user.password_hash = hash_password(draft.password)
        user.password_changed_at = now
        user.must_change_password = draft.must_change_password
    return user


def duplicate_message() -> str:
    # Says nothing about the other account: not its name, status, unit or address.
    return _(
        "An account with this CCCD number already exists. If it is yours, log in or reset "
        "your password; otherwise contact your unit's account administrator."
    )


def actor_label(actor: User | None) -> str:
    return f"user {actor.id}" if actor is not None else "the command line"


def accounts_visible_to(actor: User) -> Select:
    """The accounts `actor` manages: all for admins, the officials and unit admins of its
    province for a coordinator, their unit's requesters for unit admins."""
    query = select(User).order_by(User.full_name, User.id)
    if actor.role == Role.ADMIN:
        return query
    if actor.role == Role.COORDINATOR and actor.province_code is not None:
        return query.where(
            User.province_code == actor.province_code,
            User.role.in_(permissions.COORDINATOR_GRANTS),
        )
    if actor.role == Role.UNIT_ADMIN and actor.unit_id is not None:
        return query.where(User.unit_id == actor.unit_id, User.role == Role.REQUESTER)
    return query.where(false())


def search_accounts(actor: User, text: str = "") -> Select:
    """accounts_visible_to(actor), narrowed by a name, an e-mail or an exact CCCD."""
    permissions.require(actor, "accounts.manage")
    query = accounts_visible_to(actor)
    text = text.strip()
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(User.full_name.ilike(pattern), User.email.ilike(pattern), User.cccd == text)
        )
    return query


def get_managed_account(actor: User, user_id: int) -> User:
    """An account `actor` may manage; errors.NotFound for any other (or none)."""
    user = db.session.get(User, user_id)
    if user is None or not permissions.can_place_account(actor, target=user):
        raise errors.not_found()
    return user


def set_account_enabled(
    actor: User, user_id: int, *, enabled: bool, now: datetime | None = None
) -> User:
    """Disable an active account (ending its sessions) or enable a disabled one. Commits."""
    user = get_managed_account(actor, user_id)
    if enabled and user.status == Status.DISABLED:
        user.status = Status.ACTIVE
    elif not enabled and user.status == Status.ACTIVE:
        user.status = Status.DISABLED
        user.session_token = new_session_token()
    else:
        raise errors.Conflict(_("This account is not in a state that allows this."))
    db.session.commit()
    log.info("account %s %s by user %s", user.id, user.status, actor.id)
    return user


def resend_activation(actor: User, user_id: int, *, now: datetime | None = None) -> User:
    """Mail a new activation link to an active account that has no password yet. Commits."""
    now = now or utcnow()
    user = get_managed_account(actor, user_id)
    if user.status != Status.ACTIVE or user.password_hash or not user.email:
        raise errors.Conflict(_("This account has already set its password."))
    row = queue_activation(user, now=now)
    db.session.commit()
    dispatch([row])
    return user


def appoint(actor: User, user_id: int, *, role: str) -> User:
    """Make an official of a unit its account administrator (`role` unit_admin), or a
    requester again (`role` requester). Commits.

    For admins and for the coordinator of the official's province. Raises errors.NotFound for
    an account `actor` may not manage, errors.Invalid for another role, errors.Conflict when
    the account has no unit or already has that role.
    """
    permissions.require(actor, "accounts.appoint")
    user = get_managed_account(actor, user_id)
    if role not in UNIT_ROLES or user.role not in UNIT_ROLES:
        raise errors.Invalid(_("You cannot give this role."), "role")
    if user.role == role:
        raise errors.Conflict(_("The account already has this role."))
    if role == Role.UNIT_ADMIN and user.unit_id is None:
        raise errors.Conflict(_("An account administrator needs a unit."))
    user.role = role
    db.session.commit()
    log.info("account %s made %s by user %s", user.id, role, actor.id)
    return user


@dataclass(frozen=True)
class RoleChange:
    """An account's new role and province, with what they were (routing moves memberships)."""

    user: User
    previous_role: str
    previous_province: str | None


def stage_role_change(
    actor: User,
    user_id: int,
    *,
    role: str,
    province_code: str | None,
    edits_articles: bool = False,
    sends_requests: bool = False,
) -> RoleChange:
    """An admin gives an account another role or province (a coordinator needs one), makes
    a staff account an editor of help articles or not, and an observer a sender of requests
    to provinces or not. No commit: routing's change_role moves the account's coordinator
    membership with it. errors.NotFound for anyone but admins, errors.Invalid naming the
    field."""
    if not permissions.has_role(actor, Role.ADMIN):
        raise errors.not_found()
    user = get_managed_account(actor, user_id)
    role = check_role(role)
    province_code = check_province(province_code)
    if role == Role.COORDINATOR and not province_code:
        raise errors.Invalid(_("A provincial coordinator needs a province."), "province")
    if user.id == actor.id and role != user.role:
        raise errors.Invalid(_("You cannot change your own role."), "role")
    check_editor(role, edits_articles=edits_articles)
    if sends_requests and role != Role.OBSERVER:
        raise errors.Invalid(
            _("Only observers are given this right (admins and the ministries' IT staff have it)."),
            "sends_requests",
        )
    change = RoleChange(user, user.role, user.province_code)
    user.role = role
    user.province_code = province_code
    user.edits_articles = edits_articles
    user.sends_requests = sends_requests
    log.info("account %s now %s of province %s by user %s", user.id, role, province_code, actor.id)
    return change


def check_editor(role: str, *, edits_articles: bool) -> None:
    """Only staff edit and publish help articles: errors.Invalid naming `edits_articles`."""
    if edits_articles and role not in STAFF_ROLES:
        raise errors.Invalid(
            _("Only staff accounts (coordinators, agents, supervisors, admins) edit articles."),
            "edits_articles",
        )
