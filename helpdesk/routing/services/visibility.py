"""Which queues a coordinator, an agent, a supervisor or an admin works: the coverage the
visibility of tickets is built from.

Agents (and supervisors) see the tickets of the queues they are members of, limited to the
provinces their membership covers: the provinces listed (`MembershipProvince`), or every
province when the membership says so (`Membership.all_provinces`, a stated choice). A
membership with neither covers nothing: the queue shows that person nothing but what is
assigned to them. Absence never widens what anyone sees. The supervisor of a queue
(`Queue.supervisor_id`) sees the whole queue. Admins see everything. Anyone sees the tickets
assigned to them, wherever those are. Nobody else sees a queue's tickets through routing. A
provincial coordinator's coverage is its membership of its province's queue (`province-<code>`,
kept by `coordinators.stage_coordinator_queue`); the tickets package adds every ticket of its
province, which it reads but works only where this coverage says.

Routing states the rule as plain data, `covered_provinces` (queue id -> the provinces covered,
None for the whole queue), and as `covers`, a condition over Membership; the tickets package
turns them into its conditions over tickets (`tickets.services.visibility`), which every list,
count, search, page and API answer starts from. `covers` is also who may hold a ticket
(assignment) and which members are mailed about it; other ticket mail goes to its assignee, its
requester and its queue's supervisor, who see it. The reports are counts without any ticket's
number or text, national for observers by design.
"""

from __future__ import annotations

from sqlalchemy import and_, event, exists, or_, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, is_staff
from helpdesk.auth.permissions import is_signed_in
from helpdesk.extensions import db
from helpdesk.routing.models import Membership, MembershipProvince, Queue


def is_active_staff(user) -> bool:
    """Signed in, active, and of a role that works tickets: whom queues are shown to."""
    return is_signed_in(user) and is_staff(user)


# What the user's memberships and supervised queues say, read once per transaction: the queue
# page asks for them several times (picker, visibility, bulk agents). A flush or the end of the
# transaction forgets them, so a change of membership is seen by the next statement.
MEMO = "routing.staff_queues"
BY_NAME = (Queue.name, Queue.id)


def _forget_staff_queues(session, *_) -> None:
    session.info.pop(MEMO, None)


def register() -> None:
    """Forget the memo at each flush and transaction end (create_app calls it, once is enough;
    a second call adds nothing)."""
    for name in ("after_flush", "after_transaction_end"):
        if not event.contains(Session, name, _forget_staff_queues):
            event.listen(Session, name, _forget_staff_queues)


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
    if not is_active_staff(user):
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
    if is_active_staff(user) and user.role == Role.ADMIN:
        return None
    return set(covered_provinces(user))


def queues_for_user(user) -> list[Queue]:
    """The queues an agent works or supervises, by name, for the queue picker.

    Admins get every active queue; other accounts the queues they belong to or supervise.
    Shares its one query per transaction with `covered_provinces`.
    """
    if not is_active_staff(user):
        return []
    queues = {queue.id: queue for queue, _province in _staff_queues(user)}.values()  # by name
    if user.role == Role.ADMIN:
        return [queue for queue in queues if queue.active]
    return list(queues)
