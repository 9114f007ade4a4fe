"""Queues and their members, as an admin configures them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from helpdesk import errors, reference_cache
from helpdesk.auth import permissions
from helpdesk.auth import services as accounts
from helpdesk.auth.models import STAFF_ROLES, User
from helpdesk.catalogue.models import Province, System
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.routing.models import Membership, MembershipProvince, Queue, QueueKind, Rule
from helpdesk.routing.services.offers import stage_offers

CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


@dataclass(frozen=True)
class QueueDraft:
    """A queue as the admin form (or a script) describes it; codes as in reference/."""

    code: str
    name: str
    kind: str = QueueKind.MINISTRY_IT
    system_code: str | None = None
    province_code: str | None = None
    email: str = ""
    supervisor: str = ""  # login name (CCCD@domain); empty: none
    escalation_queue_id: int | None = None
    auto_assign: bool = True
    notify_members: bool = True
    active: bool = True


@dataclass(frozen=True)
class QueueRow:
    queue: Queue
    members: int
    rules: int


def list_queues(actor: User, *, kind: str | None = None) -> list[QueueRow]:
    """Every queue (or those of a kind) with its member and rule counts; two queries."""
    permissions.require(actor, "admin.configure")
    members = (
        select(func.count(Membership.id)).where(Membership.queue_id == Queue.id).scalar_subquery()
    )
    rules = select(func.count(Rule.id)).where(Rule.queue_id == Queue.id).scalar_subquery()
    query = (
        select(Queue, members, rules)
        .options(
            joinedload(Queue.supervisor),
            joinedload(Queue.escalation_queue),
            joinedload(Queue.system),
            joinedload(Queue.province),
        )
        .order_by(Queue.kind, Queue.code)
    )
    if kind:
        query = query.where(Queue.kind == kind)
    return [
        QueueRow(queue, n_members, n_rules)
        for queue, n_members, n_rules in db.session.execute(query)
    ]


@dataclass(frozen=True, slots=True)
class CachedQueue:
    """A queue as the cache keeps it: its columns as plain values, no relationships."""

    id: int
    code: str
    name: str
    kind: str
    system_code: str | None
    province_code: str | None
    email: str
    supervisor_id: int | None
    escalation_queue_id: int | None
    auto_assign: bool
    notify_members: bool
    active: bool


def _load_queues() -> tuple[CachedQueue, ...]:
    columns = [Queue.__table__.c[column.name] for column in fields(CachedQueue)]
    rows = db.session.execute(select(*columns).order_by(Queue.code))
    return tuple(CachedQueue(*row) for row in rows)


_queues = reference_cache.register("routing.queues", _load_queues)
_by_id = reference_cache.register("routing.queues_by_id", lambda: {q.id: q for q in _queues()})


def all_queues() -> list[CachedQueue]:
    """Every queue by code, for pickers; from process memory."""
    return list(_queues())


def queues_by_id() -> dict[int, CachedQueue]:
    """Every queue by id (names for pages and history); from process memory."""
    return _by_id()


def queue_names(queue_ids: Iterable[int]) -> dict[int, str]:
    """The names of the queues with those ids (unknown ids left out); no query."""
    known = queues_by_id()
    return {queue_id: known[queue_id].name for queue_id in queue_ids if queue_id in known}


def get_queue(actor: User, queue_id: int) -> Queue:
    """The queue, for its admin pages; errors.NotFound if missing or not for this actor."""
    permissions.require(actor, "admin.configure")
    queue = db.session.get(Queue, queue_id)
    if queue is None:
        raise errors.NotFound(_("No such queue."))
    return queue


def find_staff(username: str, *, field: str) -> User:
    """The active staff account of a login name; errors.Invalid on `field` otherwise."""
    user = accounts.find_user(username.strip()) if username.strip() else None
    if user is None or not user.is_active or user.role not in STAFF_ROLES:
        raise errors.Invalid(
            _("No active agent, supervisor or admin account has that login name."), field
        )
    return user


def _escalation_loops(queue_id: int | None, target_id: int) -> bool:
    """Whether following escalation links from target leads back to the queue (or loops)."""
    links = dict(db.session.execute(select(Queue.id, Queue.escalation_queue_id)).all())
    seen = set()
    current: int | None = target_id
    while current is not None:
        if current == queue_id or current in seen:
            return True
        seen.add(current)
        current = links.get(current)
    return False


def check_escalation(queue_id: int | None, target_id: int | None, *, field: str) -> None:
    """Refuse an escalation queue that does not exist or would bring tickets back in a loop."""
    if target_id is None:
        return
    if db.session.get(Queue, target_id) is None:
        raise errors.Invalid(_("Choose a queue from the list."), field)
    if target_id == queue_id or _escalation_loops(queue_id, target_id):
        raise errors.Invalid(
            _("Escalating there would bring tickets back to this queue in a loop."), field
        )


def save_queue(actor: User, draft: QueueDraft, *, queue_id: int | None = None) -> Queue:
    """Create a queue (queue_id None) or update one. Commits.

    Raises errors.Invalid naming the field, errors.Conflict (code) for a taken code.
    """
    permissions.require(actor, "admin.configure")
    queue = get_queue(actor, queue_id) if queue_id is not None else Queue()
    code = draft.code.strip().lower()
    if not CODE_PATTERN.fullmatch(code):
        raise errors.Invalid(
            _("1 to 40 lower-case letters, digits, hyphens or underscores."), "code"
        )
    taken = db.session.scalar(select(Queue.id).where(Queue.code == code))
    if taken is not None and taken != queue_id:
        raise errors.Conflict(_("Another queue has this code."), "code")
    name = draft.name.strip()
    if not name or len(name) > 200:
        raise errors.Invalid(_("Enter a name of at most 200 characters."), "name")
    if draft.kind not in set(QueueKind):
        raise errors.Invalid(_("Choose a kind from the list."), "kind")
    if draft.system_code and db.session.get(System, draft.system_code) is None:
        raise errors.Invalid(_("Choose a system from the list."), "system")
    if draft.province_code and db.session.get(Province, draft.province_code) is None:
        raise errors.Invalid(_("Choose a province from the list."), "province")
    email = draft.email.strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise errors.Invalid(_("Enter a valid e-mail address."), "email") from error
    supervisor = (
        find_staff(draft.supervisor, field="supervisor") if draft.supervisor.strip() else None
    )
    check_escalation(queue_id, draft.escalation_queue_id, field="escalation_queue")
    queue.code = code
    queue.name = name
    queue.kind = draft.kind
    queue.system_code = draft.system_code or None
    queue.province_code = draft.province_code or None
    queue.email = email
    queue.supervisor_id = supervisor.id if supervisor else None
    queue.escalation_queue_id = draft.escalation_queue_id
    queue.auto_assign = draft.auto_assign
    queue.notify_members = draft.notify_members
    queue.active = draft.active
    if queue_id is None:
        db.session.add(queue)
    db.session.commit()
    return queue


# ---------------------------------------------------------------- memberships


def list_members(actor: User, queue_id: int) -> list[Membership]:
    """The queue's members with their accounts and coverage; two queries."""
    get_queue(actor, queue_id)
    query = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .options(joinedload(Membership.user), selectinload(Membership.coverage))
        .where(Membership.queue_id == queue_id)
        .order_by(User.full_name, User.id)
    )
    return list(db.session.scalars(query))


def _check_provinces(codes: Iterable[str], *, field: str = "provinces") -> set[str]:
    codes = {code.strip() for code in codes if code and code.strip()}
    if not codes:
        return set()
    known = set(db.session.scalars(select(Province.code).where(Province.code.in_(codes))))
    if codes - known:
        raise errors.Invalid(_("Choose provinces from the list."), field)
    return codes


def check_coverage(
    provinces: Iterable[str], *, all_provinces: bool, field: str = "provinces"
) -> set[str]:
    """The province codes a membership is to cover: some listed, or none with `all_provinces`.

    Coverage is always stated: errors.Invalid on `field` for neither (a membership that covers
    nothing would look like one that covers everything to whoever reads the form) or both,
    and for an unknown code.
    """
    codes = _check_provinces(provinces, field=field)
    if all_provinces and codes:
        raise errors.Invalid(_("Choose some provinces or all provinces, not both."), field)
    if not all_provinces and not codes:
        raise errors.Invalid(_("Choose the provinces this member covers, or all provinces."), field)
    return codes


def _set_coverage(membership: Membership, codes: set[str], *, all_provinces: bool) -> None:
    membership.all_provinces = all_provinces
    current = {row.province_code: row for row in membership.coverage}
    for code in set(current) - codes:
        membership.coverage.remove(current[code])
    for code in sorted(codes - set(current)):
        membership.coverage.append(MembershipProvince(province_code=code))


def add_member(
    actor: User,
    queue_id: int,
    username: str,
    *,
    provinces: Iterable[str] = (),
    all_provinces: bool = False,
    available: bool = True,
) -> Membership:
    """Put a staff account in the queue, covering those provinces, or every province with
    `all_provinces` (one or the other: see check_coverage), and offer it the queue's waiting
    unassigned tickets (offers.stage_offers: one mail). Commits.

    Raises errors.Invalid (username, provinces), errors.Conflict if already a member.
    """
    queue = get_queue(actor, queue_id)
    user = find_staff(username, field="username")
    codes = check_coverage(provinces, all_provinces=all_provinces)
    exists = db.session.scalar(
        select(Membership.id).where(Membership.queue_id == queue.id, Membership.user_id == user.id)
    )
    if exists is not None:
        raise errors.Conflict(_("This account is already a member of the queue."), "username")
    membership = Membership(queue_id=queue.id, user_id=user.id, available=available)
    _set_coverage(membership, codes, all_provinces=all_provinces)
    membership.user = user
    db.session.add(membership)
    db.session.flush()
    outbox = stage_offers([membership])
    db.session.commit()
    dispatch(outbox)
    return membership


def get_membership(actor: User, membership_id: int) -> Membership:
    permissions.require(actor, "admin.configure")
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        raise errors.NotFound(_("No such membership."))
    return membership


def update_membership(
    actor: User,
    membership_id: int,
    *,
    provinces: Iterable[str],
    all_provinces: bool,
    available: bool,
) -> Membership:
    """Change the provinces a member covers (some, or every province with `all_provinces`: see
    check_coverage) and whether they take new tickets. Commits.

    Raises errors.Invalid (provinces).
    """
    membership = get_membership(actor, membership_id)
    codes = check_coverage(provinces, all_provinces=all_provinces)
    _set_coverage(membership, codes, all_provinces=all_provinces)
    membership.available = available
    db.session.commit()
    return membership


def remove_membership(actor: User, membership_id: int) -> Queue:
    """Take the member out of the queue (their assigned tickets stay theirs). Commits."""
    membership = get_membership(actor, membership_id)
    queue = membership.queue
    db.session.delete(membership)
    db.session.commit()
    return queue


def find_queue(reference: str) -> Queue | None:
    """The active queue with that code (e.g. `moj-it`) or exact name; None if there is none."""
    return db.session.scalar(
        select(Queue).where(Queue.active, (Queue.code == reference) | (Queue.name == reference))
    )


def stage_enrolment(
    user: User, queue: Queue, *, provinces: Iterable[str] = (), all_provinces: bool = False
) -> Membership:
    """An operator's enrolment (the CLI): the account joins the queue covering those provinces,
    or every province with `all_provinces` (one or the other: see check_coverage, whose
    errors.Invalid it raises). No commit; a membership that exists is returned as it is."""
    codes = check_coverage(provinces, all_provinces=all_provinces)
    membership = db.session.scalar(
        select(Membership).where(Membership.queue_id == queue.id, Membership.user_id == user.id)
    )
    if membership is None:
        membership = Membership(queue_id=queue.id, user_id=user.id, available=True)
        _set_coverage(membership, codes, all_provinces=all_provinces)
        membership.user = user
        db.session.add(membership)
    return membership
