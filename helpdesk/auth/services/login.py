"""Logging in and out: throttling after failures, sessions, changing and resetting passwords."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, select

from helpdesk import errors
from helpdesk.auth import permissions
from helpdesk.auth.models import Status, TokenRevocation, User
from helpdesk.auth.services import links
from helpdesk.auth.services.accounts import (
    clear_failures,
    find_user,
    local_time,
    new_session_token,
    password_matches,
    queue_account_mail,
    revoke_tokens,
    set_password,
    spend_hashing_time,
    verify_password,
)
from helpdesk.extensions import db
from helpdesk.notifications import services as notifications
from helpdesk.timeutil import ensure_aware, utcnow

log = logging.getLogger(__name__)

# After this many failures in a row, each further attempt waits: 1, 2, 4, 8, then 15 minutes.
# A delay, never a lock: a stranger who knows a login name can keep its owner out for at
# most LONGEST_DELAY after their last attempt, and a password reset lifts it at once.
THROTTLE_AFTER = 5
LONGEST_DELAY = timedelta(minutes=15)
# Failures older than this are forgotten: the count starts again.
FAILURE_MEMORY = timedelta(days=1)


class Outcome(enum.StrEnum):
    OK = "ok"
    FAILED = "failed"  # unknown name, wrong password, throttled: one answer for all
    PENDING_VERIFICATION = "pending_verification"  # right password, e-mail not confirmed
    PENDING_APPROVAL = "pending_approval"  # right password, not approved yet
    INACTIVE = "inactive"  # right password, account rejected or disabled


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    user: User | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


def throttle_delay(failures: int) -> timedelta:
    """How long an account waits after `failures` consecutive failures (0 below the threshold)."""
    if failures < THROTTLE_AFTER:
        return timedelta(0)
    doublings = min(failures - THROTTLE_AFTER, 10)  # 2**10 minutes is past the cap already
    return min(timedelta(minutes=2**doublings), LONGEST_DELAY)


def is_throttled(user: User, *, now: datetime) -> bool:
    return user.throttled_until is not None and ensure_aware(user.throttled_until) > now


def authenticate(username: str, password: str, *, now: datetime | None = None) -> LoginResult:
    """Check a login; count failures and throttle the account after repeated ones. Commits.

    Every failure (unknown name, wrong password, account throttled) is the same FAILED
    outcome and costs the same hashing time. While throttled even the right password fails,
    and the attempt is not counted. A right password tells the owner why an account that is
    not active cannot log in.
    """
    now = now or utcnow()
    user = find_user(username)
    if user is None:
        spend_hashing_time(password)
        return LoginResult(Outcome.FAILED)
    if is_throttled(user, now=now):
        password_matches(user, password)  # the same time, and nothing learnt from the answer
        log.info("login of user %s refused: throttled", user.id)
        return LoginResult(Outcome.FAILED)
    if not verify_password(user, password):
        record_failure(user, now=now)
        db.session.commit()
        return LoginResult(Outcome.FAILED)
    clear_failures(user)
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


def record_failure(user: User, *, now: datetime) -> None:
    """Count a failed login; from the THROTTLE_AFTER-th on, make the next attempt wait."""
    last = user.last_failed_login_at
    if last is not None and ensure_aware(last) + FAILURE_MEMORY < now:
        user.failed_logins = 0
    user.failed_logins = (user.failed_logins or 0) + 1
    user.last_failed_login_at = now
    delay = throttle_delay(user.failed_logins)
    if delay:
        user.throttled_until = now + delay
        log.warning(
            "user %s throttled for %s after %s failed logins", user.id, delay, user.failed_logins
        )


def throttled_accounts(actor: User, *, now: datetime | None = None) -> Select:
    """Accounts throttled in the last day, latest first (still in force or not)."""
    permissions.require(actor, "accounts.unthrottle")
    now = now or utcnow()
    return (
        select(User)
        .where(User.throttled_until > now - FAILURE_MEMORY)
        .order_by(User.throttled_until.desc(), User.id)
    )


def unthrottle(actor: User, user_id: int) -> User:
    """Lift an account's throttling and forget its failures. Commits."""
    permissions.require(actor, "accounts.unthrottle")
    user = db.session.get(User, user_id)
    if user is None:
        raise errors.NotFound(
            _("The page you asked for does not exist or is not available to you.")
        )
    clear_failures(user)
    db.session.commit()
    log.info("user %s unthrottled by user %s", user.id, actor.id)
    return user


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
    notifications.dispatch([row])
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
            "url": notifications.link("auth.request_reset"),
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
            "url": notifications.link("auth.reset_password", token=token),
            "valid_minutes": int(links.LIFETIMES["reset"].total_seconds() // 60),
        },
    )
    db.session.commit()
    notifications.dispatch([row])
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
    notifications.dispatch(outbox)
    log.info("user %s set a password by %s link", user.id, purpose)
    return user
