"""Every inbound message taken from the mailbox, by its Message-ID: what became of it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime, utcnow


class Outcome(enum.StrEnum):
    ADDED = "added"  # a message on a ticket, or a ticket filed
    REFUSED = "refused"  # not taken in: automatic mail, unknown sender, too big (answered or not)
    SET_ASIDE = "set_aside"  # kept for an admin: a forged reply address, nowhere to go


@dataclass(frozen=True)
class Taken:
    """What became of a message: its outcome, and whether it was taken in by an earlier fetch
    (then nothing was done again)."""

    outcome: Outcome
    again: bool = False


class InboundMail(db.Model):
    """One inbound message, recorded in the transaction that takes it in: fetching it again
    (from the mailbox, after a crash before it was moved) finds its key and adds nothing."""

    __tablename__ = "inbound_mail"
    __table_args__ = (Index("ix_inbound_mail_outcome_received_at", "outcome", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # sha256 of the Message-ID (of the whole message when it has none): one row per message.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str] = mapped_column(String(255), default="")  # as sent, cut to 255
    sender: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32), default="")  # why, as a code (inbound.py)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    # The message as received (in the file store), for one set aside: an admin reads it.
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
