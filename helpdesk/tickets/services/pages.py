"""Reads for the ticket pages, each one query whatever the length of the thread or history: a
ticket with the names of what it refers to, the thread a user may read, the history, and the
people the history names with the agents the controls offer and the ticket's followers.

The page is read far more often than anything else, so its statements are built once per
process with bind parameters and the thread and the history come as plain rows, not ORM
objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, defer, joinedload

from helpdesk import errors
from helpdesk.auth.models import STAFF_ROLES, LoginName, Role, User, is_staff
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.routing.models import Membership, Queue
from helpdesk.tickets.follower_models import Follower
from helpdesk.tickets.models import Attachment, Event, Kind, Message, Ticket
from helpdesk.tickets.services.visibility import visibility_check

# Keys of Event.data that name a user.
USER_KEYS = ("assignee_id", "user_id")


@dataclass(frozen=True)
class File:
    """What the page shows of an attachment of a message: its link and size."""

    id: int
    filename: str
    size: int


@dataclass(frozen=True)
class ThreadMessage:
    """A message as the page shows it; `author_name` None: written by the system."""

    id: int
    body: str
    internal: bool
    created_at: datetime
    author_name: str | None
    attachments: list[File]
    source: str = "web"  # where it was written (Source): shown to staff when not the web


@dataclass(frozen=True)
class Thread:
    """What a user may read of a ticket's conversation, oldest first."""

    opening_attachments: list[Attachment]  # filed with the ticket
    messages: list[ThreadMessage]  # internal notes only for staff


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
    parent: str | None  # the number of the incident it is attached to
    merged_into: str | None
    parent_title: str | None  # that incident's title (None: its parent is no incident)
    filed_by: str | None  # who filed it for its requester (a call), None: the requester

    def category(self, language: str) -> str:
        return self.category_en if language == "en" else self.category_vi


def _name(column, key, value):
    return select(column).where(key == value).scalar_subquery()


_parent, _merged_into = aliased(Ticket), aliased(Ticket)
_filer = aliased(User)
# Subqueries, not joins: the planner has no order of ten joins to weigh.
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
    select(_parent.subject)
    .where(_parent.id == Ticket.parent_id, _parent.kind == Kind.INCIDENT)
    .scalar_subquery(),
    _name(_filer.full_name, _filer.id, Ticket.filed_by_id),
)


# The ticket page's ticket statement by (role, account active): given the user's id and (for a
# coordinator) province as parameters, the visibility condition depends on nothing else of the
# user.
_TICKET_STATEMENTS: dict[tuple[str, bool], Select] = {}


def _ticket_statement(user: User) -> Select:
    key = (user.role, bool(user.is_active))
    statement = _TICKET_STATEMENTS.get(key)
    if statement is None:
        statement = _TICKET_STATEMENTS[key] = (
            select(Ticket)
            .add_columns(*NAME_COLUMNS)
            .where(
                visibility_check(
                    user,
                    user_id=bindparam("viewer", type_=Integer),
                    province=bindparam("viewer_province", type_=String),
                ),
                Ticket.number == bindparam("number", type_=String),
            )
            .options(
                defer(Ticket.search_text),
                joinedload(Ticket.attachments.and_(Attachment.message_id.is_(None))),
            )
        )
    return statement


def load_ticket(user: User, number: str) -> tuple[Ticket, Names]:
    """The ticket with the names of what it refers to and the files filed with it
    (`ticket.attachments` holds only those), in one query; errors.NotFound if the user may
    not see it."""
    row = (
        db.session.execute(
            _ticket_statement(user),
            {"viewer": user.id, "viewer_province": user.province_code, "number": number},
        )
        .unique()
        .one_or_none()
    )
    if row is None:
        raise errors.NotFound(_("Ticket not found."))
    return row[0], Names(*row[1:])


@cache
def _thread_statement(*, internal_notes: bool):
    author = aliased(User)
    query = (
        select(
            Message.id,
            Message.body,
            Message.internal,
            Message.created_at,
            Message.source,
            author.full_name.label("author_name"),
            Attachment.id.label("file_id"),
            Attachment.filename,
            Attachment.size,
        )
        .outerjoin(author, author.id == Message.author_id)
        # Through the ticket's index: a message's files are files of its ticket.
        .outerjoin(
            Attachment,
            and_(Attachment.ticket_id == Message.ticket_id, Attachment.message_id == Message.id),
        )
        .where(Message.ticket_id == bindparam("ticket", type_=Integer))
        .order_by(Message.id, Attachment.id)
    )
    if not internal_notes:
        query = query.where(Message.internal.is_(False))
    return query


def thread_for(user: User, ticket: Ticket) -> Thread:
    """The ticket's messages the user may read, with their authors' names and their files, in
    one query whatever their number: requesters never get internal notes."""
    statement = _thread_statement(internal_notes=is_staff(user))
    messages: list[ThreadMessage] = []
    for row in db.session.execute(statement, {"ticket": ticket.id}):
        if not messages or messages[-1].id != row.id:
            messages.append(
                ThreadMessage(
                    row.id,
                    row.body,
                    row.internal,
                    row.created_at,
                    row.author_name,
                    [],
                    source=row.source,
                )
            )
        if row.file_id is not None:
            messages[-1].attachments.append(File(row.file_id, row.filename, row.size))
    return Thread(
        opening_attachments=[a for a in ticket.attachments if a.message_id is None],
        messages=messages,
    )


_HISTORY = (
    select(Event.id, Event.actor_id, Event.kind, Event.data, Event.created_at)
    .where(Event.ticket_id == bindparam("ticket", type_=Integer))
    .order_by(Event.id)
)


def history_of(ticket: Ticket) -> list[Row]:
    """The ticket's events, oldest first, as rows of id, actor_id, kind, data, created_at (one
    query; people_for() names who they refer to)."""
    return list(db.session.execute(_HISTORY, {"ticket": ticket.id}))


def get_attachment(user: User, number: str, attachment_id: int) -> Attachment:
    """An attachment of a ticket the user sees; one of an internal note only for staff.
    errors.NotFound otherwise (the same answer for "missing" and "not yours")."""
    query = (
        select(Attachment)
        .join(Ticket, Ticket.id == Attachment.ticket_id)
        .where(
            Attachment.id == attachment_id,
            Ticket.number == number,
            visibility_check(user),
        )
        .options(joinedload(Attachment.message))
    )
    attachment = db.session.scalar(query)
    if attachment is None or (
        attachment.message is not None and attachment.message.internal and not is_staff(user)
    ):
        raise errors.NotFound(_("Ticket not found."))
    return attachment


@dataclass(frozen=True)
class Person(LoginName):
    """A follower as the staff page lists them: the name, and the login name that
    `auth.permissions.shown_username` shows whole or masked (as of an account)."""

    id: int
    full_name: str
    cccd: str
    domain: str


@dataclass(frozen=True)
class People:
    """Who the ticket's staff page names: everyone its history refers to, by id, the staff
    who may hold it, as (id, name) by name, and its followers by name."""

    names: dict[int, str]
    assignable: list[tuple[int, str]]
    followers: list[Person]


# Why a row of the people statement is there.
HOLDS, NAMED, FOLLOWS = "holds", "named", "follows"


@cache
def _people_statement():
    queue_id = bindparam("queue", type_=Integer)
    holders = union_all(
        select(Membership.user_id).where(
            Membership.queue_id == queue_id, routing.covers(bindparam("province", type_=String))
        ),
        select(Queue.supervisor_id).where(Queue.id == queue_id),
    )

    def people(why: str) -> Select:
        return select(User.id, User.full_name, User.cccd, User.domain, literal(why).label("why"))

    query = union_all(
        people(HOLDS).where(
            User.id.in_(holders),
            User.status == AccountStatus.ACTIVE,
            User.role.in_(STAFF_ROLES),
        ),
        people(NAMED).where(User.id.in_(bindparam("named", expanding=True, type_=Integer))),
        people(FOLLOWS).where(
            User.id.in_(
                select(Follower.user_id).where(
                    Follower.ticket_id == bindparam("ticket", type_=Integer)
                )
            )
        ),
    )
    return query.order_by(query.selected_columns.full_name, query.selected_columns.id)


def people_for(ticket: Ticket, events: list) -> People:
    """The names of the people the ticket's events refer to (actors, assignees), the
    active staff who may hold the ticket (members of its queue covering its province, and
    the queue's supervisor) and its followers. One query."""
    named = {e.actor_id for e in events}
    named |= {e.data.get(k) for e in events if e.data for k in USER_KEYS}
    named = {n for n in named if isinstance(n, int)}
    parameters = {
        "queue": ticket.queue_id,
        "province": ticket.province_code,
        "named": sorted(named),
        "ticket": ticket.id,
    }
    names: dict[int, str] = {}
    assignable: list[tuple[int, str]] = []
    followers: list[Person] = []
    for user_id, full_name, cccd, domain, why in db.session.execute(
        _people_statement(), parameters
    ):
        names[user_id] = full_name
        if why == HOLDS:
            assignable.append((user_id, full_name))
        elif why == FOLLOWS:
            followers.append(Person(user_id, full_name, cccd, domain))
    return People(names=names, assignable=assignable, followers=followers)


def workspace_agents(user: User) -> list[Row]:
    """Active staff of the queues the user works (everyone's for admins), for bulk assignment:
    rows of `id` and `full_name` (the pickers show nothing else)."""
    query = select(User.id, User.full_name).where(
        User.status == AccountStatus.ACTIVE,
        User.role.in_((Role.COORDINATOR, Role.AGENT, Role.SUPERVISOR)),
    )
    if user.role != Role.ADMIN:
        queue_ids = sorted(routing.visible_queue_ids(user) or ())
        members = select(Membership.user_id).where(Membership.queue_id.in_(queue_ids))
        supervisors = select(Queue.supervisor_id).where(Queue.id.in_(queue_ids))
        query = query.where(or_(User.id.in_(members), User.id.in_(supervisors), User.id == user.id))
    return list(db.session.execute(query.order_by(User.full_name, User.id)))


def find_user(user_id: int) -> User | None:
    """An account by id, for an assignment (the assignment service says whether it fits)."""
    return db.session.get(User, user_id)
