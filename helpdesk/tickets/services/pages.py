"""Reads for the ticket pages: a ticket with its thread and history in a constant number of
queries, the public part of its thread, and the people and queues its controls offer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from helpdesk import errors
from helpdesk.auth.models import Role, User
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.extensions import db
from helpdesk.tickets.models import Attachment, Event, Message, Ticket
from helpdesk.tickets.services.access import (
    STAFF_ROLES,
    is_staff,
    visibility_clause,
    visible_tickets,
)

# Keys of Event.data that name a queue or a user.
QUEUE_KEYS = ("queue_id", "from_queue_id", "to_queue_id")
USER_KEYS = ("assignee_id",)


@dataclass(frozen=True)
class Thread:
    """What a user may read of a ticket's conversation, oldest first."""

    opening_attachments: list[Attachment]  # filed with the ticket
    messages: list[Message]  # internal notes only for staff


def load_ticket(user: User, number: str) -> Ticket:
    """The ticket with everything its page shows (messages with their authors and files,
    events with their actors); errors.NotFound if the user may not see it. The number of
    queries does not depend on the number of messages or events."""
    query = (
        visible_tickets(user)
        .where(Ticket.number == number)
        .options(
            joinedload(Ticket.requester),
            joinedload(Ticket.assignee),
            joinedload(Ticket.queue),
            joinedload(Ticket.system),
            joinedload(Ticket.category),
            joinedload(Ticket.province),
            joinedload(Ticket.parent),
            joinedload(Ticket.merged_into),
            selectinload(Ticket.attachments),
            selectinload(Ticket.messages).options(
                joinedload(Message.author), selectinload(Message.attachments)
            ),
            selectinload(Ticket.events).joinedload(Event.actor),
        )
    )
    ticket = db.session.scalars(query).unique().one_or_none()
    if ticket is None:
        raise errors.NotFound("Ticket not found.")
    return ticket


def thread_for(user: User, ticket: Ticket) -> Thread:
    """The ticket's messages the user may read: requesters never get internal notes."""
    staff = is_staff(user)
    return Thread(
        opening_attachments=[a for a in ticket.attachments if a.message_id is None],
        messages=[m for m in ticket.messages if staff or not m.internal],
    )


def get_attachment(user: User, number: str, attachment_id: int) -> Attachment:
    """An attachment of a ticket the user sees; one of an internal note only for staff.
    errors.NotFound otherwise (the same answer for "missing" and "not yours")."""
    query = (
        select(Attachment)
        .join(Ticket, Ticket.id == Attachment.ticket_id)
        .where(
            Attachment.id == attachment_id,
            Ticket.number == number,
            visibility_clause(user),
        )
        .options(joinedload(Attachment.message))
    )
    attachment = db.session.scalar(query)
    if attachment is None or (
        attachment.message is not None and attachment.message.internal and not is_staff(user)
    ):
        raise errors.NotFound("Ticket not found.")
    return attachment


def history_names(ticket: Ticket) -> tuple[dict[int, str], dict[int, str]]:
    """Names of the queues and people the ticket's events refer to by id (two queries)."""
    from helpdesk.routing.models import Queue

    queue_ids = {e.data.get(k) for e in ticket.events for k in QUEUE_KEYS} - {None}
    user_ids = {e.data.get(k) for e in ticket.events for k in USER_KEYS} - {None}
    queues = dict(
        db.session.execute(select(Queue.id, Queue.name).where(Queue.id.in_(queue_ids))).all()
    )
    users = dict(
        db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all()
    )
    return queues, users


def assignable_agents(ticket: Ticket) -> list[User]:
    """Active staff who may hold the ticket: members of its queue covering its province, and
    the queue's supervisor (one query)."""
    from helpdesk.routing.models import Membership, MembershipProvince, Queue

    listed = MembershipProvince.membership_id == Membership.id
    covers = or_(
        ~exists().where(listed),
        exists().where(listed, MembershipProvince.province_code == ticket.province_code),
    )
    members = select(Membership.user_id).where(Membership.queue_id == ticket.queue_id, covers)
    supervisor = select(Queue.supervisor_id).where(Queue.id == ticket.queue_id)
    return list(
        db.session.scalars(
            select(User)
            .where(
                or_(User.id.in_(members), User.id.in_(supervisor)),
                User.status == AccountStatus.ACTIVE,
                User.role.in_(STAFF_ROLES),
            )
            .order_by(User.full_name, User.id)
        )
    )


def workspace_agents(user: User) -> list[User]:
    """Active staff of the queues the user works (everyone's for admins), for bulk assignment."""
    from helpdesk.routing import services as routing
    from helpdesk.routing.models import Membership, Queue

    query = select(User).where(
        User.status == AccountStatus.ACTIVE, User.role.in_((Role.AGENT, Role.SUPERVISOR))
    )
    if user.role != Role.ADMIN:
        queue_ids = sorted(routing.visible_queue_ids(user) or ())
        members = select(Membership.user_id).where(Membership.queue_id.in_(queue_ids))
        supervisors = select(Queue.supervisor_id).where(Queue.id.in_(queue_ids))
        query = query.where(or_(User.id.in_(members), User.id.in_(supervisors), User.id == user.id))
    return list(db.session.scalars(query.order_by(User.full_name, User.id)))


def find_user(user_id: int) -> User | None:
    """An account by id, for an assignment (the assignment service says whether it fits)."""
    return db.session.get(User, user_id)
