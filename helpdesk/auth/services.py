"""Account rules: creating users, passwords, logging in, tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select

from helpdesk import errors
from helpdesk.auth import cccd as cccd_rules
from helpdesk.auth.models import ApiToken, Role, Status, User
from helpdesk.extensions import db
from helpdesk.timeutil import to_local, utcnow

log = logging.getLogger(__name__)
hasher = PasswordHasher()


def local_today(now: datetime | None = None) -> date:
    return to_local(now or utcnow(), current_app.config["HELPDESK_TIMEZONE"]).date()


def login_domains() -> tuple[str, ...]:
    return tuple(current_app.config["HELPDESK_LOGIN_DOMAINS"])


def parse_username(text: str, *, now: datetime | None = None) -> cccd_rules.Login:
    """`CCCD@domain` or a bare CCCD, checked by the pure validator; raises errors.Invalid."""
    try:
        return cccd_rules.parse_login(text, domains=login_domains(), today=local_today(now))
    except cccd_rules.InvalidLogin as error:
        raise errors.Invalid(translated(error), "username") from error


def translated(error: cccd_rules.InvalidLogin) -> str:
    from flask_babel import get_locale

    return error.message_en if str(get_locale() or "vi") == "en" else error.message_vi


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def new_session_token() -> str:
    return secrets.token_hex(16)


def find_user(username: str) -> User | None:
    """The account of a login name, or None; never raises for a malformed name."""
    try:
        login = cccd_rules.parse_login(username, domains=login_domains(), today=local_today())
    except cccd_rules.InvalidLogin:
        return None
    user = db.session.scalar(select(User).where(User.cccd == login.cccd))
    return user if user is not None and user.domain == login.domain else None


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: `<id>:<session token>`; a rotated token ends the session."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None
    return user


@dataclass(frozen=True)
class AccountDraft:
    username: str
    role: str = Role.REQUESTER
    full_name: str = ""
    email: str = ""
    phone: str = ""
    province_code: str | None = None
    password: str | None = None


def create_account(draft: AccountDraft, *, now: datetime | None = None) -> User:
    """Create an active account (CLI and admin provisioning). Commits.

    Raises errors.Invalid for a bad login name or role, errors.Conflict for a taken CCCD.
    """
    now = now or utcnow()
    login = parse_username(draft.username, now=now)
    if draft.role not in set(Role):
        raise errors.Invalid(f"unknown role {draft.role!r}", "role")
    if db.session.scalar(select(User.id).where(User.cccd == login.cccd)) is not None:
        raise errors.Conflict("An account with this CCCD already exists.", "username")
    user = User(
        cccd=login.cccd,
        domain=login.domain,
        full_name=draft.full_name or login.username,
        email=draft.email,
        phone=draft.phone,
        province_code=draft.province_code,
        role=draft.role,
        status=Status.ACTIVE,
        session_token=new_session_token(),
        password_hash=hash_password(draft.password) if draft.password else None,
        email_verified_at=now if draft.email else None,
        approved_at=now,
    )
    db.session.add(user)
    db.session.commit()
    log.info("account %s created with role %s", user.id, user.role)
    return user


def authenticate(username: str, password: str, *, now: datetime | None = None) -> User | None:
    """The active user with that login name and password, or None (one answer for every cause)."""
    now = now or utcnow()
    user = find_user(username)
    if user is None:
        hasher.hash(password)  # spend the same time as a real check: no user enumeration by timing
        return None
    if not verify_password(user, password) or not user.is_active:
        return None
    user.last_login_at = now
    db.session.commit()
    return user


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


def generate_password() -> str:
    """A random password that passes the policy (for the demo account)."""
    return secrets.token_urlsafe(12)
