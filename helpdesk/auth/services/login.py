"""Logging in and out: throttling after failures, sessions, changing and resetting passwords."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, case, delete, select, update

from helpdesk import errors
from helpdesk.auth import permissions
from helpdesk.auth.models import LoginThrottle, Status, TokenRevocation, User
from helpdesk.auth.services import links
from helpdesk.auth.services.accounts import (
    clear_failures,
    find_user,
    local_time,
    new_session_token,
    queue_account_mail,
    revoke_tokens,
    set_password,
    spend_hashing_time,
    throttle_key,
    verify_password,
)
from helpdesk.extensions import db, insert_with_conflicts
from helpdesk.notifications.outbox import dispatch
from helpdesk.notifications.rendering import link
from helpdesk.timeutil import ensure_aware, utcnow

log = logging.getLogger(__name__)

# After this many failures in a row, each further attempt waits: 1, 2, 4, 8, then 15 minutes.
# A delay, never a lock: a stranger who knows a login name can keep its owner out for at
# most LONGEST_DELAY after their last attempt (attempts while the delay runs are not counted,
# so they do not lengthen it), and a password reset lifts it at once. This is the only limit
# per login name: the others count per address.
THROTTLE_AFTER = 5
LONGEST_DELAY = timedelta(minutes=15)
# Failures older than this are forgotten: the count starts again.
FAILURE_MEMORY = timedelta(days=1)


class Outcome(enum.StrEnum):
    OK = "ok"
    FAILED = "failed"  # unknown name or wrong password: one answer for both
    THROTTLED = "throttled"  # the name waits after repeated failures, known or not
    PENDING_VERIFICATION = "pending_verification"  # right password, e-mail not confirmed
    PENDING_APPROVAL = "pending_approval"  # right password, not approved yet
    INACTIVE = "inactive"  # right password, account rejected or disabled


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    user: User | None = None
    retry_at: datetime | None = None  # THROTTLED: when the next attempt counts

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


def throttle_delay(failures: int) -> timedelta:
    """How long a name waits after `failures` consecutive failures (0 below the threshold)."""
    if failures < THROTTLE_AFTER:
        return timedelta(0)
    doublings = min(failures - THROTTLE_AFTER, 10)  # 2**10 minutes is past the cap already
    return min(timedelta(minutes=2**doublings), LONGEST_DELAY)


def is_throttled(throttle: LoginThrottle | None, *, now: datetime) -> bool:
    return (
        throttle is not None
        and throttle.throttled_until is not None
        and ensure_aware(throttle.throttled_until) > now
    )


def authenticate(username: str, password: str, *, now: datetime | None = None) -> LoginResult:
    """Check a login; count failures and throttle the name after repeated ones. Commits.

    Failures are counted per login name whether or not an account has it, so an unknown name
    and a real one fail, and are throttled, alike: FAILED, then THROTTLED with the same
    `retry_at` after the same failures. A failure costs the same hashing time either way.
    While throttled even the right password is not checked, and the attempt is not counted.
    A right password tells the owner why an account that is not active cannot log in.
    """
    now = now or utcnow()
    key = throttle_key(username)
    throttle = db.session.get(LoginThrottle, key)
    if is_throttled(throttle, now=now):
        log.info("login refused: the name waits after %s failures", throttle.failures)
        return LoginResult(Outcome.THROTTLED, retry_at=ensure_aware(throttle.throttled_until))
    user = find_user(username)
    if user is None:
        spend_hashing_time(password)
        record_failure(key, None, now=now)
        db.session.commit()
        return LoginResult(Outcome.FAILED)
    if not verify_password(user, password):
        record_failure(key, user, now=now)
        db.session.commit()
        return LoginResult(Outcome.FAILED)
    if throttle is not None:
        db.session.delete(throttle)  # success forgets the failures
    if user.status != Status.ACTIVE:
        db.session.commit()
        outcome = {
            Status.PENDING_VERIFICATION: Outcome.PENDING_VERIFICATION,
            Status.PENDING_APPROVAL: Outcome.PENDING_APPROVAL,
        }.get(user.status, Outcome.INACTIVE)
        return LoginResult(outcome, user)
    user.last_login_at = now
    db.session.commit()
    return LoginResult(Outcome.OK, user)


def record_failure(key: str, user: User | None, *, now: datetime) -> None:
    """Count a failed login of a name; from the THROTTLE_AFTER-th on, make the next one wait.

    One statement counts (concurrent failures each count); a second sets the delay.
    """
    table = LoginThrottle.__table__
    user_id = user.id if user is not None else None
    forgotten = table.c.last_failed_at < now - FAILURE_MEMORY
    insert = insert_with_conflicts(db.session)(table).values(
        key=key, user_id=user_id, failures=1, last_failed_at=now, throttled_until=None
    )
    counted = insert.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((forgotten, 1), else_=table.c.failures + 1),
            "last_failed_at": now,
            "user_id": user_id,
        },
    ).returning(table.c.failures)
    failures = db.session.execute(counted).scalar_one()
    delay = throttle_delay(failures)
    if delay:
        db.session.execute(
            update(table).where(table.c.key == key).values(throttled_until=now + delay)
        )
        log.warning("a login name throttled for %s after %s failed logins", delay, failures)


def throttled_accounts(actor: User, *, now: datetime | None = None) -> Select:
    """Accounts throttled in the last day with their throttle, latest first (in force or not)."""
    permissions.require(actor, "accounts.unthrottle")
    now = now or utcnow()
    return (
        select(User, LoginThrottle)
        .join(LoginThrottle, LoginThrottle.user_id == User.id)
        .where(LoginThrottle.throttled_until > now - FAILURE_MEMORY)
        .order_by(LoginThrottle.throttled_until.desc(), User.id)
    )


def unthrottle(actor: User, user_id: int) -> User:
    """Lift an account's throttling and forget its failures. Commits."""
    permissions.require(actor, "accounts.unthrottle")
    user = db.session.get(User, user_id)
    if user is None:
        raise errors.not_found()
    clear_failures(user)
    db.session.commit()
    log.info("user %s unthrottled by user %s", user.id, actor.id)
    return user


def forget_old_failures(*, now: datetime | None = None) -> int:
    """Delete the failure counts older than FAILURE_MEMORY (forgotten already). Commits."""
    now = now or utcnow()
    result = db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.last_failed_at < now - FAILURE_MEMORY)
    )
    db.session.commit()
    return result.rowcount


def log_out(user: User) -> None:
    """End every session of the user, on every device (the session token changes). Commits."""
    user.session_token = new_session_token()
    db.session.commit()


def change_password(user: User, current: str, new: str, *, now: datetime | None = None) -> User:
    """Replace the password after checking the current one. Commits.

    Every other session of the user ends (the caller logs this one in again), every API token
    is revoked, and the owner is mailed that it happened.
    Raises errors.Invalid on `current_password` or `password`.
    """
    now = now or utcnow()
    if not verify_password(user, current):
        raise errors.Invalid(_("The current password is not correct."), "current_password")
    if new == current:
        raise errors.Invalid(_("The new password must differ from the current one."), "password")
    set_password(user, new, now=now)
    row = end_credentials(user, TokenRevocation.PASSWORD_CHANGED, now=now)
    db.session.commit()
    dispatch([row])
    log.info("user %s changed their password", user.id)
    return user


def end_credentials(user: User, reason: TokenRevocation, *, now: datetime):
    """After a new password (set_password ended the sessions): revoke the API tokens and queue
    the mail that tells the owner (no commit); returns the outbox row."""
    revoke_tokens(user, reason=reason, now=now)
    return queue_account_mail(
        user,
        "password_changed",
        # The new session token names this change: one mail per change.
        key=f"password_changed:{user.id}:{user.session_token}",
        context={
            "reset": reason is TokenRevocation.PASSWORD_RESET,
            "when": local_time(now),
            "url": link("auth.request_reset"),
        },
    )


def request_password_reset(username: str, *, now: datetime | None = None) -> None:
    """Mail a reset link (valid 1 hour) if an active account has that login name. Commits.

    Answers nothing either way: the caller says the same thing whether the account exists.
    At most one mail per account and hour for the same password (the outbox key says so).
    """
    now = now or utcnow()
    user = find_user(username)
    if user is None or user.status != Status.ACTIVE or not user.email:
        return
    token = links.issue("reset", user, now=now)
    row = queue_account_mail(
        user,
        "password_reset",
        key=f"reset:{user.id}:{links.fingerprint('reset', user)}:{now:%Y%m%d%H}",
        context={
            "url": link("auth.reset_password", token=token),
            "valid_minutes": int(links.LIFETIMES["reset"].total_seconds() // 60),
        },
    )
    db.session.commit()
    dispatch([row])
    log.info("password reset mailed to user %s", user.id)


def check_password_link(purpose: str, token: str, *, now: datetime | None = None) -> User:
    """The active account an activation or reset link belongs to; raises links.Link*."""
    if purpose not in ("activate", "reset"):
        raise ValueError(f"not a password link: {purpose!r}")
    user = links.read(purpose, token, now=now or utcnow())
    if user.status != Status.ACTIVE:
        raise links.LinkInvalid(links.invalid_message())
    return user


def set_password_by_link(
    purpose: str, token: str, password: str, *, now: datetime | None = None
) -> User:
    """Set the password of the account an activation or reset link belongs to. Commits.

    The link then stops working (the password hash it was signed with changed); throttling
    is lifted and every session ends. A reset (or an activation that replaces a password)
    also revokes every API token and mails the owner that it happened.
    Raises links.LinkExpired/LinkInvalid or errors.Invalid.
    """
    now = now or utcnow()
    user = check_password_link(purpose, token, now=now)
    replacing = user.password_hash is not None
    set_password(user, password, now=now)
    if user.email_verified_at is None:
        user.email_verified_at = now  # the link arrived: the address works
    outbox = []
    if purpose == "reset" or replacing:
        outbox.append(end_credentials(user, TokenRevocation.PASSWORD_RESET, now=now))
    db.session.commit()
    dispatch(outbox)
    log.info("user %s set a password by %s link", user.id, purpose)
    return user
