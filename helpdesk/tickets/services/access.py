"""Who sees which tickets: one query that pages, search, exports and the API start from."""

from __future__ import annotations

from sqlalchemy import Select, false, select, true

from helpdesk import errors
from helpdesk.auth.models import Role, User, is_staff
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket


def visibility_clause(user: User):
    """A condition over Ticket: requesters their own; agents their queues and provinces."""
    if user.role == Role.ADMIN:
        return true()
    if user.role in (Role.AGENT, Role.SUPERVISOR):
        from helpdesk.routing import services as routing

        return routing.ticket_visibility_clause(user)
    if user.role in (Role.REQUESTER, Role.UNIT_ADMIN):
        return Ticket.requester_id == user.id
    return false()  # observers read aggregated reports only


def visibility_check(user: User, *, user_id=None):
    """`visibility_clause(user)` for reading one ticket: for staff, correlated subqueries the
    database checks for that ticket instead of lists read first (one query fewer). Not for
    lists, which the clause's lists serve through the tickets' indexes.

    `user_id` stands for the user's id in the condition (default: the id itself); with a bind
    parameter, the condition is the same for every user of one role and account status, and
    so may be built once for them all.
    """
    who = user.id if user_id is None else user_id
    if user.role in (Role.AGENT, Role.SUPERVISOR):
        from helpdesk.routing.services.visibility import ticket_visibility_check

        return ticket_visibility_check(user, user_id=who)
    if user.role in (Role.REQUESTER, Role.UNIT_ADMIN):
        return Ticket.requester_id == who
    return visibility_clause(user)  # admins everything, observers nothing: no id in it


def visibility_branches(user: User) -> list | None:
    """The visibility clause as conditions over Ticket whose OR it is, each served in list
    order by one index (see `routing.ticket_visibility_branches`); None: every ticket."""
    if user.role == Role.ADMIN:
        return None
    if user.role in (Role.AGENT, Role.SUPERVISOR):
        from helpdesk.routing.services.visibility import ticket_visibility_branches

        return ticket_visibility_branches(user)
    if user.role in (Role.REQUESTER, Role.UNIT_ADMIN):
        return [Ticket.requester_id == user.id]
    return []


def visible_tickets(user: User) -> Select:
    return select(Ticket).where(visibility_clause(user))


def get_ticket(user: User, number: str, *, for_update: bool = False) -> Ticket:
    """The ticket with that number if the user may see it; errors.NotFound otherwise."""
    query = select(Ticket).where(visibility_check(user), Ticket.number == number)
    if for_update:
        query = query.with_for_update()
    ticket = db.session.scalar(query)
    if ticket is None:
        raise errors.NotFound("Ticket not found.")
    return ticket


def require_staff(user: User) -> None:
    if not is_staff(user):
        raise errors.NotFound("Ticket not found.")
