"""Who holds a ticket: automatic assignment as routing chooses, staff assigning and claiming."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors
from helpdesk.auth.models import Role, User, is_staff
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.routing.models import Membership, Queue
from helpdesk.tickets.models import EventKind, Ticket
from helpdesk.tickets.services import mail
from helpdesk.tickets.services.access import require_work
from helpdesk.tickets.services.changes import commit_and_dispatch, expect_version
from helpdesk.tickets.services.events import stage_event
from helpdesk.timeutil import utcnow


def stage_auto_assignment(
    ticket: Ticket, *, now: datetime, mark: bool = True, members: list[routing.Member] | None = None
) -> bool:
    """Give the ticket to the member routing chooses, with its event; False when nobody
    qualifies (an "unassigned" event then). No flush, no mail: the ticket may not be inserted
    yet, and its assignee is then part of its INSERT. `members`: the queue's members covering
    the ticket's province when the caller read them with its queue (routing.queue_members);
    read here otherwise (one query).

    mark=False leaves noting the member's turn (routing.stage_last_assigned, a write that locks
    the member's row until the commit) to the caller, to do with its own writes."""
    if members is None:
        _queue, members = routing.queue_members(ticket.queue_id, ticket.province_code)
    assignee = routing.pick_assignee(ticket.queue, members)
    if assignee is None:
        stage_unassigned(ticket, now=now)
        return False
    ticket.assignee_id = assignee.id
    ticket.assignee = assignee
    if mark:
        routing.stage_last_assigned(ticket.queue_id, assignee.id, now)
    stage_event(ticket, EventKind.ASSIGNED, at=now, assignee_id=assignee.id, automatic=True)
    return True


def stage_unassigned(ticket: Ticket, *, now: datetime) -> None:
    """Nobody could take the ticket: the "unassigned" event names the supervisor who will be
    told (None: nobody reachable), and a queue nobody staffs adds an "unstaffed" event saying
    how many admins will be told instead (stage_assignment_mail sends both)."""
    supervisor = mail.reachable_supervisor(ticket.queue)
    stage_event(
        ticket,
        EventKind.UNASSIGNED,
        at=now,
        queue_id=ticket.queue_id,
        supervisor_id=supervisor.id if supervisor else None,
    )
    if not routing.is_staffed(ticket.queue_id):
        admins = mail.reachable_admins()
        stage_event(
            ticket, EventKind.UNSTAFFED, at=now, queue_id=ticket.queue_id, admins=len(admins)
        )


def stage_assignment_mail(ticket: Ticket) -> list:
    """After stage_auto_assignment: the assignee is told, or the supervisor that nobody was,
    and the admins when the queue has nobody (its last event, "unstaffed", says so)."""

    if ticket.assignee_id is None:
        rows = mail.on_unassignable(ticket)
        last = ticket.events[-1] if ticket.events else None
        if last is not None and last.kind == EventKind.UNSTAFFED:
            rows += mail.on_unstaffed(ticket, "queued", mail.event_key(ticket, "queued"))
        return rows
    return mail.on_assigned(ticket)


def can_work_in(user: User, queue_id: int, province_code: str) -> bool:
    """May the user hold tickets of this queue and province (a covering member, its supervisor,
    or an admin)?"""
    if user.role == Role.ADMIN:
        return True
    membership = db.session.scalar(
        select(Membership).where(Membership.queue_id == queue_id, Membership.user_id == user.id)
    )
    if membership is not None and membership.covers(province_code):
        return True
    queue = db.session.get(Queue, queue_id)
    return queue is not None and queue.supervisor_id == user.id


def assign(
    actor: User,
    ticket: Ticket,
    assignee: User | None,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Give the ticket to an agent of its queue covering its province (None: unassign). Commits."""
    now = now or utcnow()
    require_work(actor, ticket)
    expect_version(ticket, version)
    outbox = stage_assignment(actor, ticket, assignee, now=now)
    commit_and_dispatch(outbox)
    return ticket


def stage_assignment(actor: User, ticket: Ticket, assignee: User | None, *, now: datetime) -> list:
    """The assignment of `assign`; returns the outbox rows (the assignee told, unless it is the
    actor)."""

    if assignee is not None and (
        not is_staff(assignee)
        or not assignee.is_active
        or not can_work_in(assignee, ticket.queue_id, ticket.province_code)
    ):
        raise errors.Invalid(
            _("That person does not work this queue for this province."), "assignee"
        )
    new_id = assignee.id if assignee else None
    if ticket.assignee_id == new_id:
        return []
    ticket.assignee_id = new_id
    ticket.assignee = assignee
    ticket.updated_at = now
    stage_event(ticket, EventKind.ASSIGNED, actor=actor, at=now, assignee_id=new_id)
    if assignee is None or assignee.id == actor.id:
        return []
    return mail.on_assigned(ticket)


def claim(
    actor: User, ticket: Ticket, *, version: int | None = None, now: datetime | None = None
) -> Ticket:
    """The agent takes the ticket. Commits."""
    return assign(actor, ticket, actor, version=version, now=now)
