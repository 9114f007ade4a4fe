"""Tickets, their messages, attachments and events; the yearly number counter (followers:
follower_models)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.auth.models import Unit, User
from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db
from helpdesk.routing.models import Queue
from helpdesk.timeutil import UTCDateTime, utcnow


class Status(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING_REQUESTER = "waiting_requester"
    WAITING_THIRD_PARTY = "waiting_third_party"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = (
    Status.NEW,
    Status.OPEN,
    Status.WAITING_REQUESTER,
    Status.WAITING_THIRD_PARTY,
)
# The condition of the partial indexes that hold open tickets only (as SQL, for both databases).
OPEN_CONDITION = text(f"status IN ({', '.join(repr(str(status)) for status in OPEN_STATUSES)})")


class Kind(enum.StrEnum):
    """What a ticket is: an official's problem; an incident (one fault that many tickets
    report: the tickets attached to it point at it with `parent_id`); or a province's copy of
    a request with a due date (helpdesk/requests: `request_id` names the request)."""

    TICKET = "ticket"
    INCIDENT = "incident"
    REQUEST = "request"


# The condition of the partial index of open incidents (as SQL, for both databases).
OPEN_INCIDENT_CONDITION = text(f"kind = 'incident' AND {OPEN_CONDITION.text}")
# The condition of the partial index of every incident, open or not (the reports' incidents).
INCIDENT_CONDITION = text("kind = 'incident'")
REQUEST_CONDITION = text("kind = 'request'")


class Source(enum.StrEnum):
    """Where a ticket or a message came from (shown to staff; the queue filters on it)."""

    WEB = "web"
    API = "api"
    EMAIL = "email"
    PHONE = "phone"


class Priority(enum.IntEnum):
    CRITICAL = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4


class TicketCounter(db.Model):
    """The last number given in a year (local date): HT-<year>-<6 digits>."""

    __tablename__ = "ticket_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("requester_id", "submission_key"),
        # The agent queue: open tickets of a queue by deadline.
        Index("ix_tickets_queue_id_status_resolution_due", "queue_id", "status", "resolution_due"),
        Index("ix_tickets_requester_id_status", "requester_id", "status"),
        Index("ix_tickets_assignee_id_status", "assignee_id", "status"),
        # Plain: a column that changes as the ticket is worked (an SLA marker, a rating) and
        # sits in no index lets PostgreSQL update the row in place, writing no index.
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_status_resolved_at", "status", "resolved_at"),
        # The agent queue reads each visible queue, and the agent's own tickets, in list order
        # (deadline, priority, id) and stops at the page's end. The included columns let it
        # check the agent's provinces and the assignee without reading the rows.
        Index(
            "ix_tickets_open_queue_id_resolution_due",
            "queue_id",
            "resolution_due",
            "priority",
            "id",
            postgresql_include=["province_code", "assignee_id"],
            postgresql_where=OPEN_CONDITION,
            sqlite_where=OPEN_CONDITION,
        ),
        # Also what auto-assignment counts each member's open tickets from, in the index alone.
        Index(
            "ix_tickets_open_assignee_id_resolution_due",
            "assignee_id",
            "resolution_due",
            "priority",
            "id",
            postgresql_where=OPEN_CONDITION,
            sqlite_where=OPEN_CONDITION,
        ),
        # The demo tickets (few, or none): whether any exists is one index probe.
        Index(
            "ix_tickets_demo",
            "id",
            postgresql_where=text("demo"),
            sqlite_where=text("demo"),
        ),
        # The open incidents of a system (few): what the filing form and the banners match.
        Index(
            "ix_tickets_open_incidents",
            "system_code",
            "id",
            postgresql_where=OPEN_INCIDENT_CONDITION,
            sqlite_where=OPEN_INCIDENT_CONDITION,
        ),
        # The incidents by declaration (few): the reports' incidents of a period.
        Index(
            "ix_tickets_incidents_created_at",
            "created_at",
            postgresql_where=INCIDENT_CONDITION,
            sqlite_where=INCIDENT_CONDITION,
        ),
        # The requests' tickets (few), which the figures leave out as they do the incidents.
        Index(
            "ix_tickets_requests_created_at",
            "created_at",
            postgresql_where=REQUEST_CONDITION,
            sqlite_where=REQUEST_CONDITION,
        ),
        # Room on each page for a row's next version: an update that changes no indexed column
        # then stays on its page and writes no index (PostgreSQL's HOT update).
        {"postgresql_with": {"fillfactor": 80}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=Kind.TICKET, server_default="ticket")
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    system_code: Mapped[str] = mapped_column(ForeignKey("systems.code"), index=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    unit: Mapped[str] = mapped_column(String(200), default="")  # the unit's name, as filed
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # The ticket's number in another desk (the ministry's service desk, a vendor's tracker).
    external_ref: Mapped[str] = mapped_column(String(100), default="", server_default="")
    dossier_code: Mapped[str] = mapped_column(String(60), default="")
    procedure_code: Mapped[str] = mapped_column(String(60), default="")
    priority: Mapped[int] = mapped_column(Integer, default=Priority.NORMAL)
    status: Mapped[str] = mapped_column(String(24), default=Status.NEW, index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id", ondelete="SET NULL"))
    # The incident this ticket is attached to (a ticket of kind incident), or None.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # A ticket of kind request: the request it answers for its province.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("info_requests.id"), index=True)
    submission_key: Mapped[str | None] = mapped_column(String(64))  # one ticket per form
    # Where it was filed from; a call's number to call back and the staff who took the call.
    source: Mapped[str] = mapped_column(String(16), default=Source.WEB, server_default="web")
    callback_phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # SLA: deadlines in business time; the resolution clock pauses while waiting on the requester.
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolution_due: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    sla_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sla_remaining_minutes: Mapped[int | None] = mapped_column(Integer)  # resolution, while paused
    first_response_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_response_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The outcome told to the requester when it was resolved ("" before, or when none was given).
    resolution: Mapped[str] = mapped_column(Text, default="", server_default="")
    # An incident's expected time of repair, as its latest update said (None: not said).
    expected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Lower-case, without diacritics: number, subject, description, unit, codes.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Made by `flask user demo` on the embedded default (tickets/services/demo.py).
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    queue: Mapped[Queue] = relationship()
    system: Mapped[System] = relationship()
    category: Mapped[Category] = relationship()
    province: Mapped[Province] = relationship()
    unit_record: Mapped[Unit | None] = relationship()
    parent: Mapped[Ticket | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    merged_into: Mapped[Ticket | None] = relationship(
        remote_side=[id], foreign_keys=[merged_into_id]
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="ticket", order_by="Message.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="ticket", order_by="Event.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="ticket", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    incident_provinces: Mapped[list[IncidentProvince]] = relationship(
        order_by="IncidentProvince.province_code", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_incident(self) -> bool:
        return self.kind == Kind.INCIDENT

    @property
    def is_request(self) -> bool:
        return self.kind == Kind.REQUEST

    @property
    def scope(self) -> list[str]:
        """An incident's provinces (codes, sorted); empty: the whole country."""
        return [row.province_code for row in self.incident_provinces]

    def __repr__(self) -> str:
        return f"<Ticket {self.number} {self.status}>"


# What the figures count as tickets (volume, SLA, ratings, the SLA pages, the issue list): the
# officials' problems, not the incidents nor the requests' tickets. Said as "not one of those"
# (their few ids, read through their partial indexes and hashed) rather than as a test of
# `kind`: reaching that column, at the row's end, cost a third more than the rest of a read.
_OTHERS = Ticket.__table__.alias("other_ids")
ISSUES_ONLY = Ticket.id.not_in(
    union_all(
        *(
            select(_OTHERS.c.id).where(_OTHERS.c.kind == literal_column(f"'{kind}'"))
            for kind in (Kind.INCIDENT, Kind.REQUEST)
        )
    )
)


class IncidentProvince(db.Model):
    """A province an incident is limited to; an incident without any concerns every province."""

    __tablename__ = "incident_provinces"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), primary_key=True)


class Message(db.Model):
    """A public reply or an internal note (never shown to requesters, by any path)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default=Source.WEB)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    search_text: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.id"
    )


class Attachment(db.Model):
    """A file stored content-addressed (sha256) outside static/, served only as a download."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")
    message: Mapped[Message | None] = relationship(back_populates="attachments")


class EventKind(enum.StrEnum):
    """What happened to a ticket (Event.kind), each with the keys of its data (Event.data).

    Queue and user ids name rows that may since be gone; instants are ISO strings in UTC.
    """

    CREATED = "created"  # filed: {}; a request's ticket: {request: the request's number}
    ROUTED = "routed"  # {queue_id, rule_id (None: the system's default queue), reason}
    # {assignee_id (None: unassigned)}, with {automatic: True} when routing chose
    ASSIGNED = "assigned"
    # Nobody could take it: {queue_id, supervisor_id (the supervisor told, or None)}; events
    # written before supervisor_id was recorded lack it (they said the supervisor was told).
    UNASSIGNED = "unassigned"
    # The queue has no active supervisor or member: {queue_id, admins (how many were mailed)}
    UNSTAFFED = "unstaffed"
    STATUS_CHANGED = "status_changed"  # {old, new, reason?} (reason: words or a code)
    NOTE_ADDED = "note_added"  # an internal note: {} (the note is a message)
    TRANSFERRED = "transferred"  # by staff: {from_queue_id, to_queue_id, reason}
    # To the next tier: as TRANSFERRED; or after a missed deadline, the priority raised:
    # {step: "priority", clock (first_response | resolution), old, new}
    ESCALATED = "escalated"
    REROUTED = "rerouted"  # routed again after a change of facts: as TRANSFERRED
    PRIORITY_CHANGED = "priority_changed"  # {old, new}
    FACTS_CHANGED = "facts_changed"  # {old, new}: each [system, category, province]
    MERGED = "merged"  # this ticket merged into another: {into: its number}
    MERGED_IN = "merged_in"  # another merged into this one: {source: its number}
    # Attached to an incident or detached: {parent: the incident's number, None: detached},
    # with {reason: "reopened"} when the requester's reopening detached it
    LINKED = "linked"
    # A ticket filed by its requester's or a follower's mail to this one once closed: on the new
    # ticket {of: the closed ticket's number}, on the closed one {by: the new ticket's number}
    FOLLOW_UP = "follow_up"
    # On an incident: declared {tickets: how many attached}; tickets attached {count};
    # an update posted to its tickets {tickets: how many it reached, resolve: bool}
    INCIDENT_DECLARED = "incident_declared"
    INCIDENT_ATTACHED = "incident_attached"
    INCIDENT_UPDATED = "incident_updated"
    RATED = "rated"  # {rating: 1 to 5}
    SLA_WARNING = "sla_warning"  # {clock, due}
    SLA_BREACHED = "sla_breached"  # {clock, due, supervisor_id (told, or None)}
    # {user_id}, with {source: the merged ticket's number} when a merge made them follow it
    FOLLOWER_ADDED = "follower_added"
    FOLLOWER_REMOVED = "follower_removed"  # {user_id}
    EXTERNAL_REF_CHANGED = "external_ref_changed"  # {old, new} ("" for none)


class Event(db.Model):
    """The ticket's history: one row per thing that happened to it (kinds: EventKind)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
