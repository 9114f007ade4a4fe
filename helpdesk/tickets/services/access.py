"""Reaching one ticket: by number through visibility, and the checks of who may act on it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors
from helpdesk.auth.models import User, is_staff
from helpdesk.extensions import db
from helpdesk.tickets.models import Follower, Ticket
from helpdesk.tickets.services.visibility import visibility_check


def get_ticket(user: User, number: str, *, for_update: bool = False) -> Ticket:
    """The ticket with that number if the user may see it; errors.NotFound otherwise."""
    query = select(Ticket).where(visibility_check(user), Ticket.number == number)
    if for_update:
        query = query.with_for_update()
    ticket = db.session.scalar(query)
    if ticket is None:
        raise errors.NotFound(_("Ticket not found."))
    return ticket


def require_staff(user: User) -> None:
    if not is_staff(user):
        raise errors.NotFound(_("Ticket not found."))


def require_staff_on(user: User, ticket: Ticket) -> None:
    """Staff who may see the ticket (the caller already loaded it through visibility)."""
    if not is_staff(user):
        raise errors.NotFound(_("Ticket not found."))


def require_requester(user: User, ticket: Ticket) -> None:
    if ticket.requester_id != user.id:
        raise errors.NotFound(_("Ticket not found."))


def is_follower(user: User, ticket: Ticket) -> bool:
    return db.session.get(Follower, (ticket.id, user.id)) is not None


def require_requester_or_follower(user: User, ticket: Ticket) -> None:
    """Its requester or a follower: who may reply publicly without working the ticket."""
    if ticket.requester_id != user.id and not is_follower(user, ticket):
        raise errors.NotFound(_("Ticket not found."))


def can_write_internal_notes(user: User, ticket: Ticket) -> bool:
    """Staff working the ticket; not its requester, even one who is staff elsewhere. Their
    public replies are the staff's answers (the first response)."""
    return is_staff(user) and user.id != ticket.requester_id
