"""What admins change in the SLA: policies and the calendars' days off and make-up working days.

A change applies to deadlines set from then on; deadlines already set keep their instants.
Every process sees it at its next request or job: the commit moves the reference stamp.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors
from helpdesk.auth import permissions
from helpdesk.catalogue.models import Category, System
from helpdesk.extensions import db
from helpdesk.sla.models import Calendar, CalendarDay, Policy

log = logging.getLogger(__name__)

MAX_TARGET_MINUTES = 60 * 8 * 250  # about a working year


@dataclass(frozen=True)
class PolicyDraft:
    """A policy as an admin writes it; codes as in reference/, minutes of business time."""

    name: str
    priority: int
    first_response_minutes: int
    resolution_minutes: int
    calendar_id: int
    system: str | None = None
    category: str | None = None
    warning_percent: int = 75
    notify_supervisor: bool = True
    raise_priority: bool = False
    transfer_to_next_queue: bool = False
    active: bool = True


def list_policies(actor) -> list[Policy]:
    """Every policy, by priority, then from the broadest to the narrowest."""
    permissions.require(actor, "admin.configure")
    rows = db.session.scalars(select(Policy)).all()
    return sorted(
        rows,
        key=lambda p: (p.priority, p.system_code is not None, p.category_code is not None, p.id),
    )


def get_policy(actor, policy_id: int) -> Policy:
    permissions.require(actor, "admin.configure")
    policy = db.session.get(Policy, policy_id)
    if policy is None:
        raise errors.NotFound(_("This policy does not exist."))
    return policy


def check_policy(draft: PolicyDraft, *, policy_id: int | None = None) -> None:
    """Raise errors.Invalid naming each bad field, errors.Conflict for a duplicate."""
    problems: dict[str, str] = {}
    if not (draft.name or "").strip():
        problems["name"] = _("Give the policy a name.")
    elif len(draft.name.strip()) > 200:
        problems["name"] = _("At most %(n)d characters.", n=200)
    if draft.priority not in (1, 2, 3, 4):
        problems["priority"] = _("Choose a priority from 1 (critical) to 4 (low).")
    if draft.system and db.session.get(System, draft.system) is None:
        problems["system"] = _("Unknown system.")
    if draft.category and db.session.get(Category, draft.category) is None:
        problems["category"] = _("Unknown category.")
    for name in ("first_response_minutes", "resolution_minutes"):
        value = getattr(draft, name)
        if isinstance(value, bool) or not isinstance(value, int):
            problems[name] = _("A whole number of minutes.")
        elif not 1 <= value <= MAX_TARGET_MINUTES:
            problems[name] = _("Between 1 and %(n)d minutes.", n=MAX_TARGET_MINUTES)
    if "first_response_minutes" not in problems and "resolution_minutes" not in problems:
        if draft.first_response_minutes > draft.resolution_minutes:
            problems["first_response_minutes"] = _(
                "The first response cannot take longer than the resolution."
            )
    if not 1 <= draft.warning_percent <= 99:
        problems["warning_percent"] = _("Between 1 and 99 percent.")
    if db.session.get(Calendar, draft.calendar_id) is None:
        problems["calendar"] = _("Choose a calendar from the list.")
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    if draft.active:
        same = db.session.scalar(
            select(Policy.id).where(
                Policy.active,
                Policy.priority == draft.priority,
                _same(Policy.system_code, draft.system),
                _same(Policy.category_code, draft.category),
                Policy.id != (policy_id or 0),
            )
        )
        if same is not None:
            raise errors.Conflict(
                _("An active policy already covers this priority, system and category."),
                "priority",
            )


def _same(column, value):
    return column.is_(None) if not value else column == value


def save_policy(actor, draft: PolicyDraft, *, policy_id: int | None = None) -> Policy:
    """Create a policy, or change one (policy_id). Commits.

    Raises errors.Invalid (naming the field) or errors.Conflict when an active policy already
    covers the same priority, system and category.
    """
    policy = get_policy(actor, policy_id) if policy_id is not None else None
    if policy is None:
        permissions.require(actor, "admin.configure")
    check_policy(draft, policy_id=policy_id)
    if policy is None:
        policy = Policy()
        db.session.add(policy)
    policy.name = draft.name.strip()
    policy.priority = draft.priority
    policy.system_code = draft.system or None
    policy.category_code = draft.category or None
    policy.first_response_minutes = draft.first_response_minutes
    policy.resolution_minutes = draft.resolution_minutes
    policy.warning_percent = draft.warning_percent
    policy.calendar_id = draft.calendar_id
    policy.notify_supervisor = draft.notify_supervisor
    policy.raise_priority = draft.raise_priority
    policy.transfer_to_next_queue = draft.transfer_to_next_queue
    policy.active = draft.active
    db.session.commit()
    log.info("SLA policy %s saved by user %s", policy.id, actor.id)
    return policy


def list_calendars(actor) -> list[Calendar]:
    permissions.require(actor, "admin.configure")
    return list(db.session.scalars(select(Calendar).order_by(Calendar.name)))


def get_calendar(actor, calendar_id: int) -> Calendar:
    permissions.require(actor, "admin.configure")
    calendar = db.session.get(Calendar, calendar_id)
    if calendar is None:
        raise errors.NotFound(_("This calendar does not exist."))
    return calendar


def add_calendar_day(
    actor, calendar_id: int, day: date, *, working: bool, note: str = ""
) -> CalendarDay:
    """Declare a day off (working=False) or a make-up working day (working=True). Commits.

    Raises errors.Conflict when that day is already declared (remove it first).
    """
    calendar = get_calendar(actor, calendar_id)
    if not isinstance(day, date):
        raise errors.Invalid(_("Give a date."), "day")
    note = (note or "").strip()
    if len(note) > 200:
        raise errors.Invalid(_("At most %(n)d characters.", n=200), "note")
    if db.session.get(CalendarDay, (calendar.id, day)) is not None:
        raise errors.Conflict(_("This day is already declared; remove it first."), "day")
    row = CalendarDay(calendar_id=calendar.id, day=day, working=working, note=note)
    calendar.days.append(row)
    db.session.commit()
    log.info("calendar %s: %s declared %s", calendar.id, day, "working" if working else "off")
    return row


def remove_calendar_day(actor, calendar_id: int, day: date) -> None:
    """Take back a declared day: it follows the weekly pattern and public holidays again."""
    calendar = get_calendar(actor, calendar_id)
    row = db.session.get(CalendarDay, (calendar.id, day))
    if row is None:
        raise errors.NotFound(_("This day is not declared."))
    calendar.days.remove(row)
    db.session.commit()
