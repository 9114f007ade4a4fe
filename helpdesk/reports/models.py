"""Report cells: tickets counted by local month of creation, system, province and status (with
the dashboard's figures summed) or category, kept exact by triggers on tickets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime

# The local months of the cells: the triggers (migration c5a2d3e4f6b7) spell this zone out.
CELL_TIMEZONE = "Asia/Ho_Chi_Minh"


class ReportCell(db.Model):
    """A month's tickets of a system, province and status, and their figures. Written by the
    database only (triggers on tickets, in the transaction of the write)."""

    __tablename__ = "report_cells"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day, local
    system_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer)
    first_response_met: Mapped[int] = mapped_column(Integer)
    first_response_measured: Mapped[int] = mapped_column(Integer)
    resolution_met: Mapped[int] = mapped_column(Integer)
    resolution_measured: Mapped[int] = mapped_column(Integer)
    breached: Mapped[int] = mapped_column(Integer)
    rating_sum: Mapped[int] = mapped_column(Integer)
    rating_count: Mapped[int] = mapped_column(Integer)


class ReportPlace(db.Model):
    """A month's tickets of a system, province and category. Written by the database only."""

    __tablename__ = "report_places"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day, local
    system_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer)


class DigestRun(db.Model):
    """A period whose digests were all queued (helpdesk/reports/digests): the periodic job,
    finding it, looks no further. Each digest is sent once by its outbox key, not by this."""

    __tablename__ = "digest_runs"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # week, month
    starts_on: Mapped[date] = mapped_column(Date, primary_key=True)  # the period's first day
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    queued: Mapped[int] = mapped_column(Integer)  # digests this run queued (not those before)
