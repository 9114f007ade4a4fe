"""Which queues and tickets an agent, a supervisor or an admin may see.

Agents see the tickets of the queues they are members of, limited to the provinces their
membership covers (no coverage rows: every province). The supervisor of a queue
(`Queue.supervisor_id`) sees the whole queue. Admins see everything. Anyone sees the tickets
assigned to them, wherever those are. Nobody else sees a queue's tickets through routing.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import String, and_, cast, false, null, or_, select, true, union_all

from helpdesk.auth.models import Role
from helpdesk.extensions import db
from helpdesk.routing.models import Membership, MembershipProvince, Queue
from helpdesk.tickets.models import Ticket

STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


def _is_staff(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and user.role in STAFF_ROLES
    )


def covered_provinces(user) -> dict[int, set[str] | None]:
    """Queue id -> the provinces of it the user sees (None: all). One query.

    Admins get every queue with None. Accounts that are not active staff get {}.
    """
    if not _is_staff(user):
        return {}
    if user.role == Role.ADMIN:
        return {queue_id: None for queue_id in db.session.scalars(select(Queue.id))}
    memberships = (
        select(Membership.queue_id.label("queue_id"), MembershipProvince.province_code)
        .outerjoin(MembershipProvince, MembershipProvince.membership_id == Membership.id)
        .where(Membership.user_id == user.id)
    )
    # A NULL province means "every province": a membership without coverage, or supervision.
    supervised = select(Queue.id.label("queue_id"), cast(null(), String(2))).where(
        Queue.supervisor_id == user.id
    )
    coverage: dict[int, set[str] | None] = {}
    for queue_id, province_code in db.session.execute(union_all(memberships, supervised)):
        if province_code is None:
            coverage[queue_id] = None
        elif queue_id not in coverage:
            coverage[queue_id] = {province_code}
        elif coverage[queue_id] is not None:
            coverage[queue_id].add(province_code)
    return coverage


def visible_queue_ids(user) -> set[int] | None:
    """The ids of the queues whose tickets (some or all) the user sees; None: all (admins)."""
    if _is_staff(user) and user.role == Role.ADMIN:
        return None
    return set(covered_provinces(user))


def ticket_visibility_clause(user):
    """A condition over `Ticket` (queue_id, province_code, assignee_id) for what routing shows.

    Built with one query (the user's memberships and supervised queues); the tickets service
    ANDs it into its queries: `select(Ticket).where(ticket_visibility_clause(user))`. Admins
    get true(), accounts that are not active staff false(). The tickets service decides what
    requesters see (their own tickets) on its own.
    """
    if not _is_staff(user):
        return false()
    if user.role == Role.ADMIN:
        return true()
    whole: list[int] = []
    by_provinces: dict[frozenset[str], list[int]] = defaultdict(list)
    for queue_id, provinces in covered_provinces(user).items():
        if provinces is None:
            whole.append(queue_id)
        else:
            by_provinces[frozenset(provinces)].append(queue_id)
    clauses = [Ticket.assignee_id == user.id]
    if whole:
        clauses.append(Ticket.queue_id.in_(sorted(whole)))
    for provinces, queue_ids in sorted(by_provinces.items(), key=lambda item: sorted(item[1])):
        clauses.append(
            and_(
                Ticket.queue_id.in_(sorted(queue_ids)), Ticket.province_code.in_(sorted(provinces))
            )
        )
    return or_(*clauses)


def queues_for_user(user) -> list[Queue]:
    """The queues an agent works or supervises, by name, for the queue picker (one query).

    Admins get every active queue; other accounts the queues they belong to or supervise.
    """
    if not _is_staff(user):
        return []
    query = select(Queue).order_by(Queue.name, Queue.id)
    if user.role == Role.ADMIN:
        return list(db.session.scalars(query.where(Queue.active)))
    member = select(Membership.queue_id).where(Membership.user_id == user.id)
    return list(
        db.session.scalars(query.where(or_(Queue.id.in_(member), Queue.supervisor_id == user.id)))
    )
