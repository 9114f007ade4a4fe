"""The desk's answers to mail it does not take in: too large, from an unknown sender, refused by
the ticket's rules. Each is an outbox row in the transaction that records the message; none goes
to automatic mail, to an address that does not read its mail (MAILER-DAEMON, noreply) or to
the desk's own addresses: no mail loops. (Every mail the desk sends says Auto-Submitted.)"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parseaddr

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from helpdesk import errors
from helpdesk.auth.models import Status
from helpdesk.channels.destinations import accounts_of
from helpdesk.channels.parsing import Inbound
from helpdesk.extensions import db
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.outbox import queue_email
from helpdesk.notifications.rendering import link
from helpdesk.notifications.reply_addresses import base_address
from helpdesk.routing.models import Queue
from helpdesk.tickets.services.mail import redact
from helpdesk.timeutil import to_local

# Local parts of addresses that send automatic mail and read none of what comes back.
AUTOMATIC_SENDER = re.compile(
    r"(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply|auto-?responder)"
    r"([+._-].*)?",
    re.IGNORECASE,
)
# The fields a refusal names, in words (the services' errors name their fields).
FIELD_LABELS = {
    "subject": _l("Subject"),
    "description": _l("Message"),
    "body": _l("Message"),
    "reason": _l("Message"),
    "attachments": _l("Attachments"),
    "province": _l("Province"),
    "system": _l("System"),
    "category": _l("Kind of problem"),
    "unit": _l("Your unit"),
}
MEGABYTE = 1024 * 1024


def may_answer(address: str) -> bool:
    """Whether the desk may write to this sender: an address, neither one that sends automatic
    mail nor the desk's own (its reply addresses, its sender, a queue's address)."""
    local, at, domain = (address or "").lower().rpartition("@")
    if not at or not local or not domain or AUTOMATIC_SENDER.fullmatch(local):
        return False
    base_local, _at, base_domain = base_address().partition("@")
    if domain == base_domain and local.partition("+")[0] == base_local:
        return False
    if address.lower() == parseaddr(current_app.config["MAIL_DEFAULT_SENDER"] or "")[1].lower():
        return False
    queues = select(Queue.id).where(func.lower(Queue.email) == address.lower())
    return db.session.scalar(queues.limit(1)) is None


def language_of(address: str) -> str:
    """The language of the active account of that address, else the product's first."""
    for user in accounts_of(address):
        if user.status == Status.ACTIVE:
            return user.language
    return current_app.config["LANGUAGES"][0]


def too_large(inbound: Inbound, *, limit: int, now: datetime) -> list[Outbox]:
    """Tell the sender the message was over the limit and where to file instead; one answer
    per address and local day, and nothing of what the message said (its From may be anyone's:
    the desk must not carry a stranger's words to a third party). No commit."""
    context = {
        "size_mb": max(1, round(inbound.size / MEGABYTE)),
        "limit_mb": max(1, limit // MEGABYTE),
        "url": link("tickets.new"),
    }
    key = f"inbound-too-large:{inbound.sender}:{local_day(now)}"
    return answer(inbound.sender, "inbound_too_large", key, context, language_of(inbound.sender))


def unknown_sender(inbound: Inbound, *, now: datetime) -> list[Outbox]:
    """Tell an address that belongs to no account how to register; one answer per address and
    local day, however many it sends, and nothing of what the message said (no commit)."""
    context = {"address": inbound.sender, "register_url": link("auth.register")}
    key = f"inbound-unknown:{inbound.sender}:{local_day(now)}"
    language = current_app.config["LANGUAGES"][0]
    return answer(inbound.sender, "inbound_unknown_sender", key, context, language)


def local_day(now: datetime) -> str:
    return to_local(now, current_app.config["HELPDESK_TIMEZONE"]).date().isoformat()


def refused(inbound: Inbound, error: errors.HelpdeskError, *, language: str) -> list[Outbox]:
    """Tell the sender why the ticket's rules refused the message (no commit)."""
    with force_locale(language):
        problems = [
            f"{FIELD_LABELS[name]}: {message}" if name in FIELD_LABELS else message
            for name, message in (error.fields or {"": error.message}).items()
        ]
        context = {
            "subject": redact(inbound.subject),
            "problems": [redact(str(problem)) for problem in problems],
            "url": link("tickets.index"),
        }
    key = f"inbound-refused:{inbound.key}"
    return answer(inbound.sender, "inbound_refused", key, context, language)


def answer(address: str, template: str, key: str, context: dict, language: str) -> list[Outbox]:
    if not may_answer(address):
        return []
    row = queue_email(template=template, to=address, language=language, context=context, key=key)
    return [row] if row is not None else []
