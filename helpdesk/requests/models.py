"""A request with a due date, sent to chosen provinces: one ticket of kind `request` each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime, utcnow


class InfoRequest(db.Model):
    """What was asked, of whom, by when. The provinces' answers are the tickets whose
    `request_id` names it (Ticket.kind == request), one per province."""

    __tablename__ = "info_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # YC-<year>-<6 digits>
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The system it is about (None: every system, e.g. from the national agency).
    system_code: Mapped[str | None] = mapped_column(ForeignKey("systems.code"))
    due_on: Mapped[date] = mapped_column(Date)  # the last local day to answer
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # that day's end of working hours
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The template file sent with it (also attached to each province's ticket), or "".
    template_filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    template_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    template_content_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    template_size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    sender: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<InfoRequest {self.number}>"
