"""Posting, ending and reading announcements. Admins post and end them; the home page shows
the current ones to the accounts they are for."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from helpdesk import errors, inputs
from helpdesk.announcements.models import Announcement, Audience
from helpdesk.auth import permissions
from helpdesk.auth.models import Role, User
from helpdesk.extensions import db
from helpdesk.timeutil import to_local, utcnow

log = logging.getLogger(__name__)

HOME_LIMIT = 5  # the newest current ones; an admin ends the old ones
LIST_LIMIT = 200
TITLE_LIMIT = 200
BODY_LIMIT = 2000
# Officials of a unit: "staff only" announcements are not for them.
OFFICIALS = frozenset({Role.REQUESTER, Role.UNIT_ADMIN})


@dataclass(frozen=True)
class AnnouncementDraft:
    title: str
    body: str = ""
    audience: str = Audience.EVERYONE
    ends_on: date | None = None  # the last local day it shows


def _current(now: datetime):
    return or_(Announcement.ends_at.is_(None), Announcement.ends_at > now)


def current_for(user: User | None, *, now: datetime | None = None) -> list[Announcement]:
    """The current announcements for the account, newest first (one query; none for a visitor
    who is not signed in)."""
    if not permissions.is_signed_in(user):
        return []
    now = now or utcnow()
    audiences = [Audience.EVERYONE]
    if user.role not in OFFICIALS:
        audiences.append(Audience.STAFF)
    return list(
        db.session.scalars(
            select(Announcement)
            .where(_current(now), Announcement.audience.in_(audiences))
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .limit(HOME_LIMIT)
        )
    )


def list_announcements(actor: User) -> list[Announcement]:
    """Every announcement, newest first, for the admins' page."""
    permissions.require(actor, "admin.configure")
    return list(
        db.session.scalars(
            select(Announcement)
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def end_of_local_day(day: date) -> datetime:
    """The first instant after the local day (Asia/Ho_Chi_Minh unless configured)."""
    zone = ZoneInfo(current_app.config["HELPDESK_TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)


def post_announcement(
    actor: User, draft: AnnouncementDraft, *, now: datetime | None = None
) -> Announcement:
    """Post an announcement, shown from now until the end of its last day (or until ended).
    Commits. Raises errors.Invalid naming the field at fault."""
    permissions.require(actor, "admin.configure")
    now = now or utcnow()
    title = " ".join(draft.title.split())
    if not title:
        raise errors.Invalid(_("Enter a title."), "title")
    if len(title) > TITLE_LIMIT:
        raise errors.Invalid(_("The title is too long."), "title")
    inputs.require_readable(title, "title")
    body = draft.body.strip()
    if len(body) > BODY_LIMIT:
        raise errors.Invalid(_("The text is too long."), "body")
    if body:
        inputs.require_readable(body, "body", multiline=True)
    if draft.audience not in tuple(Audience):
        raise errors.Invalid(_("Choose whom the announcement is for."), "audience")
    ends_at = None
    if draft.ends_on is not None:
        if draft.ends_on < to_local(now, current_app.config["HELPDESK_TIMEZONE"]).date():
            raise errors.Invalid(_("The end date is in the past."), "ends_on")
        ends_at = end_of_local_day(draft.ends_on)
    announcement = Announcement(
        title=title,
        body=body,
        audience=draft.audience,
        created_at=now,
        created_by_id=actor.id,
        ends_at=ends_at,
    )
    db.session.add(announcement)
    db.session.commit()
    log.info("announcement %s posted by user %s", announcement.id, actor.id)
    return announcement


def end_announcement(
    actor: User, announcement_id: int, *, now: datetime | None = None
) -> Announcement:
    """Stop showing an announcement from now on. Commits; ending an ended one changes nothing.
    Raises errors.NotFound for an unknown one."""
    permissions.require(actor, "admin.configure")
    now = now or utcnow()
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise errors.NotFound(
            _("The page you asked for does not exist or is not available to you.")
        )
    if announcement.is_current(now):
        announcement.ends_at = now
        db.session.commit()
        log.info("announcement %s ended by user %s", announcement.id, actor.id)
    return announcement
