"""A resolved ticket's answer as a help article draft: its subject and the staff's last public
answer, about its system and category; never who asked (name, CCCD, phone, e-mail)."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors
from helpdesk.auth.models import STAFF_ROLES, User
from helpdesk.extensions import db
from helpdesk.help import services as help_services
from helpdesk.help.models import Article
from helpdesk.tickets.models import Message, Status, Ticket
from helpdesk.tickets.services.access import require_work

ANSWERED = (Status.RESOLVED, Status.CLOSED)
HIDDEN = "…"


def can_draft_article(ticket: Ticket) -> bool:
    """Whether the ticket is at an end where its answer may become an article."""
    return ticket.status in ANSWERED


def draft_article(actor: User, ticket: Ticket, *, now: datetime | None = None) -> Article:
    """A help article draft from the ticket's subject and its staff's last public answer.
    Commits (the draft). errors.NotFound unless the actor works the ticket; errors.Invalid
    when the ticket is not resolved or closed, or has no public staff answer."""
    require_work(actor, ticket)
    if not can_draft_article(ticket):
        raise errors.Invalid(_("Only a resolved or closed ticket's answer can become an article."))
    answer = last_staff_answer(ticket)
    if answer is None:
        raise errors.Invalid(_("The ticket has no public answer from staff to start from."))
    private = private_values(ticket)
    return help_services.draft_from_answer(
        actor,
        title=without(ticket.subject, private),
        body=without(answer.body, private),
        system_code=ticket.system_code,
        category_code=ticket.category_code,
        ticket_number=ticket.number,
        now=now,
    )


def last_staff_answer(ticket: Ticket) -> Message | None:
    """The newest public message of a staff account other than the requester (one query)."""
    return db.session.scalar(
        select(Message)
        .join(User, User.id == Message.author_id)
        .where(
            Message.ticket_id == ticket.id,
            Message.internal.is_(False),
            Message.author_id != ticket.requester_id,
            User.role.in_(STAFF_ROLES),
        )
        .order_by(Message.id.desc())
        .limit(1)
    )


def private_values(ticket: Ticket) -> list[str]:
    """What names the requester or their dossier, as an answer may quote it back."""
    requester = ticket.requester
    values = [
        requester.full_name,
        requester.cccd,
        requester.phone,
        requester.email,
        ticket.dossier_code,
    ]
    return sorted({value.strip() for value in values if value and value.strip()}, key=len)[::-1]


def without(text: str, private: list[str]) -> str:
    """The text with each private value (any case) replaced by an ellipsis."""
    for value in private:
        text = re.sub(re.escape(value), HIDDEN, text, flags=re.IGNORECASE)
    return text
