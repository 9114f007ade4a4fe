"""Accounts: finding users, password hashing and policy, units, provisioning, API tokens."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, delete, false, or_, select, update
from sqlalchemy.exc import IntegrityError

from helpdesk import errors, inputs, reference_cache
from helpdesk.auth import cccd as cccd_rules
from helpdesk.auth import passwords, permissions
from helpdesk.auth.models import ApiToken, LoginThrottle, Role, Status, TokenRevocation, Unit, User
from helpdesk.auth.services import links
from helpdesk.catalogue.models import Province
from helpdesk.extensions import db
from helpdesk.notifications import services as notifications
from helpdesk.timeutil import to_local, utcnow

log = logging.getLogger(__name__)

# Roles that belong to a unit: officials who file tickets and those who run their accounts.
UNIT_ROLES = frozenset({Role.REQUESTER, Role.UNIT_ADMIN})


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


# ---------------------------------------------------------------- units, fields


def find_or_create_unit(province_code: str, name: str) -> Unit:
    """The unit of that province whose name matches (ignoring case and diacritics), or a new one.

    A new unit is flushed, not committed: it belongs to the caller's transaction.
    """
    name = inputs.require_readable(" ".join(name.split()), "unit")
    key = Unit.key_for(name)
    if not key:
        raise errors.Invalid(_("Enter the name of your unit."), "unit")
    unit = db.session.scalar(
        select(Unit).where(Unit.province_code == province_code, Unit.key == key)
    )
    if unit is None:
        unit = Unit(province_code=province_code, name=name[:200], key=key[:200])
        db.session.add(unit)
        db.session.flush()
    return unit


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


# ---------------------------------------------------------------- mail


def queue_account_mail(
    user: User, template: str, *, key: str, context: dict, to: str | None = None
):
    """An outbox row for an account mail, in the user's language; the login name masked."""
    return notifications.queue_email(
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
            "url": notifications.link("auth.activate", token=token),
            "valid_days": links.LIFETIMES["activate"].days,
        },
    )


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
    password: str | None = None
    # Set by whoever chose the password for the user (CLI --password): change it at first login.
    must_change_password: bool = False
    language: str = "vi"


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
    if actor is not None:
        permissions.require(actor, "accounts.create")
    user = build_account(draft, actor=actor, require_unit=require_unit, now=now)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as error:  # another request took the CCCD in the meantime
        db.session.rollback()
        raise errors.Conflict(duplicate_message(), "username") from error
    outbox = [] if user.password_hash else [queue_activation(user, now=now)]
    db.session.commit()
    notifications.dispatch(outbox)
    log.info("account %s created with role %s by %s", user.id, user.role, actor_label(actor))
    return user


def build_account(
    draft: AccountDraft, *, actor: User | None, require_unit: bool, now: datetime
) -> User:
    """Check a draft and make its (unsaved) user; may flush a new unit. Raises errors.Invalid."""
    login = parse_username(draft.username, now=now)
    inputs.require_readable(draft.full_name, "full_name")
    role = check_role(draft.role)
    email = normalised_email(draft.email) if draft.email.strip() else ""
    phone = check_phone(draft.phone)
    province_code = check_province(draft.province_code)
    if draft.unit.strip() and not province_code:
        raise errors.Invalid(_("Choose the province of the unit."), "province")
    if require_unit and role in UNIT_ROLES:
        if not province_code:
            raise errors.Invalid(_("Choose a province from the list."), "province")
        if not draft.unit.strip():
            raise errors.Invalid(_("Enter the name of the unit."), "unit")
    if not draft.password and not email:
        raise errors.Invalid(_("An e-mail address is needed to send the activation link."), "email")
    if actor is not None and actor.role != Role.ADMIN:
        same_unit = (
            actor.unit is not None
            and province_code == actor.province_code
            and Unit.key_for(draft.unit) == actor.unit.key
        )
        if not same_unit:
            raise errors.Invalid(_("You can create accounts only for your own unit."), "unit")
        if not permissions.can(actor, "accounts.create", role=role):
            raise errors.Invalid(_("You cannot give this role."), "role")
    if db.session.scalar(select(User.id).where(User.cccd == login.cccd)) is not None:
        raise errors.Conflict(duplicate_message(), "username")
    unit = find_or_create_unit(province_code, draft.unit) if draft.unit.strip() else None
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
    """The accounts `actor` manages: all for admins, their unit's requesters for unit admins."""
    query = select(User).order_by(User.full_name, User.id)
    if actor.role == Role.ADMIN:
        return query
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
        raise errors.NotFound(
            _("The page you asked for does not exist or is not available to you.")
        )
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
    notifications.dispatch([row])
    return user


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
