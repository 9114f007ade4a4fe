"""Self-registration: register, confirm the e-mail address, approve or reject."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, false, select
from sqlalchemy.exc import IntegrityError

from helpdesk import errors, inputs
from helpdesk.auth import permissions
from helpdesk.auth.models import Role, Status, User
from helpdesk.auth.services import links, units
from helpdesk.auth.services.accounts import (
    check_password_policy,
    hash_password,
    new_session_token,
    parse_username,
    queue_account_mail,
    spend_hashing_time,
)
from helpdesk.auth.services.fields import (
    check_phone,
    check_province,
    normalised_email,
)
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.notifications.rendering import link
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegistrationDraft:
    """What an official gives when registering (docs/contract.md's registration fields)."""

    cccd: str
    domain: str
    full_name: str
    email: str
    phone: str
    province_code: str
    unit: str
    password: str
    language: str = "vi"
    unit_code: str = ""  # chosen from the province's list; empty: `unit` as typed is matched


def register(draft: RegistrationDraft, *, now: datetime | None = None) -> User | None:
    """Create a requester account waiting for its e-mail to be confirmed; mail the link. Commits.

    The account stays pending until the address is confirmed (within a day) and an approver
    accepts it. The answer is the same whether or not the CCCD has an account, so registering
    tells nobody that an account exists: when it has one (active, waiting for approval or
    disabled), nothing is made, its owner is mailed instead (someone tried to register with
    your CCCD: log in, or reset the password) and None is returned. A registration never
    confirmed, expired or not, or a rejected one is replaced, so that no stranger's
    registration keeps the CCCD's owner out: the replaced one's link stops working.
    The unit is the province's unit `unit_code` names, else the listed unit the typed name
    matches, else the name kept as written (units.resolve).
    Raises errors.Invalid for a bad field (`unit_code` for a code unknown or of another province).
    """
    now = now or utcnow()
    login = parse_username(f"{draft.cccd.strip()}@{draft.domain}", now=now, field="cccd")
    full_name = " ".join(draft.full_name.split())
    if not full_name:
        raise errors.Invalid(_("Enter your full name."), "full_name")
    inputs.require_readable(full_name, "full_name")
    email = normalised_email(draft.email)
    phone = check_phone(draft.phone)
    province_code = check_province(draft.province_code)
    if not province_code:
        raise errors.Invalid(_("Choose a province from the list."), "province")
    check_password_policy(
        draft.password,
        cccd=login.cccd,
        username=login.username,
        phone=phone,
        full_name=full_name,
        email=email,
    )
    # Checked before the CCCD is looked up: a bad unit is told whether or not it has an account.
    units.check(province_code, draft.unit, draft.unit_code)

    user = db.session.scalar(select(User).where(User.cccd == login.cccd))
    if user is not None and not is_replaceable(user):
        tell_owner(user, password=draft.password, now=now)
        return None
    unit = units.resolve(province_code, draft.unit, draft.unit_code)
    if user is None:
        user = User(cccd=login.cccd)
        db.session.add(user)
    user.domain = login.domain
    user.full_name = full_name[:120]
    user.email = email
    user.pending_email = None
    user.email_verified_at = None
    user.phone = phone
    user.province_code = province_code
    user.unit = unit
    user.role = Role.REQUESTER
    user.status = Status.PENDING_VERIFICATION
    user.password_hash = hash_password(draft.password)
    user.password_changed_at = now
    user.must_change_password = False
    user.language = draft.language if draft.language in ("vi", "en") else "vi"
    user.notify_updates = True
    user.session_token = new_session_token()  # a replaced registration's link stops working
    user.created_at = now
    user.approved_at = user.approved_by_id = user.rejected_at = user.created_by_id = None
    try:
        db.session.flush()
    except IntegrityError:  # the same CCCD registered by a concurrent request: answer alike
        db.session.rollback()
        log.info("registration lost a race for its CCCD; nothing made")
        return None
    row = queue_verification(user, now=now)
    db.session.commit()
    dispatch([row])
    log.info("registration %s waits for e-mail confirmation", user.id)
    return user


def is_replaceable(user: User) -> bool:
    """A registration never confirmed (its link sent or expired) or rejected may be redone."""
    return user.status in (Status.PENDING_VERIFICATION, Status.REJECTED)


def tell_owner(user: User, *, password: str, now: datetime) -> None:
    """Mail the owner of an account that someone tried to register its CCCD again. Commits.

    At most one such mail an hour. Costs what a registration costs (the password is hashed),
    so that the time of the answer does not tell either.
    """
    spend_hashing_time(password)
    row = queue_account_mail(
        user,
        "account_registration_attempt",
        key=f"registration-attempt:{user.id}:{now:%Y%m%d%H}",
        context={
            "login_url": link("auth.login"),
            "reset_url": link("auth.request_reset"),
        },
    )
    db.session.commit()
    dispatch([row])
    log.info("registration with the CCCD of account %s: nothing made, its owner told", user.id)


def queue_verification(user: User, *, now: datetime):
    token = links.issue("verify", user, now=now)
    return queue_account_mail(
        user,
        "account_verify",
        key=f"verify:{user.id}:{links.fingerprint('verify', user)}",
        context={
            "url": link("auth.verify_email", token=token),
            "valid_hours": int(links.LIFETIMES["verify"].total_seconds() // 3600),
        },
    )


def check_verification_link(token: str, *, now: datetime | None = None) -> User:
    """The registration a confirmation link belongs to; raises links.LinkExpired/LinkInvalid."""
    return links.read("verify", token, now=now or utcnow())


def confirm_email(token: str, *, now: datetime | None = None) -> User:
    """Confirm the address of a registration; it then waits for an approver. Commits.

    The link works once: confirming changes the status it was signed with.
    """
    now = now or utcnow()
    user = links.read("verify", token, now=now)
    if user.status != Status.PENDING_VERIFICATION:  # the fingerprint already says so
        raise links.LinkInvalid(links.invalid_message())
    user.status = Status.PENDING_APPROVAL
    user.email_verified_at = now
    db.session.commit()
    log.info("registration %s confirmed its e-mail, waits for approval", user.id)
    return user


def pending_for(approver: User) -> Select:
    """Registrations waiting that `approver` may decide, oldest first (a query: pages add
    limits): all for admins, its province's for a coordinator, their unit's for a unit admin,
    whoever they are addressed to (approvals.addressed says who is asked first)."""
    permissions.require(approver, "accounts.approve")
    query = (
        select(User)
        .where(User.status == Status.PENDING_APPROVAL)
        .order_by(User.created_at, User.id)
    )
    if approver.role == Role.ADMIN:
        return query
    if approver.role == Role.COORDINATOR and approver.province_code is not None:
        return query.where(
            User.province_code == approver.province_code,
            User.role.in_(permissions.COORDINATOR_GRANTS),
        )
    if approver.role == Role.UNIT_ADMIN and approver.unit_id is not None:
        return query.where(User.role == Role.REQUESTER, User.unit_id == approver.unit_id)
    return query.where(false())


def get_pending(approver: User, user_id: int) -> User:
    """A registration `approver` may decide; errors.NotFound for any other."""
    user = db.session.get(User, user_id)
    if user is None or not permissions.can(approver, "accounts.approve", target=user):
        raise errors.not_found()
    return user


def approve_account(approver: User, user_id: int, *, now: datetime | None = None) -> User:
    """Activate a confirmed registration and tell its owner by mail. Commits.

    Raises errors.NotFound when `approver` may not decide it, errors.Conflict when it is
    not waiting for approval (already decided, or the e-mail not yet confirmed).
    """
    now = now or utcnow()
    user = get_pending(approver, user_id)
    if user.status != Status.PENDING_APPROVAL:
        raise errors.Conflict(_("This registration is not waiting for approval."))
    user.status = Status.ACTIVE
    user.approved_at = now
    user.approved_by_id = approver.id
    row = queue_account_mail(
        user,
        "account_approved",
        key=f"approved:{user.id}:{now.isoformat()}",
        context={"url": link("auth.login")},
    )
    db.session.commit()
    dispatch([row])
    log.info("registration %s approved by user %s", user.id, approver.id)
    return user


def reject_account(
    approver: User, user_id: int, *, reason: str = "", now: datetime | None = None
) -> User:
    """Refuse a registration and tell its owner by mail, with the reason given. Commits.

    The CCCD may register again later. Raises like approve_account.
    """
    now = now or utcnow()
    user = get_pending(approver, user_id)
    if user.status not in (Status.PENDING_APPROVAL, Status.PENDING_VERIFICATION):
        raise errors.Conflict(_("This registration is not waiting for approval."))
    user.status = Status.REJECTED
    user.rejected_at = now
    user.session_token = new_session_token()
    row = queue_account_mail(
        user,
        "account_rejected",
        key=f"rejected:{user.id}:{now.isoformat()}",
        context={"reason": " ".join(reason.split())[:500]},
    )
    db.session.commit()
    dispatch([row])
    log.info("registration %s rejected by user %s", user.id, approver.id)
    return user
