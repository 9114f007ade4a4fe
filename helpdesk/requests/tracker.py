"""What a request's readers see of it: the requests they read, and a request's tracker (each
province's state, answer time and files), each read with a constant number of queries whatever
the number of provinces.

A province's state, from its ticket: `answered` once staff replied publicly (its first response)
or it was resolved or closed, marked late when that came after the due time; else `late` once
the due time has passed; else `in_progress` when someone claimed it, was given it or moved it
on (open, waiting); else `not_opened`. An answer is a public message of anyone but the
request's sender (the ticket's requester); its files are the answer's files.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from helpdesk import errors
from helpdesk.auth.models import User, is_staff
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.requests.access import Reader, reader_of, require_reader
from helpdesk.requests.models import InfoRequest
from helpdesk.requests.services import NUMBER
from helpdesk.tickets.models import Attachment, Message, Status, Ticket
from helpdesk.tickets.services.visibility import visibility_clause

LIST_LIMIT = 200  # the newest requests a reader's list shows
DONE = (Status.RESOLVED, Status.CLOSED)


class State(enum.StrEnum):
    NOT_OPENED = "not_opened"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    LATE = "late"


@dataclass(frozen=True)
class File:
    """A file of a province's answer."""

    id: int
    ticket_id: int
    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Answer:
    """A public message of a province's answer."""

    ticket_id: int
    body: str
    created_at: datetime


@dataclass(frozen=True)
class ProvinceRow:
    """A province's line of the tracker."""

    province: str  # its code
    name: str
    ticket_id: int
    ticket: str  # the ticket's number
    state: State
    answered_at: datetime | None
    late: bool  # answered after the due time, or not answered by then
    resolution: str  # the outcome written when it was resolved ("" before)
    visible: bool  # the reader may open the ticket
    files: list[File] = field(default_factory=list)


@dataclass(frozen=True)
class Tracker:
    request: InfoRequest
    rows: list[ProvinceRow]
    reader: Reader

    @property
    def counts(self) -> dict[State, int]:
        counts = dict.fromkeys(State, 0)
        for row in self.rows:
            counts[row.state] += 1
        return counts

    @property
    def late_answers(self) -> int:
        return sum(1 for row in self.rows if row.state == State.ANSWERED and row.late)


def state_of(
    *,
    status: str,
    assignee_id: int | None,
    first_responded_at: datetime | None,
    resolved_at: datetime | None,
    closed_at: datetime | None,
    due_at: datetime,
    now: datetime,
) -> tuple[State, datetime | None, bool]:
    """A province's state, when it answered (None: not yet) and whether it is late."""
    answered_at = first_responded_at
    if answered_at is None and status in DONE:
        answered_at = resolved_at or closed_at
    if answered_at is not None:
        return State.ANSWERED, answered_at, answered_at > due_at
    if now > due_at:
        return State.LATE, None, True
    if assignee_id is not None or status != Status.NEW:
        return State.IN_PROGRESS, None, False
    return State.NOT_OPENED, None, False


def answered_clause():
    """A condition over Ticket: its province answered (as state_of says)."""
    return or_(Ticket.first_responded_at.is_not(None), Ticket.status.in_(DONE))


def answer_clause(request_id: int, reader: Reader):
    """The conditions over Message joined to Ticket: the public answers of the request's
    tickets the reader reads (a message of the sender, its requester, is none)."""
    return and_(
        Ticket.request_id == request_id,
        reader.ticket_clause(),
        Message.internal.is_(False),
        or_(Message.author_id.is_(None), Message.author_id != Ticket.requester_id),
    )


def find_request(reader: Reader, number: str) -> InfoRequest:
    """The request with that number the reader reads, with its sender (one query);
    errors.NotFound otherwise (the same answer for "missing" and "not yours")."""
    number = (number or "").strip().upper()
    if not reader.pages or not NUMBER.fullmatch(number):
        raise errors.not_found()
    request = db.session.scalar(
        select(InfoRequest)
        .where(InfoRequest.number == number, reader.clause())
        .options(joinedload(InfoRequest.sender))
    )
    if request is None:
        raise errors.not_found()
    return request


def get_request(user: User, number: str) -> tuple[InfoRequest, Reader]:
    reader = require_reader(user)
    return find_request(reader, number), reader


def list_requests(user: User, *, now: datetime) -> list[tuple[InfoRequest, dict]]:
    """The requests the user reads, newest first (at most LIST_LIMIT), each with its counts:
    `total`, `answered`, `late` (of the provinces the user reads); three queries."""
    reader = require_reader(user)
    requests = list(
        db.session.scalars(
            select(InfoRequest)
            .where(reader.clause())
            .order_by(InfoRequest.created_at.desc(), InfoRequest.id.desc())
            .limit(LIST_LIMIT)
        )
    )
    if not requests:
        return []
    answered = answered_clause()
    late = and_(~answered, InfoRequest.due_at < now)
    rows = db.session.execute(
        select(
            Ticket.request_id,
            func.count(Ticket.id),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
        )
        .join(InfoRequest, InfoRequest.id == Ticket.request_id)
        .where(Ticket.request_id.in_([r.id for r in requests]), reader.ticket_clause())
        .group_by(Ticket.request_id)
    )
    counts = {
        request_id: {"total": total, "answered": done or 0, "late": overdue or 0}
        for request_id, total, done, overdue in rows
    }
    empty = {"total": 0, "answered": 0, "late": 0}
    return [(request, counts.get(request.id, empty)) for request in requests]


def track(user: User, number: str, *, now: datetime) -> Tracker:
    """The request's tracker as the user may read it: a row per province it reads (one for a
    coordinator), in the catalogue's order of provinces, with its answer's files and whether
    the user may open its ticket. errors.NotFound for a request it does not read."""
    request, reader = get_request(user, number)
    return tracker_of(user, request, reader, now=now)


def tracker_of(
    user: User | None, request: InfoRequest, reader: Reader, *, now: datetime
) -> Tracker:
    """The tracker of a request the reader reads; `user` None: no ticket is said to be open to
    anyone (a mail's summary)."""
    tickets = db.session.execute(
        select(
            Ticket.id,
            Ticket.number,
            Ticket.province_code,
            Ticket.status,
            Ticket.assignee_id,
            Ticket.first_responded_at,
            Ticket.resolved_at,
            Ticket.closed_at,
            Ticket.resolution,
        ).where(Ticket.request_id == request.id, reader.ticket_clause())
    ).all()
    files: dict[int, list[File]] = {}
    for row in db.session.execute(answer_files(request.id, reader)):
        files.setdefault(row.ticket_id, []).append(File(*row))
    visible = visible_ticket_ids(user, request.id)
    order = {province.code: rank for rank, province in enumerate(catalogue.provinces())}
    rows = []
    for ticket in sorted(tickets, key=lambda t: (order.get(t.province_code, len(order)), t.id)):
        state, answered_at, late = state_of(
            status=ticket.status,
            assignee_id=ticket.assignee_id,
            first_responded_at=ticket.first_responded_at,
            resolved_at=ticket.resolved_at,
            closed_at=ticket.closed_at,
            due_at=request.due_at,
            now=now,
        )
        rows.append(
            ProvinceRow(
                province=ticket.province_code,
                name=catalogue.province_name(ticket.province_code),
                ticket_id=ticket.id,
                ticket=ticket.number,
                state=state,
                answered_at=answered_at,
                late=late,
                resolution=ticket.resolution or "",
                visible=ticket.id in visible,
                files=files.get(ticket.id, []),
            )
        )
    return Tracker(request, rows, reader)


def answer_files(request_id: int, reader):
    """The files of the request's public answers that the reader reads, oldest first."""
    return (
        select(
            Attachment.id,
            Attachment.ticket_id,
            Attachment.filename,
            Attachment.size,
            Attachment.sha256,
        )
        .join(Message, Message.id == Attachment.message_id)
        .join(Ticket, Ticket.id == Attachment.ticket_id)
        .where(answer_clause(request_id, reader))
        .order_by(Attachment.id)
    )


def visible_ticket_ids(user: User | None, request_id: int) -> set[int]:
    """The request's tickets the user may open (staff: one or two queries; others: none, as
    they open no request's ticket)."""
    if user is None or not is_staff(user):
        return set()
    return set(
        db.session.scalars(
            select(Ticket.id).where(Ticket.request_id == request_id, visibility_clause(user))
        )
    )


def answers(tracker: Tracker) -> dict[int, list[Answer]]:
    """The public answers of the tracker's tickets, by ticket id, oldest first (one query)."""
    found: dict[int, list[Answer]] = {}
    query = (
        select(Message.ticket_id, Message.body, Message.created_at)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(answer_clause(tracker.request.id, tracker.reader))
        .order_by(Message.id)
    )
    for row in db.session.execute(query):
        found.setdefault(row.ticket_id, []).append(Answer(*row))
    return found


def find_file(user: User, number: str, attachment_id: int) -> File:
    """A file of a province's answer to the request that the user reads; errors.NotFound for
    any other (a file of a note, of the sender, of another request or province)."""
    request, reader = get_request(user, number)
    row = db.session.execute(
        answer_files(request.id, reader).where(Attachment.id == attachment_id)
    ).first()
    if row is None:
        raise errors.not_found()
    return File(*row)


@dataclass(frozen=True)
class OnTicket:
    """What a request's ticket page shows of its request."""

    number: str
    title: str
    due_at: datetime
    every_system: bool
    may_track: bool  # the viewer reads the request's tracker


def request_on_ticket(user: User, ticket: Ticket) -> OnTicket | None:
    """The request a ticket of kind `request` answers, as its page shows it (one or two
    queries); None for any other ticket."""
    if not ticket.is_request or ticket.request_id is None:
        return None
    reader = reader_of(user)
    readable = case((reader.clause(), True), else_=False) if reader.pages else None
    columns = [InfoRequest.number, InfoRequest.title, InfoRequest.due_at, InfoRequest.system_code]
    row = db.session.execute(
        select(*columns, *([readable] if readable is not None else [])).where(
            InfoRequest.id == ticket.request_id
        )
    ).first()
    if row is None:
        return None
    return OnTicket(
        number=row[0],
        title=row[1],
        due_at=row[2],
        every_system=row[3] is None,
        may_track=bool(row[4]) if readable is not None else False,
    )
