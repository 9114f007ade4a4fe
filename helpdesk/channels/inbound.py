"""One inbound message taken in: recorded by its key in the transaction that decides what becomes
of it, so that the same message fetched twice (or by two workers at once) is taken in once.

The rules, in order: too large (refused, the sender told the limit); automatic mail (refused,
never answered); a reply address (its ticket and person, if that person sent it and may
write there); the ticket number of the subject (its requester or a follower only); a queue's
address (a ticket filed by its sender's account; an unknown address is told how to register);
else set aside for an admin, the message kept whole in the file store (a stranger's mail to
nowhere is only recorded as refused)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from rq.timeouts import JobTimeoutException
from sqlalchemy import inspect, select
from sqlalchemy.exc import OperationalError

from helpdesk import errors, storage
from helpdesk.auth.cccd import mask
from helpdesk.auth.models import User
from helpdesk.channels import answers, landing
from helpdesk.channels.destinations import (
    Reason,
    accounts_of,
    final_ticket,
    find_destination,
    may_file_by_mail,
)
from helpdesk.channels.landing import NotTaken
from helpdesk.channels.models import InboundMail, Outcome, Taken
from helpdesk.channels.parsing import Inbound, parse
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services.mail import TWELVE_DIGITS
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

RAW_NAME = "message.eml"
RAW_TYPE = "message/rfc822"


def take_in(raw: bytes, *, now: datetime | None = None) -> Taken:
    """Take in one message as received (RFC 5322 bytes): a reply on its ticket, a ticket filed
    by mail, a refusal (answered when a person wrote it) or a message set aside for an admin.
    Commits once (a new ticket's row is then told its id in a second commit); mail and jobs
    after the commit.

    A message already taken in (its key recorded, by an earlier fetch or by another worker
    meanwhile) does nothing and says what became of it, with `again`."""
    now = now or utcnow()
    inbound = parse(raw)
    known = recorded(inbound.key)
    if known is not None:
        return Taken(Outcome(known), again=True)
    record = start(inbound, now)
    try:
        db.session.flush()  # another worker's uncommitted row of that key makes this one wait
        decided = decide(inbound, raw, record, now)
    except (OperationalError, JobTimeoutException):  # the database gone, the job out of time:
        db.session.rollback()  # the message waits for the next fetch
        raise
    except Exception as error:
        db.session.rollback()
        known = recorded(inbound.key)
        if known is not None:  # another worker committed it first, or it went in before a fault
            return Taken(Outcome(known), again=True)
        # A fault of this message's own: kept for an admin, and the mailbox goes on.
        log.error(
            "inbound mail from %s could not be taken in",
            masked_address(inbound.sender),
            exc_info=error,
        )
        decided = set_aside(start(inbound, now), raw, Reason.FAILED)
    log.info(
        "inbound mail %s: %s%s, ticket %s, from %s",
        decided.record_id,
        decided.outcome,
        f" ({decided.reason})" if decided.reason else "",
        decided.number or "-",
        masked_address(inbound.sender),
    )
    return Taken(decided.outcome)


@dataclass(frozen=True)
class Decided:
    """What became of a message, as the log line tells it."""

    record_id: int | None
    outcome: Outcome
    reason: str = ""
    number: str = ""  # the ticket it landed on or filed


def decide(inbound: Inbound, raw: bytes, record: InboundMail, now: datetime) -> Decided:
    """Apply the rules to the message and record the outcome. Commits."""
    limit = current_app.config["HELPDESK_INBOUND_MAX_BYTES"]
    if inbound.size > limit:
        rows = [] if inbound.automatic else answers.too_large(inbound, limit=limit, now=now)
        return settle(record, Outcome.REFUSED, Reason.TOO_LARGE, outbox=rows)
    if inbound.automatic:
        return settle(record, Outcome.REFUSED, inbound.automatic)
    destination = find_destination(inbound)
    if destination.reason == Reason.NO_DESTINATION and not accounts_of(inbound.sender):
        # A stranger's mail to nowhere (spam, mostly): recorded, not kept, not answered.
        return settle(record, Outcome.REFUSED, Reason.NO_DESTINATION)
    if destination.reason:
        return set_aside(record, raw, destination.reason)
    if destination.ticket is not None:
        ticket = final_ticket(destination.ticket)
        record.ticket_id = ticket.id
        return through_tickets(inbound, raw, record, destination.user, now, reply_to=ticket)
    accounts = accounts_of(inbound.sender)
    if not accounts:  # nobody's verified address: told how to register, once a day
        rows = answers.unknown_sender(inbound, now=now)
        return settle(record, Outcome.REFUSED, Reason.UNKNOWN_SENDER, outbox=rows)
    # The one active account of that address that files tickets (not staff's).
    filers = [user for user in accounts if may_file_by_mail(user)]
    if len(filers) != 1:
        reason = Reason.AMBIGUOUS_SENDER if filers else Reason.NOT_ALLOWED
        return set_aside(record, raw, reason)
    return through_tickets(inbound, raw, record, filers[0], now, queue=destination.queue)


def through_tickets(
    inbound: Inbound,
    raw: bytes,
    record: InboundMail,
    user: User,
    now: datetime,
    *,
    reply_to: Ticket | None = None,
    queue: Queue | None = None,
) -> Decided:
    """Land the reply or file the ticket through the tickets services, whose commit records
    the message as added. What they refuse is recorded afresh: a person who may not write
    there, set aside; what the ticket's rules refuse, refused and the sender told why (in
    their language, as the services' errors are worded)."""
    record.outcome = Outcome.ADDED
    landed_on = record.ticket_id
    try:
        with force_locale(user.language):
            if reply_to is not None:
                ticket = landing.land_reply(inbound, reply_to, user, now=now)
            else:
                ticket = landing.file_by_mail(inbound, queue, user, now=now)
    except NotTaken as refusal:
        return settle(record, refusal.outcome, refusal.reason)
    except errors.NotFound:
        return set_aside(restart(inbound, now), raw, Reason.NOT_ALLOWED)
    except errors.HelpdeskError as error:
        record = restart(inbound, now)
        rows = answers.refused(inbound, error, language=user.language)
        return settle(record, Outcome.REFUSED, Reason.INVALID, outbox=rows)
    record_id = identity(record)
    if ticket.id != landed_on:  # a ticket filed: its id is known after its commit
        record.ticket_id = ticket.id
        db.session.commit()
    return Decided(record_id, Outcome.ADDED, number=ticket.number)


# ---------------------------------------------------------------- the record


def recorded(key: str) -> str | None:
    """The outcome recorded for a message of that key, if any."""
    return db.session.scalar(select(InboundMail.outcome).where(InboundMail.key == key))


def start(inbound: Inbound, now: datetime) -> InboundMail:
    """The message's row, in the session (its outcome is set before the commit)."""
    record = InboundMail(
        key=inbound.key,
        message_id=inbound.message_id[:255],
        sender=inbound.sender[:254],
        subject=inbound.subject[:200],
        size=inbound.size,
        outcome=Outcome.REFUSED,
        reason="",
        received_at=now,
    )
    db.session.add(record)
    return record


def restart(inbound: Inbound, now: datetime) -> InboundMail:
    """After a service refused the message midway: what it staged undone, the row anew."""
    db.session.rollback()
    return start(inbound, now)


def settle(record: InboundMail, outcome: Outcome, reason: str, *, outbox: list = ()) -> Decided:
    """Record the outcome and commit, then hand the answer (if any) to the mail jobs."""
    record.outcome, record.reason, record.ticket_id = outcome, reason, None
    db.session.commit()
    dispatch(outbox)
    return Decided(identity(record), outcome, reason)


def set_aside(record: InboundMail, raw: bytes, reason: str) -> Decided:
    """Keep the message whole in the file store for the admins' page, and record it."""
    record.raw_sha256 = storage.store(storage.Upload(RAW_NAME, raw), RAW_TYPE).sha256
    return settle(record, Outcome.SET_ASIDE, reason)


def identity(record: InboundMail) -> int | None:
    """The row's id as the session knows it (no query after the commit expired it)."""
    key = inspect(record).identity
    return key[0] if key else None


def masked_address(address: str) -> str:
    """An address as the log names it: the first letter of its local part, its domain (and no
    CCCD, should one be in it)."""
    local, at, domain = (address or "").rpartition("@")
    if not at:
        return "-"
    return f"{local[:1]}***@{TWELVE_DIGITS.sub(lambda m: mask(m.group()), domain)}"
