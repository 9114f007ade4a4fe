"""A directory entry: one organisation or person who answers a system's questions, where."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime, utcnow


class Kind(enum.StrEnum):
    IT_UNIT = "it_unit"  # the ministry's IT unit
    VENDOR = "vendor"  # the system's vendor (FPT, VNPT, ...)
    COORDINATOR = "coordinator"  # the province's coordinating department
    FOCAL_POINT = "focal_point"  # a named person


class Handles(enum.StrEnum):
    """What an entry answers; an entry handles one or more."""

    TECHNICAL = "technical"
    BUSINESS = "business"
    ACCOUNTS = "accounts"
    PAYMENTS = "payments"


class DirectoryEntry(db.Model):
    __tablename__ = "directory_entries"
    __table_args__ = (Index("ix_directory_entries_place", "system_code", "province_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None: every system (a province's coordinator for all of them).
    system_code: Mapped[str | None] = mapped_column(ForeignKey("systems.code"))
    # None: the whole country (a ministry's IT unit, a vendor's national desk).
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=Kind.FOCAL_POINT)
    organisation: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200), default="")  # a person's name, or ""
    phone: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    hours: Mapped[str] = mapped_column(String(200), default="")
    # Handles values, comma-separated in a fixed order ("technical,payments").
    handles: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Folded (text.fold) organisation, name, phone, email and note: the search ignores diacritics.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Loaded by `flask seed` from the reference data (updated by it until someone edits it).
    seeded: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def handled(self) -> list[str]:
        return [value for value in self.handles.split(",") if value]

    def __repr__(self) -> str:
        return f"<DirectoryEntry {self.id}>"
