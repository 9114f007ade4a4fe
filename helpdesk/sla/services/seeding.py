"""The default calendar and policies `flask seed` loads (README, "SLA defaults")."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.sla.models import Calendar, Policy
from helpdesk.sla.services.calendars import DEFAULT_CALENDAR, find_calendar

DEFAULT_HOURS = [["07:30", "11:30"], ["13:00", "17:00"]]
# (priority, name, first response, resolution) in business minutes; a business day is 8 h.
DEFAULT_POLICIES = (
    (1, "Mặc định – khẩn cấp", 60, 8 * 60),
    (2, "Mặc định – cao", 4 * 60, 2 * 8 * 60),
    (3, "Mặc định – bình thường", 8 * 60, 5 * 8 * 60),
    (4, "Mặc định – thấp", 2 * 8 * 60, 10 * 8 * 60),
)


def stage_defaults(report) -> None:
    """The default calendar and policies (idempotent: creates only what is missing, never
    changes what an admin edited); does not commit."""
    calendar = find_calendar(DEFAULT_CALENDAR)
    if calendar is None:
        calendar = Calendar(
            name=DEFAULT_CALENDAR,
            timezone=current_app.config["HELPDESK_TIMEZONE"],
            hours=DEFAULT_HOURS,
            workdays=[0, 1, 2, 3, 4],
            public_holidays=True,
        )
        db.session.add(calendar)
        db.session.flush()
        report.count("calendars", created=True)
    existing = set(
        db.session.scalars(
            select(Policy.priority).where(
                Policy.system_code.is_(None), Policy.category_code.is_(None)
            )
        )
    )
    for priority, name, first_response, resolution in DEFAULT_POLICIES:
        if priority in existing:
            continue
        db.session.add(
            Policy(
                name=name,
                priority=priority,
                first_response_minutes=first_response,
                resolution_minutes=resolution,
                warning_percent=75,
                calendar_id=calendar.id,
                notify_supervisor=True,
                raise_priority=False,
                transfer_to_next_queue=False,
                active=True,
            )
        )
        report.count("sla policies", created=True)
