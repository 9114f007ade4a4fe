"""SLA policies, business calendars (working hours, days off, make-up days), pending timers
and the notices of deadlines reached."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime


class Calendar(db.Model):
    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    # [["07:30", "11:30"], ["13:00", "17:00"]]
    hours: Mapped[list] = mapped_column(JSON)
    workdays: Mapped[list] = mapped_column(JSON)  # Monday = 0
    public_holidays: Mapped[bool] = mapped_column(Boolean, default=True)

    days: Mapped[list[CalendarDay]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class CalendarDay(db.Model):
    """An admin's exception: a day off (working=False) or a make-up working day (working=True)."""

    __tablename__ = "calendar_days"

    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")


class Policy(db.Model):
    """Targets for a priority, optionally narrowed to a system and/or category."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, index=True)
    system_code: Mapped[str | None] = mapped_column(ForeignKey("systems.code"))
    category_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    warning_percent: Mapped[int] = mapped_column(Integer, default=75)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id"))
    # Escalation steps after a breach.
    notify_supervisor: Mapped[bool] = mapped_column(Boolean, default=True)
    raise_priority: Mapped[bool] = mapped_column(Boolean, default=False)
    transfer_to_next_queue: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    calendar: Mapped[Calendar] = relationship(lazy="joined")


class TimerKind(enum.StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class TimerStage(enum.StrEnum):
    WARNING = "warning"
    BREACH = "breach"


class Timer(db.Model):
    """A pending SLA timer: when to warn about or breach one deadline of a ticket.

    Only pending timers have a row (at most four per open ticket); a row goes when its timer
    fires or its deadline stops running, so the sweep's scan of `fire_at` costs what is due,
    not what exists. The RQ job scheduled at `fire_at` is the fast path; this row is the truth.
    """

    __tablename__ = "sla_timers"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    stage: Mapped[str] = mapped_column(String(8), primary_key=True)
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the deadline it belongs to

    def __repr__(self) -> str:
        return f"<Timer {self.ticket_id} {self.kind} {self.stage} {self.fire_at:%Y-%m-%d %H:%M}>"


class Notice(db.Model):
    """A deadline's warning point or breach that came due, still to be claimed and told: the
    sweep moves each due timer here (and nothing else, so that it stays short whatever is due);
    the announcing job claims it (sets the ticket's marker if that deadline still runs), writes
    the event and the mail, and deletes it, in one transaction of its own. No foreign key: the
    claim reads the ticket, and a notice of a ticket that is gone claims nothing.
    """

    __tablename__ = "sla_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(8))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the deadline reached
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the sweep found it due
