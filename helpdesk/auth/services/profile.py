"""A user's own profile: name, e-mail (confirmed again when changed), phone, language, mail,
the digests (for who gets them; each digest also carries a link that stops them), and, for an
official whose unit is not yet one of the list, the unit chosen from the list.

A new e-mail address needs the current password, and once it takes effect the old address is
mailed a link that undoes the change for a week: whoever took the account over cannot also
take away its owner's way back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import update

from helpdesk import errors, inputs
from helpdesk.auth.models import DIGEST_ROLES, EmailChange, Role, Status, TokenRevocation, User
from helpdesk.auth.services import links, units
from helpdesk.auth.services.accounts import (
    local_time,
    new_session_token,
    queue_account_mail,
    revoke_tokens,
    verify_password,
)
from helpdesk.auth.services.fields import check_phone, normalised_email
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.notifications.rendering import link
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProfileChange:
    full_name: str
    email: str
    phone: str
    language: str
    notify_updates: bool
    current_password: str = ""  # needed only for a new e-mail address
    unit: str | None = None  # None: not given (kept); see may_choose_unit
    unit_code: str = ""
    digest_opt_out: bool | None = None  # None: not given (kept); see may_get_digests


def may_choose_unit(user: User) -> bool:
    """Whether the profile lets the user choose their unit: an official of a province whose unit
    is a name as written (or none), who picks the record it means. A listed unit was checked
    by whoever approved or made the account: it changes on the accounts pages, never by its
    owner alone, as a unit's members may see its tickets and its unit admin runs its accounts."""
    return (
        user.role == Role.REQUESTER
        and bool(user.province_code)
        and (user.unit is None or not user.unit.listed)
    )


def may_get_digests(user: User) -> bool:
    """Whether the account's role gets the weekly and monthly digests (it may opt out)."""
    return user.role in DIGEST_ROLES


def update_profile(user: User, change: ProfileChange, *, now: datetime | None = None) -> bool:
    """Save the profile. A new e-mail address is kept aside and a link mailed to it. Commits.

    Returns True when a confirmation link went to a new address (the old one stays in use
    until the link is followed). A unit given is resolved in the user's province
    (units.resolve) when may_choose_unit allows it, else ignored. Raises errors.Invalid
    naming the field, `current_password` when a new address comes without the right current
    password, `unit_code` for a code unknown or of another province (nothing is saved then).
    """
    now = now or utcnow()
    full_name = " ".join(change.full_name.split())
    if not full_name:
        raise errors.Invalid(_("Enter your full name."), "full_name")
    inputs.require_readable(full_name, "full_name")
    email = normalised_email(change.email)
    phone = check_phone(change.phone)
    if change.language not in ("vi", "en"):
        raise errors.Invalid(_("Choose a language from the list."), "language")
    choosing = may_choose_unit(user) and bool((change.unit or "").strip() or change.unit_code)
    if choosing:
        units.check(user.province_code, change.unit or "", change.unit_code)
    new_address = email.lower() != user.email.lower() and email != user.pending_email
    if new_address:
        check_current_password(user, change.current_password)
    if choosing:
        user.unit = units.resolve(user.province_code, change.unit or "", change.unit_code)
    user.full_name = full_name[:120]
    user.phone = phone
    user.language = change.language
    user.notify_updates = change.notify_updates
    if change.digest_opt_out is not None and may_get_digests(user):
        user.digest_opt_out = change.digest_opt_out
    outbox = []
    if email.lower() == user.email.lower():
        user.pending_email = None
    elif new_address:
        user.pending_email = email
        token = links.issue("email", user, now=now)
        outbox.append(
            queue_account_mail(
                user,
                "email_change_verify",
                to=email,
                key=f"email:{user.id}:{links.fingerprint('email', user)}",
                context={
                    "url": link("auth.confirm_email_change", token=token),
                    "valid_days": links.LIFETIMES["email"].days,
                },
            )
        )
    db.session.commit()
    dispatch(outbox)
    return bool(outbox)


def check_current_password(user: User, password: str) -> None:
    """Raise errors.Invalid on `current_password` unless it is the user's password."""
    if not password:
        raise errors.Invalid(
            _("Enter your current password to change the e-mail address."), "current_password"
        )
    if not verify_password(user, password):
        log.info("user %s gave a wrong password for a new e-mail address", user.id)
        raise errors.Invalid(_("The current password is not correct."), "current_password")


def check_email_change_link(token: str, *, now: datetime | None = None) -> User:
    """The account a new-address link belongs to; raises links.LinkExpired/LinkInvalid."""
    user = links.read("email", token, now=now or utcnow())
    if not user.pending_email:
        raise links.LinkInvalid(links.invalid_message())
    return user


def confirm_email_change(token: str, *, now: datetime | None = None) -> User:
    """Make the pending address the account's address. Commits; the link then stops working.

    The old address is mailed a link that undoes the change (valid LIFETIMES["email_undo"]).
    """
    now = now or utcnow()
    user = check_email_change_link(token, now=now)
    change = EmailChange(
        user_id=user.id, old_email=user.email, new_email=user.pending_email, changed_at=now
    )
    db.session.add(change)
    user.email = user.pending_email
    user.pending_email = None
    user.email_verified_at = now
    db.session.flush()  # the change's id goes into the undo link
    undo = links.issue("email_undo", user, now=now, ref=change.id)
    row = queue_account_mail(
        user,
        "email_changed",
        to=change.old_email,
        key=f"email_changed:{change.id}",
        context={
            "new_email": change.new_email,
            "when": local_time(now),
            "url": link("auth.undo_email_change", token=undo),
            "valid_days": links.LIFETIMES["email_undo"].days,
        },
    )
    db.session.commit()
    dispatch([row])
    log.info("user %s confirmed a new e-mail address", user.id)
    return user


def check_email_undo_link(token: str, *, now: datetime | None = None) -> EmailChange:
    """The change an undo link was mailed about, if not undone yet; raises links.Link*."""
    user, change_id = links.read_ref("email_undo", token, now=now or utcnow())
    change = db.session.get(EmailChange, change_id) if change_id is not None else None
    if change is None or change.user_id != user.id or change.undone_at is not None:
        raise links.LinkInvalid(links.invalid_message())
    return change


def undo_email_change(token: str, *, now: datetime | None = None) -> str | None:
    """Give the account back the address a change replaced, as after a takeover. Commits.

    The change and every later one of the account count as undone (their links stop
    working); every session ends, every API token is revoked, and the password is cleared:
    whoever changed the address knew it. Returns the token of a password reset link for the
    owner to choose a new password at once (None if the account is not active).
    Raises links.LinkExpired/LinkInvalid.
    """
    now = now or utcnow()
    change = check_email_undo_link(token, now=now)
    user = change.user
    db.session.execute(
        update(EmailChange)
        .where(
            EmailChange.user_id == user.id,
            EmailChange.id >= change.id,
            EmailChange.undone_at.is_(None),
        )
        .values(undone_at=now)
    )
    user.email = change.old_email
    user.pending_email = None
    user.email_verified_at = now  # the link came to it: the address works
    user.password_hash = None
    user.session_token = new_session_token()
    revoke_tokens(user, reason=TokenRevocation.EMAIL_CHANGE_UNDONE, now=now)
    db.session.commit()
    log.warning("user %s undid an e-mail address change; password cleared", user.id)
    if user.status != Status.ACTIVE:
        return None
    return links.issue("reset", user, now=now)


def check_digest_link(token: str, *, now: datetime | None = None) -> User:
    """The account a digest's stop link was mailed to; raises links.LinkExpired/LinkInvalid."""
    return links.read("digest", token, now=now or utcnow())


def stop_digests(token: str, *, now: datetime | None = None) -> User:
    """Opt the account of a digest's stop link out of the digests (again, if it was already).
    Commits. Raises links.LinkExpired/LinkInvalid."""
    user = check_digest_link(token, now=now)
    if not user.digest_opt_out:
        user.digest_opt_out = True
        db.session.commit()
        log.info("user %s stopped the digests", user.id)
    return user


def set_language(user: User, language: str) -> None:
    """Keep the interface language the user chose with the language switch, for the pages and
    mail of later sessions. Commits when it changed."""
    if user.language != language:
        user.language = language
        db.session.commit()
