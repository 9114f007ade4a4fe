"""Inside a queue: who gets a new ticket, and where a ticket goes when it is escalated."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select, update

from helpdesk.auth.models import STAFF_ROLES, User
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.extensions import db
from helpdesk.routing.models import Membership, Queue, QueueKind, Rule, SystemDefault, Workload
from helpdesk.routing.services.visibility import covers

# Who may work a queue; any other role left in a membership (a demoted account) gets nothing.


def choose_assignee(queue_id: int, province_code: str) -> int | None:
    """The member who should get a new ticket of this province, or None (one query).

    Candidates are available members with an active staff account whose coverage includes
    the province (`visibility.covers`: listed, or every province as a stated choice). The
    fewest open tickets assigned to them in any queue wins; ties go to the longest idle
    (Membership.last_assigned_at, never assigned first), then the lowest user id. None when the
    queue has auto-assignment off or nobody qualifies; `Queue.auto_assign` tells the two apart
    (only the second is the supervisor's business).
    """
    return db.session.scalar(
        assignee_query(), {"queue_id": queue_id, "province_code": province_code}
    )


@cache
def assignee_query():
    """choose_assignee's query, built once per process (building it anew each time was a good
    part of the call's cost); its parameters are queue_id and province_code."""
    # The open tickets are counted as they change (Workload, kept by triggers on tickets):
    # counting them here read thousands of index entries a member at a million tickets.
    open_tickets = func.coalesce(Workload.open_tickets, 0)
    return (
        select(Membership.user_id)
        .join(Queue, Queue.id == Membership.queue_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Workload, Workload.user_id == Membership.user_id)
        .where(
            Membership.queue_id == bindparam("queue_id"),
            Queue.auto_assign,
            Membership.available,
            User.status == AccountStatus.ACTIVE,
            User.role.in_(STAFF_ROLES),
            covers(bindparam("province_code")),
        )
        .order_by(open_tickets, Membership.last_assigned_at.asc().nulls_first(), Membership.user_id)
        .limit(1)
    )


def stage_last_assigned(queue_id: int, user_id: int, now: datetime) -> None:
    """Note that the member just got a ticket (the idle-time tie-break). Does not commit."""
    db.session.execute(
        last_assigned_statement(), {"member_queue": queue_id, "member": user_id, "now": now}
    )


@cache
def last_assigned_statement():
    """stage_last_assigned's UPDATE, built once per process."""
    return (
        update(Membership)
        .where(
            Membership.queue_id == bindparam("member_queue"),
            Membership.user_id == bindparam("member"),
        )
        .values(last_assigned_at=bindparam("now"))
        .execution_options(synchronize_session="fetch")
    )


def escalation_target(
    queue_id: int, rule_id: int | None, *, system_code: str | None = None
) -> int | None:
    """The next queue on the ticket's path, or None when the path ends here.

    The rule that routed the ticket names the next queue while the ticket is still in the
    rule's queue; otherwise (no rule, no escalation queue on it, or the ticket has moved on)
    the current queue's own escalation queue. A provincial queue with neither hands the
    ticket of `system_code` to that system's default queue (its ministry IT unit, `<system>-it`):
    the province handles what it can and passes the rest on by tier. A deactivated target is
    skipped in favour of the next candidate.
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
    if queue.kind == QueueKind.PROVINCIAL and system_code is not None:
        default = db.session.get(SystemDefault, system_code)
        candidates.append(default.queue if default is not None else None)
    for target in candidates:
        if target is not None and target.active and target.id != queue_id:
            return target.id
    return None
