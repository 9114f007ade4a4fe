"""Who staffs a queue: a queue is staffed when its supervisor, or one of its members, is an
active account of a role that works tickets (agent, supervisor, admin). A queue nobody staffs
lets its tickets wait unseen: the tickets package tells the admins instead (mail.on_unstaffed),
and the queue pages and the admin's home list such queues (`unstaffed_queues`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, exists, not_, or_, select

from helpdesk.auth.models import STAFF_ROLES, User
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.extensions import db
from helpdesk.routing.models import Membership, Queue


def staffed() -> ColumnElement[bool]:
    """The condition, on Queue, that someone active works it (its supervisor or a member)."""
    working = and_(User.status == AccountStatus.ACTIVE, User.role.in_(STAFF_ROLES))
    member = exists().where(Membership.queue_id == Queue.id, User.id == Membership.user_id, working)
    supervisor = exists().where(User.id == Queue.supervisor_id, working)
    return or_(member, supervisor)


def unstaffed_queues() -> list[Queue]:
    """The active queues nobody staffs, by name (one query)."""
    query = select(Queue).where(Queue.active, not_(staffed())).order_by(Queue.name, Queue.id)
    return list(db.session.scalars(query))


def unstaffed_among(queue_ids: Iterable[int]) -> set[int]:
    """Which of these queues nobody staffs (one query; none asked, none run)."""
    wanted = set(queue_ids)
    if not wanted:
        return set()
    query = select(Queue.id).where(Queue.id.in_(wanted), not_(staffed()))
    return set(db.session.scalars(query))


def is_staffed(queue_id: int) -> bool:
    """Whether someone active works the queue (one query)."""
    return not unstaffed_among([queue_id])
