"""What supervisors watch: unanswered tickets past a warning point, breached tickets per queue
(tickets, not the incidents that gather them).

Supervisors oversee the queues whose tickets routing shows them (those they lead, and those
they belong to for the provinces their membership covers); admins every queue. Every list and
count goes through the tickets' one visibility rule, so a supervisor covering province 01 of a
queue never sees, or counts, its tickets of province 79. Each list is one query for the
tickets plus one per related table (selectinload), whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from helpdesk import errors
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.routing.models import Queue
from helpdesk.sla import services as sla
from helpdesk.sla.states import SlaState
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Ticket
from helpdesk.tickets.services.sla_state import badge, state_filter, unanswered_clause
from helpdesk.tickets.services.visibility import visibility_clause

LIST_LIMIT = 200


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    badge: sla.Badge


def queue_scope(user: User):
    """A clause on Queue.id for the queues the user oversees (None: every queue): those whose
    tickets, some or all, routing shows the user."""
    permissions.require(user, "tickets.supervise")
    queue_ids = routing.visible_queue_ids(user)
    if queue_ids is None:
        return None
    return Queue.id.in_(sorted(queue_ids))


def overseen_queues(user: User) -> list[Queue]:
    scope = queue_scope(user)
    query = select(Queue).order_by(Queue.code)
    if scope is not None:
        query = query.where(scope)
    return list(db.session.scalars(query))


def get_overseen_queue(user: User, queue_id: int) -> Queue:
    scope = queue_scope(user)
    query = select(Queue).where(Queue.id == queue_id)
    if scope is not None:
        query = query.where(scope)
    queue = db.session.scalar(query)
    if queue is None:
        raise errors.not_found()
    return queue


def _rows(query, now: datetime) -> list[Row]:
    query = query.options(selectinload(Ticket.queue), selectinload(Ticket.assignee)).limit(
        LIST_LIMIT
    )
    return [Row(ticket, badge(ticket, now)) for ticket in db.session.scalars(query)]


def unanswered_tickets(user: User, now: datetime) -> list[Row]:
    """The unanswered-ticket guard: what nobody has taken or answered in time, oldest first."""
    permissions.require(user, "tickets.supervise")
    query = select(Ticket).where(visibility_clause(user), unanswered_clause(now), ISSUES_ONLY)
    return _rows(query.order_by(Ticket.created_at, Ticket.id), now)


def breached_counts(user: User, now: datetime) -> list[tuple[Queue, int]]:
    """The overseen queues with how many open tickets of each are breached (one query)."""
    queues = overseen_queues(user)
    counts = dict(
        db.session.execute(
            select(Ticket.queue_id, func.count())
            .where(
                Ticket.queue_id.in_([q.id for q in queues]),
                visibility_clause(user),
                Ticket.status.in_(OPEN_STATUSES),
                state_filter(SlaState.BREACHED, now),
                ISSUES_ONLY,
            )
            .group_by(Ticket.queue_id)
        ).all()
    )
    return [(queue, counts.get(queue.id, 0)) for queue in queues]


def breached_tickets(user: User, queue_id: int, now: datetime) -> tuple[Queue, list[Row]]:
    """The queue's open breached tickets, oldest first."""
    queue = get_overseen_queue(user, queue_id)
    query = (
        select(Ticket)
        .where(
            Ticket.queue_id == queue.id,
            visibility_clause(user),
            Ticket.status.in_(OPEN_STATUSES),
            state_filter(SlaState.BREACHED, now),
            ISSUES_ONLY,
        )
        .order_by(Ticket.created_at, Ticket.id)
    )
    return queue, _rows(query, now)
