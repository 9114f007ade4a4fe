"""A user's own profile: name, e-mail (confirmed again when changed), phone, language, mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from helpdesk import errors, inputs
from helpdesk.auth.models import User
from helpdesk.auth.services import links
from helpdesk.auth.services.accounts import check_phone, normalised_email, queue_account_mail
from helpdesk.extensions import db
from helpdesk.notifications import services as notifications
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProfileChange:
    full_name: str
    email: str
    phone: str
    language: str
    notify_updates: bool


def update_profile(user: User, change: ProfileChange, *, now: datetime | None = None) -> bool:
    """Save the profile. A new e-mail address is kept aside and a link mailed to it. Commits.

    Returns True when a confirmation link went to a new address (the old one stays in use
    until the link is followed). Raises errors.Invalid naming the field.
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
    user.full_name = full_name[:120]
    user.phone = phone
    user.language = change.language
    user.notify_updates = change.notify_updates
    outbox = []
    if email.lower() == user.email.lower():
        user.pending_email = None
    elif email != user.pending_email:
        user.pending_email = email
        token = links.issue("email", user, now=now)
        outbox.append(
            queue_account_mail(
                user,
                "email_change_verify",
                to=email,
                key=f"email:{user.id}:{links.fingerprint('email', user)}",
                context={
                    "url": notifications.link("auth.confirm_email_change", token=token),
                    "valid_days": links.LIFETIMES["email"].days,
                },
            )
        )
    db.session.commit()
    notifications.dispatch(outbox)
    return bool(outbox)


def check_email_change_link(token: str, *, now: datetime | None = None) -> User:
    """The account a new-address link belongs to; raises links.LinkExpired/LinkInvalid."""
    user = links.read("email", token, now=now or utcnow())
    if not user.pending_email:
        raise links.LinkInvalid(links.invalid_message())
    return user


def confirm_email_change(token: str, *, now: datetime | None = None) -> User:
    """Make the pending address the account's address. Commits; the link then stops working."""
    now = now or utcnow()
    user = check_email_change_link(token, now=now)
    user.email = user.pending_email
    user.pending_email = None
    user.email_verified_at = now
    db.session.commit()
    log.info("user %s confirmed a new e-mail address", user.id)
    return user
