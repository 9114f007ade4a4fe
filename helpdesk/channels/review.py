"""The admins' review of inbound mail set aside: the list, the message as received, marked
reviewed once someone has looked at it."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, select

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.channels.models import InboundMail, Outcome
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)


def set_aside() -> Select:
    """The messages set aside, newest first (a query: the page adds its limits)."""
    return (
        select(InboundMail)
        .where(InboundMail.outcome == Outcome.SET_ASIDE)
        .order_by(InboundMail.received_at.desc(), InboundMail.id.desc())
    )


def get_set_aside(mail_id: int) -> InboundMail:
    """A message set aside; errors.NotFound for any other id."""
    mail = db.session.get(InboundMail, mail_id)
    if mail is None or mail.outcome != Outcome.SET_ASIDE:
        raise errors.NotFound(_("No such message."))
    return mail


def raw_of(mail_id: int) -> tuple[str, str]:
    """The stored message set aside (its SHA-256) and the name to download it under;
    errors.NotFound when there is none."""
    mail = get_set_aside(mail_id)
    if not mail.raw_sha256:
        raise errors.NotFound(_("The file is no longer available."))
    return mail.raw_sha256, f"message-{mail.id}.eml"


def mark_reviewed(admin: User, mail_id: int, *, now: datetime | None = None) -> InboundMail:
    """Mark a message set aside as reviewed (once: the first review is kept). Commits."""
    mail = get_set_aside(mail_id)
    if mail.reviewed_at is None:
        mail.reviewed_at, mail.reviewed_by_id = now or utcnow(), admin.id
        db.session.commit()
        log.info("inbound mail %s reviewed by %s", mail.id, admin.id)
    return mail
