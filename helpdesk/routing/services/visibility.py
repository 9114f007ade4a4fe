"""Which queues and tickets an agent, a supervisor or an admin may see: the one visibility rule.

Agents (and supervisors) see the tickets of the queues they are members of, limited to the
provinces their membership covers: the provinces listed (`MembershipProvince`), or every
province when the membership says so (`Membership.all_provinces`, a stated choice). A
membership with neither covers nothing: the queue shows that person nothing but what is
assigned to them. Absence never widens what anyone sees. The supervisor of a queue
(`Queue.supervisor_id`) sees the whole queue. Admins see everything. Anyone sees the tickets
assigned to them, wherever those are. Nobody else sees a queue's tickets through routing.

Every list, count, search, page and API answer that shows tickets starts from this rule,
through `tickets.services.access`: `ticket_visibility_clause` (lists, counts, the SLA pages),
`ticket_visibility_branches` (lists read in deadline order), `ticket_visibility_check` (one
ticket, its files, a form naming another ticket). `covers` is the same rule for who may hold a
ticket (assignment) and which members are mailed about it; other ticket mail goes to its
assignee, its requester and its queue's supervisor, who see it. The reports are counts without
any ticket's number or text, national for observers by design.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, event, exists, false, or_, select, true
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, is_staff
from helpdesk.auth.permissions import is_signed_in
from helpdesk.extensions import db
from helpdesk.routing.models import Membership, MembershipProvince, Queue
from helpdesk.tickets.models import Ticket


def _is_staff(user) -> bool:
    """Signed in, active, and of a role that works tickets: whom queues are shown to."""
    return is_signed_in(user) and is_staff(user)


# What the user's memberships and supervised queues say, read once per transaction: the queue
# page asks for them several times (picker, visibility, bulk agents). A flush or the end of the
# transaction forgets them, so a change of membership is seen by the next statement.
MEMO = "routing.staff_queues"
BY_NAME = (Queue.name, Queue.id)


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget_staff_queues(session, *_) -> None:
    session.info.pop(MEMO, None)


def covers(province_code):
    """A condition over Membership: it covers that province (every province, stated, or the
    province listed). A membership listing none and not covering every province covers none.
    Correlated to the enclosing query's membership however deep it sits."""
    listed = exists().where(
        MembershipProvince.membership_id == Membership.id,
        MembershipProvince.province_code == province_code,
    )
    return or_(Membership.all_provinces, listed.correlate_except(MembershipProvince))


def _staff_queues(user) -> list[tuple[Queue, str | None]]:
    """(queue, province) for each queue the user works or supervises, a row per province the
    user covers there; province None means the whole queue. A membership covering nothing gives
    no row. Admins get every queue. One query per transaction."""
    session = db.session()
    memo = session.info.setdefault(MEMO, {})
    if user.id in memo:
        return memo[user.id]
    if user.role == Role.ADMIN:
        rows = [(queue, None) for queue in session.scalars(select(Queue).order_by(*BY_NAME))]
    else:
        query = (
            select(Queue, Membership.all_provinces, MembershipProvince.province_code)
            .outerjoin(
                Membership, and_(Membership.queue_id == Queue.id, Membership.user_id == user.id)
            )
            .outerjoin(MembershipProvince, MembershipProvince.membership_id == Membership.id)
            .where(or_(Membership.id.is_not(None), Queue.supervisor_id == user.id))
            .order_by(*BY_NAME)
        )
        rows = []
        for queue, all_provinces, province_code in session.execute(query):
            if queue.supervisor_id == user.id or all_provinces:
                rows.append((queue, None))
            elif province_code is not None:
                rows.append((queue, province_code))
            # else: a membership covering no province shows nothing of its queue
    memo = session.info.setdefault(MEMO, {})  # the query's autoflush may have forgotten it
    memo[user.id] = rows
    return rows


def covered_provinces(user) -> dict[int, set[str] | None]:
    """Queue id -> the provinces of it the user sees (None: all). One query per transaction.

    Admins get every queue with None. Accounts that are not active staff get {}.
    """
    if not _is_staff(user):
        return {}
    coverage: dict[int, set[str] | None] = {}
    for queue, province_code in _staff_queues(user):
        if province_code is None:
            coverage[queue.id] = None
        elif queue.id not in coverage:
            coverage[queue.id] = {province_code}
        elif coverage[queue.id] is not None:
            coverage[queue.id].add(province_code)
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


def ticket_visibility_check(user, *, user_id=None):
    """The condition of `ticket_visibility_clause(user)` as correlated subqueries over the
    user's memberships and supervised queues, built without a query: for reading one ticket
    (by number or id), where the database checks those few rows for it. Lists keep the clause,
    whose lists of queues and provinces the planner serves from the tickets' indexes.

    `user_id` stands for the user's id in the condition (default: the id itself); a bind
    parameter lets one statement serve every active agent, or every active supervisor.
    """
    if not _is_staff(user):
        return false()
    if user.role == Role.ADMIN:
        return true()
    if user_id is None:
        user_id = user.id
    member = exists().where(
        Membership.user_id == user_id,
        Membership.queue_id == Ticket.queue_id,
        covers(Ticket.province_code),
    )
    supervisor = exists().where(Queue.id == Ticket.queue_id, Queue.supervisor_id == user_id)
    return or_(Ticket.assignee_id == user_id, member, supervisor)


def ticket_visibility_branches(user) -> list | None:
    """The routing visibility as disjoint conditions over `Ticket` whose OR is
    `ticket_visibility_clause(user)`, each one read in deadline order through one index:
    assigned to the user; then, not assigned to the user, one queue (in the provinces the user
    covers there). None for admins (everything), [] for accounts that are not active staff."""
    if not _is_staff(user):
        return []
    if user.role == Role.ADMIN:
        return None
    not_mine = Ticket.assignee_id.is_distinct_from(user.id)
    branches = [Ticket.assignee_id == user.id]
    for queue_id, provinces in sorted(covered_provinces(user).items()):
        in_queue = Ticket.queue_id == queue_id
        if provinces is None:
            branches.append(and_(in_queue, not_mine))
        else:
            branches.append(and_(in_queue, Ticket.province_code.in_(sorted(provinces)), not_mine))
    return branches


def queues_for_user(user) -> list[Queue]:
    """The queues an agent works or supervises, by name, for the queue picker.

    Admins get every active queue; other accounts the queues they belong to or supervise.
    Shares its one query per transaction with `covered_provinces`.
    """
    if not _is_staff(user):
        return []
    queues = {queue.id: queue for queue, _province in _staff_queues(user)}.values()  # by name
    if user.role == Role.ADMIN:
        return [queue for queue in queues if queue.active]
    return list(queues)
