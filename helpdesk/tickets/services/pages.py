"""Reads for the ticket pages, each one query whatever the length of the thread or history: a
ticket with the names of what it refers to, the thread a user may read, the history, and the
people the history names with the agents the controls offer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, false, or_, select, true, union_all
from sqlalchemy.orm import aliased, defer, joinedload, lazyload, load_only

from helpdesk import errors
from helpdesk.auth.models import Role, User
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db
from helpdesk.routing.models import Membership, MembershipProvince, Queue
from helpdesk.tickets.models import Attachment, Event, Message, Ticket
from helpdesk.tickets.services.access import (
    STAFF_ROLES,
    is_staff,
    visibility_clause,
    visible_tickets,
)

# Keys of Event.data that name a user.
USER_KEYS = ("assignee_id",)
# People on the ticket page show only their names: no province or unit joined.
NAMES_ONLY = (load_only(User.full_name), lazyload(User.province), lazyload(User.unit))


@dataclass(frozen=True)
class Thread:
    """What a user may read of a ticket's conversation, oldest first."""

    opening_attachments: list[Attachment]  # filed with the ticket
    messages: list[Message]  # internal notes only for staff


@dataclass(frozen=True)
class Names:
    """What the page shows of the rows a ticket refers to, read with the ticket."""

    requester: str
    assignee: str | None
    queue: str
    system: str
    category_vi: str
    category_en: str
    province: str
    parent: str | None  # the linked tickets' numbers
    merged_into: str | None

    def category(self, language: str) -> str:
        return self.category_en if language == "en" else self.category_vi


def _name(column, key, value):
    return select(column).where(key == value).scalar_subquery()


_parent, _merged_into = aliased(Ticket), aliased(Ticket)
# Subqueries, not joins: PostgreSQL plans a ten-way outer join for longer than it runs it.
NAME_COLUMNS = (
    _name(User.full_name, User.id, Ticket.requester_id),
    _name(User.full_name, User.id, Ticket.assignee_id),
    _name(Queue.name, Queue.id, Ticket.queue_id),
    _name(System.ministry, System.code, Ticket.system_code),
    _name(Category.name_vi, Category.code, Ticket.category_code),
    _name(Category.name_en, Category.code, Ticket.category_code),
    _name(Province.name, Province.code, Ticket.province_code),
    _name(_parent.number, _parent.id, Ticket.parent_id),
    _name(_merged_into.number, _merged_into.id, Ticket.merged_into_id),
)


def load_ticket(user: User, number: str) -> tuple[Ticket, Names]:
    """The ticket with the names of what it refers to and the files filed with it
    (`ticket.attachments` holds only those), in one query; errors.NotFound if the user may
    not see it."""
    query = (
        visible_tickets(user)
        .add_columns(*NAME_COLUMNS)
        .where(Ticket.number == number)
        .options(
            defer(Ticket.search_text),
            joinedload(Ticket.attachments.and_(Attachment.message_id.is_(None))),
        )
    )
    row = db.session.execute(query).unique().one_or_none()
    if row is None:
        raise errors.NotFound("Ticket not found.")
    return row[0], Names(*row[1:])


def thread_for(user: User, ticket: Ticket) -> Thread:
    """The ticket's messages the user may read, with their authors (names only) and files, in
    one query whatever their number: requesters never get internal notes."""
    query = (
        select(Message)
        .where(Message.ticket_id == ticket.id)
        .order_by(Message.id)
        .options(
            defer(Message.search_text),
            joinedload(Message.author).options(*NAMES_ONLY),
            # Through the ticket's index: a message's files are files of its ticket.
            joinedload(Message.attachments.and_(Attachment.ticket_id == Message.ticket_id)),
        )
    )
    if not is_staff(user):
        query = query.where(Message.internal.is_(False))
    return Thread(
        opening_attachments=[a for a in ticket.attachments if a.message_id is None],
        messages=list(db.session.scalars(query).unique()),
    )


def history_of(ticket: Ticket) -> list[Event]:
    """The ticket's events, oldest first (one query; people_for() names who they refer to)."""
    return list(
        db.session.scalars(select(Event).where(Event.ticket_id == ticket.id).order_by(Event.id))
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


@dataclass(frozen=True)
class People:
    """Who the ticket's staff page names: everyone its history refers to, by id, and the staff
    who may hold it, as (id, name) by name."""

    names: dict[int, str]
    assignable: list[tuple[int, str]]


def people_for(ticket: Ticket, events: list[Event]) -> People:
    """The names of the people the ticket's events refer to (actors, assignees) and the
    active staff who may hold the ticket: members of its queue covering its province, and
    the queue's supervisor. One query."""
    named = {e.actor_id for e in events}
    named |= {e.data.get(k) for e in events if e.data for k in USER_KEYS}
    named = {n for n in named if isinstance(n, int)}
    listed = MembershipProvince.membership_id == Membership.id
    covers = or_(
        ~exists().where(listed),
        exists().where(listed, MembershipProvince.province_code == ticket.province_code),
    )
    holders = union_all(
        select(Membership.user_id).where(Membership.queue_id == ticket.queue_id, covers),
        select(Queue.supervisor_id).where(Queue.id == ticket.queue_id),
    )
    query = union_all(
        select(User.id, User.full_name, true().label("assignable")).where(
            User.id.in_(holders),
            User.status == AccountStatus.ACTIVE,
            User.role.in_(STAFF_ROLES),
        ),
        select(User.id, User.full_name, false()).where(User.id.in_(sorted(named))),
    )
    query = query.order_by(query.selected_columns.full_name, query.selected_columns.id)
    names: dict[int, str] = {}
    assignable: list[tuple[int, str]] = []
    for user_id, full_name, may_hold in db.session.execute(query):
        names[user_id] = full_name
        if may_hold:
            assignable.append((user_id, full_name))
    return People(names=names, assignable=assignable)


def workspace_agents(user: User) -> list[User]:
    """Active staff of the queues the user works (everyone's for admins), for bulk assignment."""
    from helpdesk.routing import services as routing

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
