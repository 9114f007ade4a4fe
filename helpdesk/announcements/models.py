"""An announcement: a title, a plain-text body, whom it is for and until when it shows."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime, utcnow


class Audience(enum.StrEnum):
    EVERYONE = "everyone"  # every signed-in account
    STAFF = "staff"  # accounts that are not officials of a unit (agents, supervisors, ...)
    PUBLIC = "public"  # everyone, visitors who are not signed in too (the directory, help)


class Announcement(db.Model):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(16), default=Audience.EVERYONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The system it is about (a maintenance window, a known problem); None: every system.
    system_code: Mapped[str | None] = mapped_column(ForeignKey("systems.code"), index=True)
    # Shown from then (None: from when it was posted).
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Shown until then (None: until an admin ends it); ending it sets it to the moment ended.
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    def is_current(self, now: datetime) -> bool:
        started = self.starts_at is None or self.starts_at <= now
        return started and (self.ends_at is None or self.ends_at > now)

    def __repr__(self) -> str:
        return f"<Announcement {self.id}>"
