"""Posting, ending and reading announcements. Admins post them about any system or every system,
the ministry's IT staff about their own systems (posters.py); the home page, the filing form and
the public pages show the current ones to the readers they are for."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from helpdesk import errors, inputs
from helpdesk.announcements.models import Announcement, Audience
from helpdesk.announcements.posters import Posting, require_poster
from helpdesk.auth import permissions
from helpdesk.auth.models import Role, User
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.timeutil import to_local, utcnow

log = logging.getLogger(__name__)

HOME_LIMIT = 5  # the newest current ones; an admin ends the old ones
BANNER_LIMIT = 20  # every system's, on the filing form (a script keeps the chosen system's)
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
    system: str = ""  # a system's code; empty: every system
    starts_on: date | None = None  # the first local day it shows; None: from posting
    ends_on: date | None = None  # the last local day it shows


def _current(now: datetime):
    started = or_(Announcement.starts_at.is_(None), Announcement.starts_at <= now)
    return and_(started, or_(Announcement.ends_at.is_(None), Announcement.ends_at > now))


def audiences_for(user: User | None) -> list[str]:
    """The audiences whose announcements the reader sees: a visitor the public ones, a signed-in
    account those for everyone too, and staff (every account but a unit's officials) those for
    staff as well."""
    if not permissions.is_signed_in(user):
        return [Audience.PUBLIC]
    if user.role in OFFICIALS:
        return [Audience.PUBLIC, Audience.EVERYONE]
    return [Audience.PUBLIC, Audience.EVERYONE, Audience.STAFF]


def banners(
    user: User | None,
    *,
    system_code: str | None = None,
    now: datetime | None = None,
    limit: int = BANNER_LIMIT,
) -> list[Announcement]:
    """The current announcements for the reader (a visitor too), newest first, in one query:
    those about that system or every system (system_code None: about any system). One that
    starts later is not shown yet."""
    now = now or utcnow()
    query = select(Announcement).where(
        _current(now), Announcement.audience.in_(audiences_for(user))
    )
    if system_code is not None:
        query = query.where(
            or_(Announcement.system_code.is_(None), Announcement.system_code == system_code)
        )
    order = (Announcement.created_at.desc(), Announcement.id.desc())
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def current_for(
    user: User | None, *, system_code: str | None = None, now: datetime | None = None
) -> list[Announcement]:
    """The home page's current announcements for the account, newest first (one query; none for
    a visitor who is not signed in)."""
    if not permissions.is_signed_in(user):
        return []
    return banners(user, system_code=system_code, now=now, limit=HOME_LIMIT)


def posting_systems(actor: User) -> tuple[bool, list[catalogue.CachedSystem]]:
    """For the form: whether the actor may post about every system, and the active systems it
    may post about. Raises errors.NotFound when it may post nothing."""
    posting = require_poster(actor)
    return posting.every_system, [s for s in catalogue.systems() if posting.allows(s.code)]


def list_announcements(actor: User) -> list[Announcement]:
    """The announcements the actor may end, newest first: every one for admins, those about
    their systems for the ministry's IT staff. Raises errors.NotFound for anyone else."""
    posting = require_poster(actor)
    query = select(Announcement)
    if not posting.every_system:
        query = query.where(Announcement.system_code.in_(sorted(posting.systems)))
    return list(
        db.session.scalars(
            query.order_by(Announcement.created_at.desc(), Announcement.id.desc()).limit(LIST_LIMIT)
        )
    )


def end_of_local_day(day: date) -> datetime:
    """The first instant after the local day (Asia/Ho_Chi_Minh unless configured)."""
    zone = ZoneInfo(current_app.config["HELPDESK_TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)


def _check_text(draft: AnnouncementDraft) -> tuple[str, str]:
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
    return title, body


def _check_system(posting: Posting, code: str) -> str | None:
    """The system's code, or None for every system, if the poster may post about it."""
    code = code.strip()
    if not code:
        if not posting.every_system:
            raise errors.Invalid(_("Choose the system the announcement is about."), "system")
        return None
    system = catalogue.find_system(code)
    if system is None or not system.active:
        raise errors.Invalid(_("Choose a system from the list."), "system")
    if not posting.allows(code):
        raise errors.Invalid(
            _("You may post announcements only about the systems of your queues."), "system"
        )
    return code


def _check_window(
    draft: AnnouncementDraft, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """(starts_at, ends_at): from the start of the first local day, until the end of the last."""
    today = to_local(now, current_app.config["HELPDESK_TIMEZONE"]).date()
    starts_at = ends_at = None
    if draft.starts_on is not None:
        if draft.starts_on < today:
            raise errors.Invalid(_("The start date is in the past."), "starts_on")
        starts_at = end_of_local_day(draft.starts_on - timedelta(days=1))
    if draft.ends_on is not None:
        if draft.ends_on < today:
            raise errors.Invalid(_("The end date is in the past."), "ends_on")
        if draft.starts_on is not None and draft.ends_on < draft.starts_on:
            raise errors.Invalid(_("The end date is before the start date."), "ends_on")
        ends_at = end_of_local_day(draft.ends_on)
    return starts_at, ends_at


def post_announcement(
    actor: User, draft: AnnouncementDraft, *, now: datetime | None = None
) -> Announcement:
    """Post an announcement, shown from its first day (or now) until the end of its last day
    (or until ended). Commits. Raises errors.NotFound when the actor may post nothing,
    errors.Invalid naming the field at fault (`system` for one not theirs)."""
    posting = require_poster(actor)
    now = now or utcnow()
    title, body = _check_text(draft)
    if draft.audience not in tuple(Audience):
        raise errors.Invalid(_("Choose whom the announcement is for."), "audience")
    system_code = _check_system(posting, draft.system)
    starts_at, ends_at = _check_window(draft, now)
    announcement = Announcement(
        title=title,
        body=body,
        audience=draft.audience,
        system_code=system_code,
        created_at=now,
        created_by_id=actor.id,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    db.session.add(announcement)
    db.session.commit()
    log.info("announcement %s posted by user %s", announcement.id, actor.id)
    return announcement


def is_ended(announcement: Announcement, now: datetime) -> bool:
    return announcement.ends_at is not None and announcement.ends_at <= now


def end_announcement(
    actor: User, announcement_id: int, *, now: datetime | None = None
) -> Announcement:
    """Stop showing an announcement from now on (one not started yet never shows). Commits;
    ending an ended one changes nothing. Raises errors.NotFound for an unknown one or one about
    a system the actor does not post about."""
    posting = require_poster(actor)
    now = now or utcnow()
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or not posting.allows(announcement.system_code):
        raise errors.not_found()
    if not is_ended(announcement, now):
        announcement.ends_at = now
        db.session.commit()
        log.info("announcement %s ended by user %s", announcement.id, actor.id)
    return announcement
