"""Replies and internal notes: the first response, the requester's answer that resumes a ticket
waiting on them, the files that come with a message."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from helpdesk import errors, text
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.tickets import storage
from helpdesk.tickets.models import Attachment, EventKind, Message, Status, Ticket
from helpdesk.tickets.services import deadlines, mail
from helpdesk.tickets.services.access import (
    can_write_internal_notes,
    is_staff,
    require_requester,
)
from helpdesk.tickets.services.changes import commit_and_dispatch, expect_version
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.filing import clean_text
from helpdesk.tickets.services.status import stage_status
from helpdesk.timeutil import utcnow

MESSAGE_LIMIT = 20000


def stage_message(
    author: User, ticket: Ticket, body: str, *, internal: bool, uploads: tuple, now: datetime
) -> list:
    """Add a reply or internal note with its files; returns the outbox rows it causes."""

    problems: dict[str, str] = {}
    body = clean_text(body, "body", problems, multiline=True)
    if not problems and not body:
        problems["body"] = _("Write a message.")
    if not problems and len(body) > MESSAGE_LIMIT:
        problems["body"] = _("At most %(n)d characters.", n=MESSAGE_LIMIT)
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    checked = storage.check(tuple(uploads))
    staff = can_write_internal_notes(author, ticket)
    if internal and not staff:
        raise errors.NotFound(_("Ticket not found."))
    message = Message(
        ticket=ticket,
        author_id=author.id,
        body=body,
        internal=internal,
        created_at=now,
        search_text=text.fold(body),
    )
    message.author = author
    db.session.add(message)
    for upload, content_type in checked:
        stored = storage.store(upload, content_type)
        db.session.add(
            Attachment(
                ticket=ticket,
                message=message,
                uploader_id=author.id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                created_at=now,
            )
        )
    ticket.updated_at = now
    outbox: list = []
    if internal:
        stage_event(ticket, EventKind.NOTE_ADDED, actor=author, at=now)
        return outbox
    if staff:
        deadlines.on_public_agent_reply(ticket, now)
        if ticket.status == Status.NEW:
            outbox += stage_status(ticket, Status.OPEN, actor=author, now=now)
    elif ticket.status == Status.WAITING_REQUESTER:
        outbox += stage_status(ticket, Status.OPEN, actor=author, now=now)
    db.session.flush()
    outbox += mail.on_public_message(ticket, message)
    return outbox


def add_message(
    author: User,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    uploads: tuple = (),
    version: int | None = None,
    now: datetime | None = None,
) -> Message:
    """A public reply (requester or staff) or an internal note (staff). Commits.

    A staff reply meets the first response; a requester's reply while the ticket waits on them
    reopens it and resumes the resolution clock. Closed tickets take no more messages.
    """
    now = now or utcnow()
    if ticket.status == Status.CLOSED:
        raise errors.Invalid(_("This ticket is closed; please file a new ticket."), "body")
    if ticket.merged_into_id is not None:
        raise errors.Invalid(_("This ticket was merged into another; reply there."), "body")
    if not is_staff(author):
        require_requester(author, ticket)
    expect_version(ticket, version)
    outbox = stage_message(author, ticket, body, internal=internal, uploads=uploads, now=now)
    message = next(m for m in reversed(ticket.messages) if m.author_id == author.id)
    commit_and_dispatch(outbox, ticket=ticket, timers=not internal)
    return message
