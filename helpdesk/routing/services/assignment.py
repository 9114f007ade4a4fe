"""Inside a queue: who gets a new ticket, and where a ticket goes when it is escalated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import and_, bindparam, select, update

from helpdesk.auth.models import STAFF_ROLES, User
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.extensions import db
from helpdesk.routing.models import Membership, Queue, QueueKind, Rule, SystemDefault, Workload
from helpdesk.routing.services.visibility import covers


@dataclass(frozen=True, slots=True)
class Member:
    """An available member of a queue who covers a province, as assignment weighs them."""

    user: User
    open_tickets: int  # in any queue (Workload)
    last_assigned_at: datetime | None

    @property
    def takes_tickets(self) -> bool:
        """An active staff account: any other role left in a membership (a demoted account)
        gets nothing."""
        return self.user.status == AccountStatus.ACTIVE and self.user.role in STAFF_ROLES

    def turn(self) -> tuple:
        """Who goes first: the fewest open tickets, then the longest idle (never assigned
        first), then the lowest user id."""
        idle = self.last_assigned_at
        return (self.open_tickets, idle is not None, idle, self.user.id)


def queue_members(queue_id: int, province_code: str) -> tuple[Queue | None, list[Member]]:
    """The queue, and its available members who cover the province (`visibility.covers`:
    listed, or every province as a stated choice) by user id, with one query: who may get a
    new ticket of the province (pick_assignee) and who hears of it (the queue's alert).
    (None, []) for an unknown queue."""
    rows = db.session.execute(
        queue_members_query(), {"queue_id": queue_id, "province_code": province_code}
    ).all()
    if not rows:
        return None, []
    queue = rows[0][0]
    return queue, [Member(user, count or 0, last) for _q, user, count, last in rows if user]


@cache
def queue_members_query():
    """queue_members' query, built once per process; its parameters are queue_id and
    province_code. The open tickets are counted as they change (Workload, kept by triggers on
    tickets): counting them here read thousands of index entries a member at a million
    tickets."""
    return (
        select(Queue, User, Workload.open_tickets, Membership.last_assigned_at)
        .select_from(Queue)
        .outerjoin(
            Membership,
            and_(
                Membership.queue_id == Queue.id,
                Membership.available,
                covers(bindparam("province_code")),
            ),
        )
        .outerjoin(User, User.id == Membership.user_id)
        .outerjoin(Workload, Workload.user_id == Membership.user_id)
        .where(Queue.id == bindparam("queue_id"))
        .order_by(Membership.user_id)
    )


def pick_assignee(queue: Queue | None, members: list[Member]) -> User | None:
    """The member who should get a new ticket of the queue (members: queue_members'), or None
    when the queue has auto-assignment off or nobody qualifies; `Queue.auto_assign` tells the
    two apart (only the second is the supervisor's business)."""
    if queue is None or not queue.auto_assign:
        return None
    candidates = [member for member in members if member.takes_tickets]
    return min(candidates, key=Member.turn).user if candidates else None


def choose_assignee(queue_id: int, province_code: str) -> int | None:
    """The id of the member who should get a new ticket of this province, or None (one query;
    see pick_assignee)."""
    chosen = pick_assignee(*queue_members(queue_id, province_code))
    return chosen.id if chosen is not None else None


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
