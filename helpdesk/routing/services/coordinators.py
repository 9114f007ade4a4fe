"""A provincial coordinator's place in routing: a member of its province's queue
(`province-<code>`, made by `flask seed`) covering that province, from the moment the account
is made; moved when its province changes, removed when it is no longer a coordinator."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors
from helpdesk.auth import services as accounts
from helpdesk.auth.models import Role, User
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.routing.models import Membership, Queue
from helpdesk.routing.services.offers import stage_offers
from helpdesk.routing.services.queues import stage_enrolment


def provincial_queue_code(province_code: str) -> str:
    return f"province-{province_code}"


def provincial_queue(province_code: str | None, *, field: str = "province") -> Queue:
    """The active queue of the province's coordinators; errors.Invalid on `field` when the
    province has none (the defaults not loaded, or the queue deactivated)."""
    queue = None
    if province_code:
        queue = db.session.scalar(
            select(Queue).where(Queue.code == provincial_queue_code(province_code), Queue.active)
        )
    if queue is None:
        raise errors.Invalid(
            _("This province has no coordinators' queue (province-%(code)s).", code=province_code),
            field,
        )
    return queue


def stage_coordinator_queue(
    user: User, *, previous_role: str | None = None, previous_province: str | None = None
) -> list[Membership]:
    """Fit the account's memberships to its role and province: a coordinator is a member of
    its province's queue covering that province; an account that coordinated another
    province (`previous_role`, `previous_province`) leaves that province's queue. Returns the
    memberships it made (to be offered the queue's waiting tickets). No commit; errors.Invalid
    (province) when the province has no coordinators' queue."""
    was_coordinator = previous_role == Role.COORDINATOR and previous_province
    moved = user.role != Role.COORDINATOR or user.province_code != previous_province
    if was_coordinator and moved:
        left = db.session.scalar(
            select(Membership)
            .join(Queue, Queue.id == Membership.queue_id)
            .where(
                Queue.code == provincial_queue_code(previous_province),
                Membership.user_id == user.id,
            )
        )
        if left is not None:  # its assigned tickets stay its own, as on the members page
            db.session.delete(left)
    if user.role != Role.COORDINATOR:
        return []
    queue = provincial_queue(user.province_code)
    existing = db.session.scalar(
        select(Membership.id).where(Membership.queue_id == queue.id, Membership.user_id == user.id)
    )
    if existing is not None:
        return []
    return [stage_enrolment(user, queue, provinces=[user.province_code])]


def change_role(
    actor: User,
    user_id: int,
    *,
    role: str,
    province_code: str | None,
    edits_articles: bool = False,
    sends_requests: bool = False,
) -> User:
    """An admin gives an account another role or province, makes a staff account an editor
    of help articles or not and an observer a sender of requests or not; a coordinator's
    membership of its province's queue follows (made, moved or removed), and a new one is
    offered the queue's waiting tickets. Commits. Raises as auth's stage_role_change does,
    and errors.Invalid (province) when the province has no coordinators' queue."""
    change = accounts.stage_role_change(
        actor,
        user_id,
        role=role,
        province_code=province_code,
        edits_articles=edits_articles,
        sends_requests=sends_requests,
    )
    try:
        memberships = stage_coordinator_queue(
            change.user,
            previous_role=change.previous_role,
            previous_province=change.previous_province,
        )
        db.session.flush()
        outbox = stage_offers(memberships)
    except errors.HelpdeskError:
        db.session.rollback()
        raise
    db.session.commit()
    dispatch(outbox)
    return change.user
