"""Accounts: login names and the session's user, passwords, API tokens, account mail."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
from datetime import date, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, delete, or_, select, update

from helpdesk import errors, reference_cache
from helpdesk.auth import cccd as cccd_rules
from helpdesk.auth import passwords
from helpdesk.auth.models import ApiToken, LoginThrottle, TokenRevocation, User
from helpdesk.auth.services import links
from helpdesk.extensions import db
from helpdesk.notifications.outbox import queue_email
from helpdesk.notifications.rendering import link
from helpdesk.timeutil import to_local, utcnow

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- login names


def local_today(now: datetime | None = None) -> date:
    return to_local(now or utcnow(), current_app.config["HELPDESK_TIMEZONE"]).date()


def local_time(instant: datetime) -> str:
    """An instant as mail shows it: day and time in the helpdesk's time zone."""
    return to_local(instant, current_app.config["HELPDESK_TIMEZONE"]).strftime("%d/%m/%Y %H:%M")


def login_domains() -> tuple[str, ...]:
    return tuple(current_app.config["HELPDESK_LOGIN_DOMAINS"])


def parse_username(
    text: str, *, now: datetime | None = None, field: str = "username"
) -> cccd_rules.Login:
    """`CCCD@domain` or a bare CCCD, checked by the pure validator; raises errors.Invalid."""
    try:
        return cccd_rules.parse_login(text, domains=login_domains(), today=local_today(now))
    except cccd_rules.InvalidLogin as error:
        raise errors.Invalid(translated(error), field) from error


def translated(error: cccd_rules.InvalidLogin) -> str:
    return error.message_en if str(get_locale() or "vi") == "en" else error.message_vi


def find_user(username: str) -> User | None:
    """The account of a login name, or None; never raises for a malformed name."""
    try:
        login = cccd_rules.parse_login(username, domains=login_domains(), today=local_today())
    except cccd_rules.InvalidLogin:
        return None
    user = db.session.scalar(select(User).where(User.cccd == login.cccd))
    return user if user is not None and user.domain == login.domain else None


def normalised_username(text: str) -> str:
    """The login name as the rate limiter counts it: CCCD@domain, or the trimmed text."""
    try:
        return cccd_rules.parse_login(text, domains=login_domains(), today=local_today()).username
    except cccd_rules.InvalidLogin:
        return text.strip().lower()[:120]


def throttle_key(username: str) -> str:
    """The key failed logins of a login name are counted under, known or not: a digest of its
    normal form keyed with SECRET_KEY (the throttle keeps no CCCD of a name without account)."""
    secret = current_app.config["SECRET_KEY"].encode()
    name = "login|" + normalised_username(username)
    return hmac.new(secret, name.encode(), hashlib.sha256).hexdigest()


@functools.cache
def session_user_statement() -> Select:
    """The user of a session and the reference stamp, by id: built once, as every request
    runs it (only the id changes, as a bound parameter)."""
    return select(User, reference_cache.stamp_column()).where(User.id == bindparam("user_id"))


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: `<id>:<session token>`; a rotated token ends the session."""
    user_id, _sep, token = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or not token:
        return None
    # The reference stamp comes along: nearly every page reads it, and this is its first query.
    row = db.session.execute(session_user_statement(), {"user_id": int(user_id)}).first()
    if row is None:
        return None
    user, stamp = row
    reference_cache.seen(stamp)
    if not secrets.compare_digest(user.session_token, token):
        return None
    return user if user.is_active else None


# ---------------------------------------------------------------- passwords


def hasher() -> PasswordHasher:
    """argon2id at the app's cost (HELPDESK_PASSWORD_HASHING). It verifies hashes made at any
    cost (theirs is written in them); check_needs_rehash tells those made at another one."""
    return hasher_at(**current_app.config["HELPDESK_PASSWORD_HASHING"])


@functools.cache
def hasher_at(*, time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def password_matches(user: User, password: str) -> bool:
    """Check the password without changing anything (spends the hashing time either way)."""
    if not user.password_hash:
        spend_hashing_time(password)
        return False
    try:
        return hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def spend_hashing_time(password: str) -> None:
    """Cost what a real check costs, so that timing does not tell whether an account exists."""
    hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    """Check the password; rehash it when the hashing parameters have changed."""
    if not password_matches(user, password):
        return False
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    return True


def new_session_token() -> str:
    return secrets.token_hex(16)


@functools.cache
def refused_passwords() -> frozenset[str]:
    """The shipped defaults and Vietnamese favourites, and the 10 000 most common passwords."""
    files = (passwords.REFUSED_FILE, passwords.COMMON_FILE)
    return frozenset().union(
        *(passwords.parse_refused(f.read_text(encoding="utf-8")) for f in files)
    )


@functools.cache
def guessable_words() -> frozenset[str]:
    words = passwords.parse_refused(passwords.WORDS_FILE.read_text(encoding="utf-8"))
    return passwords.words_of(words, refused_passwords())


PASSWORD_MESSAGES = {
    passwords.Reason.TOO_SHORT: lambda: _(
        "The password must have at least %(count)d characters.", count=passwords.MIN_LENGTH
    ),
    passwords.Reason.TOO_LONG: lambda: _(
        "The password may have at most %(count)d characters.", count=passwords.MAX_LENGTH
    ),
    passwords.Reason.CONTAINS_CCCD: lambda: _("The password must not contain your CCCD number."),
    passwords.Reason.SAME_AS_LOGIN: lambda: _("The password must not be your login name."),
    passwords.Reason.CONTAINS_PHONE: lambda: _("The password must not contain your phone number."),
    passwords.Reason.PERSONAL: lambda: _(
        "The password must not be made of your name or your e-mail address."
    ),
    passwords.Reason.COMMON: lambda: _(
        "This password is too common or is a known default password. Choose another one."
    ),
    passwords.Reason.PATTERN: lambda: _(
        "This password is easy to guess: a single word or a few letters with a year, a date or "
        "a run of digits (such as Hanoi@2026 or Ab@123456), or repeated or consecutive "
        "characters. Choose another one, e.g. a few unrelated words."
    ),
}


def check_password_policy(
    password: str,
    *,
    cccd: str | None,
    username: str | None,
    phone: str | None = None,
    full_name: str | None = None,
    email: str | None = None,
    field: str = "password",
) -> None:
    """Raise errors.Invalid (on `field`) when the password breaks the policy.

    The account's own data (CCCD, login name, phone, name, e-mail address) is refused in it.
    """
    try:
        passwords.check(
            password,
            refused=refused_passwords(),
            words=guessable_words(),
            cccd=cccd,
            username=username,
            phone=phone,
            full_name=full_name,
            email=email,
        )
    except passwords.WeakPassword as error:
        raise errors.Invalid(PASSWORD_MESSAGES[error.reason](), field) from error


def set_password(user: User, password: str, *, now: datetime) -> None:
    """Store a new password: checked, hashed; every other session ends; throttling lifted."""
    check_password_policy(
        password,
        cccd=user.cccd,
        username=user.username,
        phone=user.phone,
        full_name=user.full_name,
        email=user.email,
    )
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.must_change_password = False
    user.session_token = new_session_token()
    clear_failures(user)


def clear_failures(user: User) -> None:
    """Forget the failed logins of the account's name: a throttle in force is lifted at once."""
    db.session.execute(
        delete(LoginThrottle).where(
            or_(LoginThrottle.key == throttle_key(user.username), LoginThrottle.user_id == user.id)
        )
    )


def generate_password() -> str:
    """A random password that passes the policy (for the demo account)."""
    return secrets.token_urlsafe(12)


# ---------------------------------------------------------------- mail


def queue_account_mail(
    user: User, template: str, *, key: str, context: dict, to: str | None = None
):
    """An outbox row for an account mail, in the user's language; the login name masked."""
    return queue_email(
        template=template,
        to=to or user.email,
        language=user.language,
        context={"full_name": user.full_name, "username": user.masked_username, **context},
        key=key,
        user_id=user.id,
        essential=True,
    )


def queue_activation(user: User, *, now: datetime):
    """The activation mail of a provisioned account: a link to set its own password."""
    token = links.issue("activate", user, now=now)
    return queue_account_mail(
        user,
        "account_activate",
        key=f"activate:{user.id}:{links.fingerprint('activate', user)}:{now:%Y%m%d%H%M}",
        context={
            "url": link("auth.activate", token=token),
            "valid_days": links.LIFETIMES["activate"].days,
        },
    )


# ---------------------------------------------------------------- API tokens


def create_token(user: User, *, name: str = "api") -> str:
    """A new API token for the user; only its hash is stored. Commits; returns the token."""
    token = "hd_" + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, name=name, token_hash=token_digest(token), prefix=token[:10])
    )
    db.session.commit()
    return token


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def revoke_tokens(user: User, *, reason: TokenRevocation, now: datetime) -> int:
    """Revoke every live API token of the user, saying why (no commit); returns how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason.value)
    )
    if result.rowcount:
        log.info("%s api tokens of user %s revoked: %s", result.rowcount, user.id, reason)
    return result.rowcount
