"""Registrations waiting for approval, as their approvers are told of them: the count beside
the menu's Accounts link, the list on the home page, and at most one mail an hour per approver
(run by the periodic job; the time of the last mail is kept in registration_digests).

A registration is addressed to the people who know the applicant: the active unit admins of
the applicant's unit; where the unit has none, the active coordinators of its province; where
the province has none, the admins. The count, the home page and the mail are for the addressed
approvers only; the accounts page lists what each approver may decide (permissions.can_approve)
and says who was asked for those addressed to someone else.
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import aliased

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


class Tier(enum.StrEnum):
    """Who a waiting registration is addressed to, nearest to the applicant first."""

    UNIT_ADMIN = "unit_admin"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


@dataclass(frozen=True)
class Waiting:
    """A registration waiting for approval, as its approvers see it."""

    id: int
    full_name: str
    role: str
    unit_id: int | None
    province_code: str | None
    unit: str
    province: str
    waiting_since: datetime  # when its address was confirmed (else its registration)


@dataclass(frozen=True)
class Addressed:
    """The approvers a waiting registration is addressed to: the unit admins or coordinators
    by id and name, or (tier admin) every admin."""

    tier: Tier
    approver_ids: frozenset[int] = frozenset()
    names: tuple[str, ...] = ()

    def includes(self, approver: User) -> bool:
        if self.tier == Tier.ADMIN:
            return approver.role == Role.ADMIN
        return approver.id in self.approver_ids


def _has_unit_admin():
    """A condition over User: the registration is a requester's whose unit has an active unit
    admin (one correlated sub-select)."""
    unit_admin = aliased(User)
    return and_(
        User.role == Role.REQUESTER,
        select(unit_admin.id)
        .where(
            unit_admin.role == Role.UNIT_ADMIN,
            unit_admin.status == Status.ACTIVE,
            unit_admin.unit_id == User.unit_id,
        )
        .exists(),
    )


def _has_coordinator():
    """A condition over User: the registration's province has an active coordinator."""
    coordinator = aliased(User)
    return (
        select(coordinator.id)
        .where(
            coordinator.role == Role.COORDINATOR,
            coordinator.status == Status.ACTIVE,
            coordinator.province_code == User.province_code,
        )
        .exists()
    )


def waiting_clause(approver: User):
    """A condition over User: the registrations that wait for `approver`, those addressed to
    it (see the module's docstring)."""
    waiting = and_(User.status == Status.PENDING_APPROVAL, User.id != approver.id)
    if not permissions.can(approver, "accounts.approve"):
        return false()
    if approver.role == Role.ADMIN:
        return and_(waiting, ~_has_unit_admin(), ~_has_coordinator())
    if approver.role == Role.COORDINATOR and approver.province_code is not None:
        return and_(
            waiting,
            User.province_code == approver.province_code,
            User.role.in_(permissions.COORDINATOR_GRANTS),
            ~_has_unit_admin(),
        )
    if approver.role == Role.UNIT_ADMIN and approver.unit_id is not None:
        return and_(waiting, User.role == Role.REQUESTER, User.unit_id == approver.unit_id)
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
            User.province_code,
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


def _approvers_condition(registrations: Iterable, *, admins: bool):
    """A condition over User: the active approvers a registration of `registrations` may be
    addressed to (their units' unit admins, their provinces' coordinators, the admins)."""
    registrations = list(registrations)
    unit_ids = sorted({r.unit_id for r in registrations if r.unit_id is not None})
    provinces = sorted({r.province_code for r in registrations if r.province_code})
    parts = [User.role == Role.ADMIN] if admins else []
    if unit_ids:
        parts.append(and_(User.role == Role.UNIT_ADMIN, User.unit_id.in_(unit_ids)))
    if provinces:
        parts.append(and_(User.role == Role.COORDINATOR, User.province_code.in_(provinces)))
    return and_(User.status == Status.ACTIVE, or_(*parts)) if parts else false()


class _Approvers:
    """The active unit admins by unit and coordinators by province, to address registrations."""

    def __init__(self, approvers: Iterable[User]) -> None:
        self.unit_admins: dict[int, list[User]] = defaultdict(list)
        self.coordinators: dict[str, list[User]] = defaultdict(list)
        for approver in approvers:
            if approver.status != Status.ACTIVE:
                continue
            if approver.role == Role.UNIT_ADMIN and approver.unit_id is not None:
                self.unit_admins[approver.unit_id].append(approver)
            elif approver.role == Role.COORDINATOR and approver.province_code:
                self.coordinators[approver.province_code].append(approver)

    def address(self, registration) -> Addressed:
        """Who `registration` (a Waiting or a User) is addressed to."""
        people, tier = [], Tier.ADMIN
        if registration.role == Role.REQUESTER and registration.unit_id is not None:
            people, tier = self.unit_admins.get(registration.unit_id, []), Tier.UNIT_ADMIN
        if not people and registration.province_code:
            people, tier = self.coordinators.get(registration.province_code, []), Tier.COORDINATOR
        if not people:
            return Addressed(Tier.ADMIN)
        people = sorted(people, key=lambda person: person.id)
        return Addressed(
            tier,
            frozenset(person.id for person in people),
            tuple(person.full_name for person in people),
        )


def addressed(registrations: Iterable[User]) -> dict[int, Addressed]:
    """Who each registration (of a page of them) is addressed to, by its id (one query; none
    for no registration)."""
    registrations = list(registrations)
    if not registrations:
        return {}
    approvers = _Approvers(
        db.session.scalars(select(User).where(_approvers_condition(registrations, admins=False)))
    )
    return {registration.id: approvers.address(registration) for registration in registrations}


def mail_waiting_registrations(*, now: datetime | None = None) -> int:
    """Mail each approver the registrations addressed to them: at most one mail in
    DIGEST_INTERVAL, and only when one of them came after the approver's last such mail.
    Commits; returns how many mails were queued. A constant number of queries to decide, plus
    the rows written."""
    now = now or utcnow()
    waiting = [Waiting(**row._asdict()) for row in db.session.execute(_waiting_query())]
    if not waiting:
        return 0
    found = db.session.execute(
        select(User, RegistrationDigest)
        .outerjoin(RegistrationDigest, RegistrationDigest.user_id == User.id)
        .where(_approvers_condition(waiting, admins=True))
        .order_by(User.id)
    ).all()
    approvers = _Approvers(approver for approver, _digest in found)
    admin_ids = [approver.id for approver, _digest in found if approver.role == Role.ADMIN]
    theirs_by_id: dict[int, list[Waiting]] = defaultdict(list)
    for item in waiting:
        addressee = approvers.address(item)
        for approver_id in admin_ids if addressee.tier == Tier.ADMIN else addressee.approver_ids:
            theirs_by_id[approver_id].append(item)
    rows = []
    for approver, digest in found:
        theirs = theirs_by_id.get(approver.id, [])
        if not approver.email or not theirs or not is_due(digest, theirs, now):
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
