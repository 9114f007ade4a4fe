"""The outbox: one row per message, written in the transaction of the change that causes it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent (again, at next_attempt_at)
    SENDING = "sending"  # claimed by a send job at claimed_at
    SENT = "sent"
    FAILED = "failed"  # refused for good, or still failing after the retry window


class Outbox(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # one event, one recipient
    template: Mapped[str] = mapped_column(String(64))
    to: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    essential: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    give_up_at: Mapped[datetime] = mapped_column(UTCDateTime())  # end of the retry window
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(120))  # "host:pid" of the sender
    last_error: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Outbox {self.id} {self.template} {self.status}>"
