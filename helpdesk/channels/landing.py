"""What a message taken in becomes, through the tickets services and with the web's rules: a
reply lands on its ticket as its writer's public message (or reopens it, or files a follow-up of
a closed one); a message to a queue's address files a ticket in that queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from helpdesk import errors, storage
from helpdesk.auth.models import User
from helpdesk.catalogue import services as catalogue
from helpdesk.channels.destinations import Reason, may_file_by_mail
from helpdesk.channels.models import Outcome
from helpdesk.channels.parsing import Inbound
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Priority, Source, Status, Ticket
from helpdesk.tickets.services.access import get_ticket, require_requester_or_follower
from helpdesk.tickets.services.filing import LIMITS, TicketDraft, create_ticket
from helpdesk.tickets.services.messages import add_message
from helpdesk.tickets.services.resolution import can_reopen, reopen

CATEGORY = "other"  # what a ticket filed by mail is filed under, until staff say otherwise


class NotTaken(Exception):
    """The message is not taken in, for a reason of the channel's own (nothing was written)."""

    def __init__(self, outcome: Outcome, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


@dataclass(frozen=True)
class Content:
    """What a message brings to a ticket: its text and the files the web would take."""

    text: str  # the new text, with a line naming the files not accepted
    files: tuple[storage.Upload, ...]


def content_of(inbound: Inbound) -> Content:
    """The message's text and files. A file the web would refuse (its type, emptiness, one past
    the number allowed) is dropped, and a line of the text names it: the rest is taken in. The
    line is in the product's first language, as the ticket's other stored words."""
    kept: list[storage.Upload] = []
    dropped: list[str] = []
    for upload in inbound.files:
        try:
            storage.check((upload,))
        except errors.Invalid:
            dropped.append(storage.safe_filename(upload.filename))
            continue
        if len(kept) == storage.MAX_FILES:
            dropped.append(storage.safe_filename(upload.filename))
        else:
            kept.append(upload)
    text = inbound.text.strip()
    lines = [text] if text else []
    with force_locale(current_app.config["LANGUAGES"][0]):
        if dropped:
            lines.append(
                _(
                    "Files not accepted (images, PDF, Office documents and text are): %(names)s.",
                    names=", ".join(dropped),
                )
            )
        if not lines and kept:
            lines.append(_("Files sent by e-mail."))
    return Content("\n\n".join(lines), tuple(kept))


def land_reply(inbound: Inbound, ticket: Ticket, user: User, *, now: datetime) -> Ticket:
    """The reply of `user` on `ticket` (merged ones already followed): a public message, as on
    the web (the requester's resumes a ticket waiting on them); the requester's reply to a
    resolved ticket within the reopen window reopens it; a reply to a closed ticket files a
    follow-up ticket linked to it. Returns the ticket it landed on. Commits.

    Raises NotTaken (empty), errors.NotFound (the person may not write there), errors.Invalid
    (the ticket's rules refuse it)."""
    if not inbound.text.strip() and not inbound.files:
        raise NotTaken(Outcome.REFUSED, Reason.EMPTY)
    ticket = get_ticket(user, ticket.number)  # as the web reaches it: what they may see
    content = content_of(inbound)
    own = ticket.requester_id == user.id and not ticket.is_incident
    if ticket.status == Status.RESOLVED and own and can_reopen(ticket, now):
        reopen(
            user,
            ticket,
            reason="",
            message=content.text,
            uploads=content.files,
            source=Source.EMAIL,
            now=now,
        )
        return ticket
    if ticket.status == Status.CLOSED and may_file_by_mail(user):
        require_requester_or_follower(user, ticket)
        return follow_up(ticket, user, content, now=now)
    add_message(user, ticket, content.text, uploads=content.files, source=Source.EMAIL, now=now)
    return ticket


def follow_up(closed: Ticket, user: User, content: Content, *, now: datetime) -> Ticket:
    """A new ticket for the writer, of the closed ticket's system, category and province,
    linked to it. Commits."""
    draft = TicketDraft(
        system=closed.system_code,
        category=closed.category_code,
        province=closed.province_code,
        subject=f"Re: {closed.subject}"[: LIMITS["subject"]],
        description=content.text,
        **own_unit(user, closed.province_code),
        priority=Priority.NORMAL,
        attachments=content.files,
        source=Source.EMAIL,
    )
    return create_ticket(user, draft, now=now, follows=closed)


def file_by_mail(inbound: Inbound, queue: Queue, user: User, *, now: datetime) -> Ticket:
    """A ticket filed by `user` in the queue the message was addressed to: the queue's system
    (a provincial queue has none: the catalogue's first active system, as a request's tickets
    name one), category "other", the user's province and unit, normal priority; acknowledged
    as any filing. Commits; errors.Invalid as create_ticket raises it."""
    content = content_of(inbound)
    province = user.province_code or ""
    draft = TicketDraft(
        system=queue.system_code or catalogue.first_system(),
        category=mail_category(),
        province=province,
        subject=(inbound.subject.strip() or first_line(content.text))[: LIMITS["subject"]],
        description=content.text,
        **own_unit(user, province),
        priority=Priority.NORMAL,
        attachments=content.files,
        source=Source.EMAIL,
        queue_id=queue.id,
        submission_key=None,
    )
    return create_ticket(user, draft, now=now)


def own_unit(user: User, province: str) -> dict[str, str]:
    """The user's unit, as the web form fills it in, when the ticket is of its province."""
    unit = user.unit
    if unit is None or unit.province_code != province:
        return {}
    return {"unit": unit.name, "unit_code": unit.code or ""}


def mail_category() -> str:
    found = catalogue.find_category(CATEGORY)
    if found is not None and found.active:
        return found.code
    categories = catalogue.categories()
    return categories[0].code if categories else ""


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
