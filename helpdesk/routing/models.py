"""Queues, their members and the provinces each covers, routing rules, defaults per system."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.auth.models import User
from helpdesk.catalogue.models import Province, System
from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime, utcnow


class QueueKind(enum.StrEnum):
    MINISTRY_IT = "ministry_it"  # the ministry's IT unit
    VENDOR = "vendor"  # the system's vendor (FPT for moj, VNPT for moha)
    PROVINCIAL = "provincial"  # a province's coordinator (Sở Tư pháp, Sở Nội vụ, ...)
    NATIONAL = "national"  # the national digital-transformation agency


class Queue(db.Model):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=QueueKind.MINISTRY_IT)
    system_code: Mapped[str | None] = mapped_column(ForeignKey("systems.code"), index=True)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    email: Mapped[str] = mapped_column(String(254), default="")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The next tier when a ticket of this queue is escalated (e.g. vendor -> ministry IT);
    # a rule's own escalation queue comes first (services.escalation_target). Never a loop.
    escalation_queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    auto_assign: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_members: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    escalation_queue: Mapped[Queue | None] = relationship(remote_side=[id])
    supervisor: Mapped[User | None] = relationship()
    system: Mapped[System | None] = relationship()
    province: Mapped[Province | None] = relationship()

    def __repr__(self) -> str:
        return f"<Queue {self.code}>"


class Membership(db.Model):
    """An agent (or supervisor) in a queue, covering the provinces listed, or every province when
    `all_provinces` says so. Neither: nothing of the queue (only what is assigned to them)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("queue_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    # Every province, as a stated choice: an absent coverage never means "all".
    all_provinces: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    queue: Mapped[Queue] = relationship()
    user: Mapped[User] = relationship()
    coverage: Mapped[list[MembershipProvince]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MembershipProvince.province_code"
    )

    @property
    def province_codes(self) -> set[str]:
        return {c.province_code for c in self.coverage}

    def covers(self, province_code: str) -> bool:
        return self.all_provinces or province_code in self.province_codes


class MembershipProvince(db.Model):
    __tablename__ = "membership_provinces"

    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), primary_key=True)


class Workload(db.Model):
    """How many open tickets are assigned to a person, in any queue (the assignment's measure).

    Kept by database triggers on tickets (migration e7c4f5a6b8d9), whatever writes the ticket:
    never written by the app. No row: none.
    """

    __tablename__ = "workloads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    open_tickets: Mapped[int] = mapped_column(Integer, default=0)


class Rule(db.Model):
    """Conditions (each optional) on a ticket's facts and the queue they send it to."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    system_code: Mapped[str | None] = mapped_column(ForeignKey("systems.code"), index=True)
    category_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    priority: Mapped[int | None] = mapped_column(Integer)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer, default=100)
    priority_override: Mapped[int | None] = mapped_column(Integer)
    # The ticket's next queue when it is escalated while still in `queue`; None: the queue's.
    escalation_queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    queue: Mapped[Queue] = relationship(foreign_keys=[queue_id])
    escalation_queue: Mapped[Queue | None] = relationship(foreign_keys=[escalation_queue_id])

    @property
    def conditions_key(self) -> tuple:
        """What identifies a rule: another with the same conditions would only shadow it."""
        return (self.system_code, self.category_code, self.province_code, self.priority)


class SystemDefault(db.Model):
    """The queue that catches a system's tickets when no rule matches."""

    __tablename__ = "system_defaults"

    system_code: Mapped[str] = mapped_column(ForeignKey("systems.code"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))

    queue: Mapped[Queue] = relationship()
