"""Registrations waiting for approval, as their approvers are told of them: the count beside
the menu's Accounts link, the list on the home page, and at most one mail an hour per approver
(run by the periodic job; the time of the last mail is kept in registration_digests)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, false, func, or_, select

from helpdesk.auth import permissions
from helpdesk.auth.models import RegistrationDigest, Role, Status, Unit, User
from helpdesk.catalogue.models import Province
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch, queue_email
from helpdesk.notifications.rendering import link
from helpdesk.timeutil import to_local, utcnow

log = logging.getLogger(__name__)

DIGEST_INTERVAL = timedelta(hours=1)  # at most one mail per approver in this time
MAIL_LIMIT = 50  # registrations named in one mail; the rest are counted
HOME_LIMIT = 10


@dataclass(frozen=True)
class Waiting:
    """A registration waiting for approval, as its approvers see it."""

    id: int
    full_name: str
    role: str
    unit_id: int | None
    unit: str
    province: str
    waiting_since: datetime  # when its address was confirmed (else its registration)


def waiting_clause(approver: User):
    """A condition over User: the registrations `approver` may decide that wait for it."""
    waiting = User.status == Status.PENDING_APPROVAL
    if not permissions.can(approver, "accounts.approve"):
        return false()
    if approver.role == Role.ADMIN:
        return and_(waiting, User.id != approver.id)
    if approver.role == Role.UNIT_ADMIN and approver.unit_id is not None:
        return and_(
            waiting,
            User.role == Role.REQUESTER,
            User.unit_id == approver.unit_id,
            User.id != approver.id,
        )
    return false()


def count_waiting(approver: User) -> int:
    """How many registrations wait for `approver` (one statement; none for who may not
    approve)."""
    if not permissions.can(approver, "accounts.approve"):
        return 0
    return db.session.scalar(select(func.count(User.id)).where(waiting_clause(approver))) or 0


def _waiting_query():
    return (
        select(
            User.id,
            User.full_name,
            User.role,
            User.unit_id,
            func.coalesce(Unit.name, "").label("unit"),
            func.coalesce(Province.name, "").label("province"),
            func.coalesce(User.email_verified_at, User.created_at).label("waiting_since"),
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(Province, Province.code == User.province_code)
        .where(User.status == Status.PENDING_APPROVAL)
        .order_by(User.created_at, User.id)
    )


def waiting_for(approver: User, *, limit: int = HOME_LIMIT) -> list[Waiting]:
    """The registrations waiting for `approver`, oldest first (one query)."""
    if not permissions.can(approver, "accounts.approve"):
        return []
    rows = db.session.execute(_waiting_query().where(waiting_clause(approver)).limit(limit))
    return [Waiting(**row._asdict()) for row in rows]


def is_for(approver: User, item: Waiting) -> bool:
    """Whether `approver` may decide the waiting registration (permissions.can_approve, on the
    values of the list)."""
    if item.id == approver.id:
        return False
    if approver.role == Role.ADMIN:
        return True
    return (
        approver.role == Role.UNIT_ADMIN
        and approver.unit_id is not None
        and item.role == Role.REQUESTER
        and item.unit_id == approver.unit_id
    )


def mail_waiting_registrations(*, now: datetime | None = None) -> int:
    """Mail each approver the registrations waiting for them: at most one mail in
    DIGEST_INTERVAL, and only when one of them came after the approver's last such mail.
    Commits; returns how many mails were queued. A constant number of queries to decide, plus
    the rows written."""
    now = now or utcnow()
    waiting = [Waiting(**row._asdict()) for row in db.session.execute(_waiting_query())]
    if not waiting:
        return 0
    unit_ids = sorted({item.unit_id for item in waiting if item.unit_id is not None})
    approvers = db.session.execute(
        select(User, RegistrationDigest)
        .outerjoin(RegistrationDigest, RegistrationDigest.user_id == User.id)
        .where(
            User.status == Status.ACTIVE,
            User.email != "",
            or_(
                User.role == Role.ADMIN,
                and_(User.role == Role.UNIT_ADMIN, User.unit_id.in_(unit_ids))
                if unit_ids
                else false(),
            ),
        )
        .order_by(User.id)
    ).all()
    rows = []
    for approver, digest in approvers:
        theirs = [item for item in waiting if is_for(approver, item)]
        if not theirs or not is_due(digest, theirs, now):
            continue
        rows.append(queue_digest(approver, theirs, now))
        if digest is None:
            db.session.add(RegistrationDigest(user_id=approver.id, sent_at=now))
        else:
            digest.sent_at = now
    if not rows:
        return 0
    db.session.commit()
    dispatch(rows)
    log.info("waiting registrations mailed to %s approvers", len(rows))
    return len(rows)


def is_due(digest: RegistrationDigest | None, theirs: list[Waiting], now: datetime) -> bool:
    """Never mailed; or mailed DIGEST_INTERVAL ago or more, and one of them came since."""
    if digest is None:
        return True
    if now - digest.sent_at < DIGEST_INTERVAL:
        return False
    return any(item.waiting_since > digest.sent_at for item in theirs)


def queue_digest(approver: User, theirs: list[Waiting], now: datetime):
    timezone = current_app.config["HELPDESK_TIMEZONE"]
    return queue_email(
        template="registrations_waiting",
        to=approver.email,
        language=approver.language,
        context={
            "full_name": approver.full_name,
            "count": len(theirs),
            "more": max(0, len(theirs) - MAIL_LIMIT),
            "registrations": [
                {
                    "full_name": item.full_name,
                    "unit": item.unit,
                    "province": item.province,
                    "since": to_local(item.waiting_since, timezone).strftime("%H:%M %d/%m/%Y"),
                }
                for item in theirs[:MAIL_LIMIT]
            ],
            "url": link("accounts.pending"),
        },
        # One an hour at most, even if two sweeps ran at once.
        key=f"registrations-waiting:{approver.id}:{now:%Y%m%d%H}",
        user_id=approver.id,
    )
