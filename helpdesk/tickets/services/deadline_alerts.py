"""What a reached deadline tells: the warning's and the breach's event and mail (no commit).

The claimed tickets are loaded with what their mail shows and the people it goes to in two
queries, whatever their number (`load`); each warning or breach adds its event to a list that
the caller inserts with one statement, and returns its outbox rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.routing.models import Queue
from helpdesk.sla import services as sla
from helpdesk.tickets.models import EventKind, Ticket
from helpdesk.tickets.services import mail

# What a warning or breach reads of a ticket (its mail: tickets.services.mail.ticket_context).
MAILED_COLUMNS = (
    Ticket.number,
    Ticket.subject,
    Ticket.status,
    Ticket.priority,
    Ticket.queue_id,
    Ticket.assignee_id,
    Ticket.sla_policy_id,
    Ticket.first_responded_at,
    Ticket.first_response_due,
    Ticket.resolution_due,
    Ticket.version,
)


def load(ticket_ids: set[int]) -> dict[int, Ticket]:
    """The claimed tickets as they are now (markers set) with what their mail shows, and the
    people it goes to (`ticket.assignee`, `ticket.queue.supervisor`): two queries, whatever the
    number of tickets and people."""
    query = (
        select(Ticket)
        .where(Ticket.id.in_(ticket_ids))
        .options(
            load_only(*MAILED_COLUMNS),
            joinedload(Ticket.queue).load_only(Queue.name, Queue.email, Queue.supervisor_id),
        )
        .execution_options(populate_existing=True)
    )
    tickets = {ticket.id: ticket for ticket in db.session.scalars(query)}
    wanted = {ticket.assignee_id for ticket in tickets.values()}
    wanted |= {ticket.queue.supervisor_id for ticket in tickets.values()}
    wanted.discard(None)
    people: dict[int, User] = {}
    if wanted:
        query = select(User).where(User.id.in_(wanted)).options(lazyload("*"))
        people = {user.id: user for user in db.session.scalars(query)}
    # The session holds objects weakly: each user is attached to what refers to it, or it
    # would be gone from the identity map by the time its mail is built (a query per user).
    for ticket in tickets.values():
        set_committed_value(ticket, "assignee", people.get(ticket.assignee_id))
        set_committed_value(ticket.queue, "supervisor", people.get(ticket.queue.supervisor_id))
    return tickets


@dataclass(frozen=True)
class Staffing:
    """Which of the claimed tickets' queues nobody staffs, and the admins told instead."""

    unstaffed: set[int] = field(default_factory=set)
    admins: list[User] = field(default_factory=list)


def staffing(tickets: dict[int, Ticket]) -> Staffing:
    """The staffing of the tickets' queues: one query, and one more for the admins when some
    queue has nobody."""
    unstaffed = routing.unstaffed_among({ticket.queue_id for ticket in tickets.values()})
    return Staffing(unstaffed, mail.reachable_admins() if unstaffed else [])


def _unstaffed(
    ticket: Ticket, why: str, key: str, staff: Staffing, events: list[dict], *, now: datetime
) -> list:
    """A queue nobody staffs: the admins are told, and the history says so (and how many)."""
    if ticket.queue_id not in staff.unstaffed:
        return []
    rows = mail.on_unstaffed(ticket, why, key, admins=staff.admins)
    events.append(
        _event(
            ticket, EventKind.UNSTAFFED, now=now, queue_id=ticket.queue_id, admins=len(staff.admins)
        )
    )
    return rows


def _event(ticket: Ticket, kind: EventKind, *, now: datetime, **data) -> dict:
    return {"ticket_id": ticket.id, "actor_id": None, "kind": kind, "data": data, "created_at": now}


def _supervisor(ticket: Ticket) -> User | None:
    queue = ticket.queue
    if queue is None or queue.supervisor_id is None:
        return None
    return queue.supervisor


def _context(ticket: Ticket, kind: str, due: datetime) -> dict:
    return {
        **mail.ticket_context(ticket),
        "clock": kind,
        "due": mail.local_time(due),
        "assignee": ticket.assignee.full_name if ticket.assignee else "",
        "answered": ticket.first_responded_at is not None,
    }


def _mail(
    template: str, key: str, context: dict, *, user: User | None = None, address: str = ""
) -> list:
    if user is not None:
        return mail.to_user(user, template, key, context, essential=True)
    return mail.to_address(address, template, key, context) if address else []


def warn(
    ticket: Ticket,
    kind: str,
    due: datetime,
    events: list[dict],
    *,
    now: datetime,
    staff: Staffing | None = None,
) -> list:
    """The warning's event (added to `events`) and mail: the assignee is warned; a ticket still
    unassigned or unanswered goes to the supervisor (the queue's address without one), and to
    the admins when nobody staffs the queue (`staff`), with an event saying so."""
    events.append(_event(ticket, EventKind.SLA_WARNING, now=now, clock=kind, due=due.isoformat()))
    context = _context(ticket, kind, due)
    key = f"sla:{ticket.id}:{kind}:warning:{due.timestamp():.0f}"
    outbox = _mail("sla_warning", key, context, user=ticket.assignee)
    if ticket.assignee_id is None or ticket.first_responded_at is None:
        supervisor = _supervisor(ticket)
        if supervisor is None or supervisor.id != ticket.assignee_id:
            outbox += _mail(
                "sla_unanswered", key, context, user=supervisor, address=ticket.queue.email
            )
            outbox += _unstaffed(ticket, "warning", key, staff or Staffing(), events, now=now)
    return outbox


def breach(
    ticket: Ticket,
    kind: str,
    due: datetime,
    found: sla.Targets | None,
    events: list[dict],
    *,
    now: datetime,
    staff: Staffing | None = None,
) -> list:
    """The breach's event (added to `events`) and mail.

    The assignee is told, and the supervisor (the policy's first escalation step; always when
    nobody holds the ticket), or the queue's address when it has no supervisor. The event
    names the supervisor told (`supervisor_id`). When nobody staffs the queue (`staff`), the
    admins are told too, and an "unstaffed" event follows the breach's.
    """
    context = _context(ticket, kind, due)
    key = f"sla:{ticket.id}:{kind}:breach:{due.timestamp():.0f}"
    outbox = _mail("sla_breach", key, context, user=ticket.assignee)
    told, later = None, []
    if ticket.assignee_id is None or (found.notify_supervisor if found is not None else True):
        supervisor = _supervisor(ticket)
        if supervisor is None or supervisor.id != ticket.assignee_id:
            rows = _mail("sla_breach", key, context, user=supervisor, address=ticket.queue.email)
            outbox += rows
            told = supervisor.id if rows and supervisor is not None else None
            outbox += _unstaffed(ticket, "breach", key, staff or Staffing(), later, now=now)
    events.append(
        _event(
            ticket,
            EventKind.SLA_BREACHED,
            now=now,
            clock=kind,
            due=due.isoformat(),
            supervisor_id=told,
        )
    )
    events += later
    return outbox
