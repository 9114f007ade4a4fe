"""Reaching one ticket: by number through visibility, and the checks of who may act on it.

Staff who see a ticket work it (`can_work`), but for a provincial coordinator: it works the
tickets of the queues it works (a membership covering the ticket's province, a queue it
supervises) and those assigned to it; the other tickets of its province it only reads, writes
internal notes on and follows. Every service that acts on a ticket asks `require_work`."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors
from helpdesk.auth.models import Role, User, is_staff
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.tickets.follower_models import Follower
from helpdesk.tickets.models import Ticket
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
    """Staff who may see the ticket (the caller already loaded it through visibility): to read
    it as staff, or write an internal note on it."""
    if not is_staff(user):
        raise errors.NotFound(_("Ticket not found."))


def can_work(user: User, ticket: Ticket) -> bool:
    """May the user, who sees the ticket, work it: change its status, reply publicly, claim,
    assign, transfer, escalate, merge, correct its facts? Staff yes, but a coordinator only on
    the tickets of the queues it works (covering the ticket's province) or assigned to it.
    One query per transaction (routing's coverage, shared with the page's other reads)."""
    if not is_staff(user):
        return False
    if user.role != Role.COORDINATOR or ticket.assignee_id == user.id:
        return True
    coverage = routing.covered_provinces(user)
    if ticket.queue_id not in coverage:
        return False
    provinces = coverage[ticket.queue_id]
    return provinces is None or ticket.province_code in provinces


def require_work(user: User, ticket: Ticket) -> None:
    """errors.NotFound unless the user may work the ticket (`can_work`): what a user may not do
    is refused as the ticket's other controls are, by the answer of a ticket not found."""
    if not can_work(user, ticket):
        raise errors.NotFound(_("Ticket not found."))


def require_requester(user: User, ticket: Ticket) -> None:
    """Its requester; an incident has none but the staff who declared it, who work it."""
    if ticket.requester_id != user.id or ticket.is_incident:
        raise errors.NotFound(_("Ticket not found."))


def is_follower(user: User, ticket: Ticket) -> bool:
    return db.session.get(Follower, (ticket.id, user.id)) is not None


def require_requester_or_follower(user: User, ticket: Ticket) -> None:
    """Its requester or a follower: who may reply publicly without working the ticket."""
    if ticket.requester_id != user.id and not is_follower(user, ticket):
        raise errors.NotFound(_("Ticket not found."))


def can_write_internal_notes(user: User, ticket: Ticket) -> bool:
    """Staff working the ticket; not its requester, even one who is staff elsewhere (but the
    staff who declared an incident, which is staff's own). Their public replies are the
    staff's answers (the first response)."""
    return is_staff(user) and (user.id != ticket.requester_id or ticket.is_incident)
