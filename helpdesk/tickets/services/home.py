"""What the home page shows of tickets: a requester's open tickets with the time an answer is
due, an agent's queues with their counts and the tickets assigned to them, a supervisor's
unanswered and breached counts. A constant number of statements whatever the data.

Each count stops at COUNT_CAP + 1 tickets (the page reads "more than 100"; the lists behind its
links hold them all): an exact count reads every open ticket it counts, which grows with the desk
(107 000 rows, 2 s under load, for the bench's agent at N = 1 000 000), where a capped one stops
at its cap's row (about COUNT_CAP / share of the rows that match)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ScalarSelect, case, func, select, true

from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.routing.models import Queue
from helpdesk.sla.states import SlaState
from helpdesk.tickets.models import ISSUES_ONLY, OPEN_STATUSES, Status, Ticket
from helpdesk.tickets.services.sla_state import CLOCK_COLUMNS, state_filter, unanswered_clause
from helpdesk.tickets.services.visibility import coordinated_province, visibility_clause

LIST_LIMIT = 20  # rows of a home list; its link leads to the whole list
COUNT_CAP = 100  # a home count beyond it reads "more than 100"


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


def capped_count(*conditions) -> ScalarSelect:
    """How many tickets meet the conditions, counted up to COUNT_CAP + 1 (more than COUNT_CAP
    is all the page says): the database stops reading at that row."""
    found = select(Ticket.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(found).scalar_subquery()


def queue_counts(user: User, now: datetime) -> list[QueueCounts]:
    """The queues the user works or supervises (all active ones for admins), each with its open
    tickets that the user may see: new, unassigned, in warning, breached (capped counts). Two
    queries whatever the number of queues: the user's queues (shared with the rest of the
    request) and one holding every queue's counts, each its own subquery that stops at the cap
    (a grouped count cannot stop)."""
    queues = routing.queues_for_user(user)
    if not queues:
        return []
    covered = routing.covered_provinces(user)  # the same query as the queues'
    clause = visibility_clause(user)
    figures = (
        Ticket.status == Status.NEW,
        Ticket.assignee_id.is_(None),
        state_filter(SlaState.WARNING, now),
        state_filter(SlaState.BREACHED, now),
    )
    row = db.session.execute(
        select(
            *(
                capped_count(
                    Ticket.queue_id == queue.id,
                    Ticket.status.in_(OPEN_STATUSES),
                    # In a queue the user sees whole, no clause: its OR (the user's own tickets,
                    # the other queues) would keep the database from reading the queue's index
                    # in order and stopping at the cap.
                    true() if covered.get(queue.id, ()) is None else clause,
                    figure,
                )
                for queue in queues
                for figure in figures
            )
        )
    ).one()
    return [
        QueueCounts(queue, *row[4 * index : 4 * index + 4]) for index, queue in enumerate(queues)
    ]


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
    overseen = [visibility_clause(user), Ticket.status.in_(OPEN_STATUSES), ISSUES_ONLY]
    if scope is not None:
        overseen.append(Ticket.queue_id.in_(sorted(scope)))
    row = db.session.execute(
        select(
            capped_count(*overseen, unanswered_clause(now)).label("unanswered"),
            capped_count(*overseen, state_filter(SlaState.BREACHED, now)).label("breached"),
        )
    ).one()
    return Oversight(unanswered=row.unanswered, breached=row.breached)


def province_counts(user: User, now: datetime) -> ProvinceCounts | None:
    """A coordinator's province in every queue: open tickets, and of them the overdue (one
    query); None for other accounts."""
    province = coordinated_province(user)
    if province is None:
        return None
    in_province = (Ticket.province_code == province, Ticket.status.in_(OPEN_STATUSES), ISSUES_ONLY)
    row = db.session.execute(
        select(
            capped_count(*in_province).label("open"),
            capped_count(*in_province, state_filter(SlaState.BREACHED, now)).label("breached"),
        )
    ).one()
    return ProvinceCounts(province_code=province, open=row.open, breached=row.breached)
