"""The one way code asks the time: aware UTC instants, local dates for display and numbering."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local(instant: datetime, timezone: str = "Asia/Ho_Chi_Minh") -> datetime:
    return ensure_aware(instant).astimezone(ZoneInfo(timezone))


def from_local(wall_time: datetime, timezone: str = "Asia/Ho_Chi_Minh") -> datetime:
    """A local wall-clock time as a form gives it (naive) as an aware UTC instant."""
    return wall_time.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def ensure_aware(instant: datetime) -> datetime:
    """SQLite hands back naive datetimes; every instant we store is UTC."""
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC instant on both databases (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use timeutil.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        return None if value is None else ensure_aware(value).astimezone(UTC)
