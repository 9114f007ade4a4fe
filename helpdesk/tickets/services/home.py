"""What the home page shows of tickets: a requester's open tickets with the time an answer is
due, an agent's queues with their counts and the tickets assigned to them, a supervisor's
unanswered and breached counts. A constant number of statements whatever the data: the counts
of every queue come from one grouped query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, case, func, select

from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.routing.models import Queue
from helpdesk.sla.states import SlaState
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Status, Ticket
from helpdesk.tickets.services.sla_state import CLOCK_COLUMNS, state_filter, unanswered_clause
from helpdesk.tickets.services.visibility import coordinated_province, visibility_clause

LIST_LIMIT = 20  # rows of a home list; its link leads to the whole list


@dataclass(frozen=True)
class DueTicket:
    """An open ticket as its requester sees it on the home page."""

    number: str
    subject: str
    status: str
    due: datetime | None  # when the next answer is due (first response, else resolution)
    answered: bool  # the first response was given: `due` is the resolution's
    waiting_on_requester: bool  # the clock is paused until the requester replies


@dataclass(frozen=True)
class QueueCounts:
    queue: Queue
    new: int
    unassigned: int
    warning: int
    breached: int


@dataclass(frozen=True)
class ProvinceCounts:
    """A coordinator's province, every queue: its open tickets and how many are overdue."""

    province_code: str
    open: int
    breached: int


@dataclass(frozen=True)
class Oversight:
    unanswered: int
    breached: int


def requester_open_tickets(user: User, *, limit: int = LIST_LIMIT) -> list[DueTicket]:
    """The user's own open tickets, the most urgent first (one query)."""
    due = case(
        (Ticket.first_responded_at.is_(None), Ticket.first_response_due),
        else_=Ticket.resolution_due,
    )
    rows = db.session.execute(
        select(
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.first_responded_at,
            Ticket.first_response_due,
            Ticket.resolution_due,
            Ticket.sla_paused_at,
        )
        .where(Ticket.requester_id == user.id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(due.is_(None), due, Ticket.id.desc())
        .limit(limit)
    ).all()
    return [
        DueTicket(
            number=row.number,
            subject=row.subject,
            status=row.status,
            due=row.first_response_due if row.first_responded_at is None else row.resolution_due,
            answered=row.first_responded_at is not None,
            waiting_on_requester=row.status == Status.WAITING_REQUESTER,
        )
        for row in rows
    ]


def _count(condition) -> object:
    return func.sum(case((condition, 1), else_=0), type_=Integer)


def queue_counts(user: User, now: datetime) -> list[QueueCounts]:
    """The queues the user works or supervises (all active ones for admins), each with its open
    tickets that the user may see: new, unassigned, in warning, breached. Two queries whatever
    the number of queues: the user's queues (shared with the rest of the request) and one
    grouped count."""
    queues = routing.queues_for_user(user)
    if not queues:
        return []
    counts = {
        row.queue_id: row
        for row in db.session.execute(
            select(
                Ticket.queue_id,
                _count(Ticket.status == Status.NEW).label("new"),
                _count(Ticket.assignee_id.is_(None)).label("unassigned"),
                _count(state_filter(SlaState.WARNING, now)).label("warning"),
                _count(state_filter(SlaState.BREACHED, now)).label("breached"),
            )
            .where(
                Ticket.queue_id.in_([queue.id for queue in queues]),
                Ticket.status.in_(OPEN_STATUSES),
                visibility_clause(user),
            )
            .group_by(Ticket.queue_id)
        )
    }
    result = []
    for queue in queues:
        row = counts.get(queue.id)
        result.append(
            QueueCounts(
                queue=queue,
                new=row.new or 0 if row else 0,
                unassigned=row.unassigned or 0 if row else 0,
                warning=row.warning or 0 if row else 0,
                breached=row.breached or 0 if row else 0,
            )
        )
    return result


def assigned_tickets(user: User, *, limit: int = LIST_LIMIT) -> list:
    """The open tickets assigned to the user, the nearest deadline first (one query): rows with
    the ticket's number, subject and clock columns (for the SLA badge)."""
    due = func.coalesce(Ticket.first_response_due, Ticket.resolution_due)
    return list(
        db.session.execute(
            select(Ticket.id, Ticket.number, Ticket.subject, *CLOCK_COLUMNS)
            .where(Ticket.assignee_id == user.id, Ticket.status.in_(OPEN_STATUSES))
            .order_by(due.is_(None), due, Ticket.id)
            .limit(limit)
        ).all()
    )


def oversight_counts(user: User, now: datetime) -> Oversight:
    """How many tickets the user oversees are unanswered past a warning point, and how many
    open ones are breached (one query; the same tickets as the SLA pages list)."""
    scope = routing.visible_queue_ids(user)
    conditions = [visibility_clause(user)]
    if scope is not None:
        conditions.append(Ticket.queue_id.in_(sorted(scope)))
    row = db.session.execute(
        select(
            _count(unanswered_clause(now)).label("unanswered"),
            _count(
                and_(Ticket.status.in_(OPEN_STATUSES), state_filter(SlaState.BREACHED, now))
            ).label("breached"),
        ).where(*conditions, Ticket.status.in_(OPEN_STATUSES), ISSUES_ONLY)
    ).one()
    return Oversight(unanswered=row.unanswered or 0, breached=row.breached or 0)


def province_counts(user: User, now: datetime) -> ProvinceCounts | None:
    """A coordinator's province in every queue: open tickets, and of them the overdue (one
    query); None for other accounts."""
    province = coordinated_province(user)
    if province is None:
        return None
    row = db.session.execute(
        select(
            func.count(Ticket.id).label("open"),
            _count(state_filter(SlaState.BREACHED, now)).label("breached"),
        ).where(Ticket.province_code == province, Ticket.status.in_(OPEN_STATUSES), ISSUES_ONLY)
    ).one()
    return ProvinceCounts(province_code=province, open=row.open or 0, breached=row.breached or 0)
