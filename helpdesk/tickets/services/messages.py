"""Replies and internal notes: the first response, the requester's answer that resumes a ticket
waiting on them, the files that come with a message, and staff's reply or note sent with the
ticket's new status in one action."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from helpdesk import errors, storage, text
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import Attachment, EventKind, Message, Source, Status, Ticket
from helpdesk.tickets.services import deadlines, mail
from helpdesk.tickets.services.access import (
    can_write_internal_notes,
    is_staff,
    require_requester_or_follower,
    require_staff_on,
    require_work,
)
from helpdesk.tickets.services.changes import commit_and_dispatch, expect_version
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.filing import clean_text
from helpdesk.tickets.services.status import check_resolution, check_transition, stage_status
from helpdesk.timeutil import utcnow

MESSAGE_LIMIT = 20000
# The statuses whose mail to the requester carries a reply sent with them: one mail, not two.
REPLY_CARRYING = (Status.WAITING_REQUESTER, Status.RESOLVED)


def check_body(body) -> str:
    """A message's text, cleaned; errors.Invalid naming `body` when empty, too long or holding
    control characters."""
    problems: dict[str, str] = {}
    body = clean_text(body, "body", problems, multiline=True)
    if not problems and not body:
        problems["body"] = _("Write a message.")
    if not problems and len(body) > MESSAGE_LIMIT:
        problems["body"] = _("At most %(n)d characters.", n=MESSAGE_LIMIT)
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return body


def stage_message(
    author: User,
    ticket: Ticket,
    body: str,
    *,
    internal: bool,
    uploads: tuple,
    now: datetime,
    source: str = Source.WEB,
) -> list:
    """Add a reply or internal note with its files, from `source`; returns the outbox rows it
    causes."""
    return _stage_message(
        author, ticket, body, internal=internal, uploads=uploads, now=now, source=source
    )[1]


def _stage_message(
    author: User,
    ticket: Ticket,
    body: str,
    *,
    internal: bool,
    uploads: tuple,
    now: datetime,
    opens: bool = True,
    notify: bool = True,
    source: str = Source.WEB,
) -> tuple[Message, list]:
    """stage_message, with the message. `opens`: a first staff reply opens a new ticket (not
    when the same action sets the status); `notify`: the reply is mailed (not when the mail
    of the status set with it carries it); `source`: where it came from (Source)."""

    body = check_body(body)
    checked = storage.check(tuple(uploads))
    staff = can_write_internal_notes(author, ticket)
    if internal and not staff:
        raise errors.NotFound(_("Ticket not found."))
    message = Message(
        ticket=ticket,
        author_id=author.id,
        body=body,
        internal=internal,
        source=source,
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
        return message, outbox
    if staff:
        deadlines.on_public_agent_reply(ticket, now)
        if ticket.status == Status.NEW and opens:
            outbox += stage_status(ticket, Status.OPEN, actor=author, now=now)
    elif ticket.status == Status.WAITING_REQUESTER:
        outbox += stage_status(ticket, Status.OPEN, actor=author, now=now)
    db.session.flush()
    if notify:
        outbox += mail.on_public_message(ticket, message)
    return message, outbox


def check_open_for_messages(ticket: Ticket) -> None:
    """errors.Invalid (body) when the ticket takes no more messages: closed, or merged."""
    if ticket.status == Status.CLOSED:
        raise errors.Invalid(_("This ticket is closed; please file a new ticket."), "body")
    if ticket.merged_into_id is not None:
        raise errors.Invalid(_("This ticket was merged into another; reply there."), "body")


def add_message(
    author: User,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    uploads: tuple = (),
    version: int | None = None,
    now: datetime | None = None,
    source: str = Source.WEB,
) -> Message:
    """A public reply (requester or staff) or an internal note (staff), from `source`. Commits.

    A staff reply meets the first response; a reply of the requester (or of a colleague who
    follows the ticket) while it waits on them reopens it and resumes the resolution clock.
    Closed tickets take no more messages. Staff reply publicly only on the tickets they work
    (errors.NotFound otherwise).
    """
    now = now or utcnow()
    check_open_for_messages(ticket)
    if not is_staff(author):
        require_requester_or_follower(author, ticket)
    elif not internal:
        require_work(author, ticket)
    expect_version(ticket, version)
    message, outbox = _stage_message(
        author, ticket, body, internal=internal, uploads=uploads, now=now, source=source
    )
    commit_and_dispatch(outbox, ticket=ticket, timers=not internal)
    return message


def respond(
    author: User,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    uploads: tuple = (),
    status: str | None = None,
    resolution: str | None = None,
    version: int | None = None,
    now: datetime | None = None,
    source: str = Source.WEB,
) -> Message | None:
    """Staff's one action on a ticket: a public reply or an internal note with its files, and
    the status the ticket goes to, in one transaction. Commits; all or nothing: a status the
    ticket may not take saves no message (errors.Invalid on `status`), nor does resolving
    without the outcome told to the requester (`resolution`: errors.Invalid naming it).

    With a status and no text only the status changes (the message is None). A reply sent
    with a status the requester is mailed about (waiting for them, resolved) goes to them in
    that one mail; an internal note is never mailed. Staff who see the ticket without working
    it (a coordinator, outside its queues) write internal notes only (errors.NotFound for
    anything else)."""
    now = now or utcnow()
    require_staff_on(author, ticket)
    if not internal or status:
        require_work(author, ticket)
    check_open_for_messages(ticket)
    expect_version(ticket, version)
    if internal and not can_write_internal_notes(author, ticket):
        raise errors.Invalid(_("Internal notes are not for your own ticket."), "visibility")
    status = status or None
    if status is not None:
        check_transition(ticket.status, status)
        if status == ticket.status:
            status = None
    if status == Status.RESOLVED:
        resolution = check_resolution(resolution)  # before any message or file is staged
    writes = bool((body or "").strip() or uploads) or status is None
    carried = writes and not internal and status in REPLY_CARRYING
    message, outbox = None, []
    if writes:
        message, outbox = _stage_message(
            author,
            ticket,
            body,
            internal=internal,
            uploads=uploads,
            now=now,
            opens=status is None,
            notify=not carried,
            source=source,
        )
    if status is not None:
        old = ticket.status
        outbox += stage_status(
            ticket, status, actor=author, now=now, resolution=resolution, notify=not carried
        )
        if carried:
            outbox += mail.on_status_changed(ticket, old, status, reply=message)
    commit_and_dispatch(outbox, ticket=ticket, timers=not internal or status is not None)
    return message
