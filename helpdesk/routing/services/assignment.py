"""Inside a queue: who gets a new ticket, and where a ticket goes when it is escalated."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, or_, select, update

from helpdesk.auth.models import Role, User
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.extensions import db
from helpdesk.routing.models import Membership, MembershipProvince, Queue, Rule, Workload

# Who may work a queue; any other role left in a membership (a demoted account) gets nothing.
STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


def covers(province_code: str):
    """A condition over Membership: it lists no province (all) or lists this one."""
    listed = MembershipProvince.membership_id == Membership.id
    return or_(
        ~exists().where(listed),
        exists().where(listed, MembershipProvince.province_code == province_code),
    )


def choose_assignee(queue_id: int, province_code: str) -> int | None:
    """The member who should get a new ticket of this province, or None (one query).

    Candidates are available members with an active staff account whose coverage includes
    the province (no coverage rows: every province). The fewest open tickets assigned to them
    in any queue wins; ties go to the longest idle (Membership.last_assigned_at, never
    assigned first), then the lowest user id. None when the queue has auto-assignment off or
    nobody qualifies; `Queue.auto_assign` tells the two apart (only the second is the
    supervisor's business).
    """
    # The open tickets are counted as they change (Workload, kept by triggers on tickets):
    # counting them here read thousands of index entries a member at a million tickets.
    open_tickets = func.coalesce(Workload.open_tickets, 0)
    query = (
        select(Membership.user_id)
        .join(Queue, Queue.id == Membership.queue_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Workload, Workload.user_id == Membership.user_id)
        .where(
            Membership.queue_id == queue_id,
            Queue.auto_assign,
            Membership.available,
            User.status == AccountStatus.ACTIVE,
            User.role.in_(STAFF_ROLES),
            covers(province_code),
        )
        .order_by(open_tickets, Membership.last_assigned_at.asc().nulls_first(), Membership.user_id)
        .limit(1)
    )
    return db.session.scalar(query)


def mark_assigned(queue_id: int, user_id: int, now: datetime) -> None:
    """Note that the member just got a ticket (the idle-time tie-break). Does not commit."""
    db.session.execute(
        update(Membership)
        .where(Membership.queue_id == queue_id, Membership.user_id == user_id)
        .values(last_assigned_at=now)
        .execution_options(synchronize_session="fetch")
    )


def escalation_target(queue_id: int, rule_id: int | None) -> int | None:
    """The next queue on the ticket's path, or None when the path ends here.

    The rule that routed the ticket names the next queue while the ticket is still in the
    rule's queue; otherwise (no rule, no escalation queue on it, or the ticket has moved on)
    the current queue's own escalation queue. A deactivated target is skipped in favour of the
    next candidate.
    """
    queue = db.session.get(Queue, queue_id)
    if queue is None:
        return None
    candidates = []
    if rule_id is not None:
        rule = db.session.get(Rule, rule_id)
        if rule is not None and rule.queue_id == queue_id and rule.escalation_queue_id:
            candidates.append(rule.escalation_queue)
    candidates.append(queue.escalation_queue)
    for target in candidates:
        if target is not None and target.active and target.id != queue_id:
            return target.id
    return None
