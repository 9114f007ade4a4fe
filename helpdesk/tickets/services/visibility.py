"""Who sees which tickets: the conditions over Ticket that pages, search, exports, the SLA pages
and the API start from.

Requesters (and unit admins) see the tickets they filed, the tickets they follow and, when their
unit chose it (`Unit.members_see_tickets`), every ticket of their unit; observers none (they
read aggregated reports); admins all. Agents and supervisors see what routing's coverage says
(`routing.covered_provinces`, `routing.covers`): the tickets of the queues they are members
of, in the provinces their membership covers, the whole of the queues they supervise, and
wherever it is, every ticket assigned to them. A provincial coordinator sees the same and,
besides, every ticket of its province (`User.province_code`) in every queue: it reads those,
it works only its own queue's (`access.can_work`). Accounts that are not active staff see
nothing through it.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, and_, exists, false, or_, select, true

from helpdesk.auth.models import Role, Unit, User
from helpdesk.routing import services as routing
from helpdesk.routing.models import Membership, Queue
from helpdesk.tickets.follower_models import Follower
from helpdesk.tickets.models import Ticket

OFFICIALS = (Role.REQUESTER, Role.UNIT_ADMIN)

# The roles whose visibility is routing's coverage (plus a coordinator's province).
WORKERS = (Role.COORDINATOR, Role.AGENT, Role.SUPERVISOR)


def visibility_clause(user: User):
    """A condition over Ticket: requesters their own; agents their queues and provinces."""
    if user.role == Role.ADMIN:
        return true()
    if user.role in WORKERS:
        return staff_visibility_clause(user)
    if user.role in OFFICIALS:
        return or_(*official_branches(user))
    return false()  # observers read aggregated reports only


def visibility_check(user: User, *, user_id=None, province=None):
    """`visibility_clause(user)` for reading one ticket: for staff, correlated subqueries the
    database checks for that ticket instead of lists read first (one query fewer). Not for
    lists, which the clause's lists serve through the tickets' indexes.

    `user_id` stands for the user's id in the condition (default: the id itself), `province`
    for a coordinator's province (default: the province itself); with bind parameters, the
    condition is the same for every user of one role and account status, and so may be built
    once for them all.
    """
    who = user.id if user_id is None else user_id
    if user.role in WORKERS:
        return staff_visibility_check(user, user_id=who, province=province)
    if user.role in OFFICIALS:
        return official_check(who)
    return visibility_clause(user)  # admins everything, observers nothing: no id in it


def visibility_branches(user: User) -> list | None:
    """The visibility clause as conditions over Ticket whose OR it is, each served in list
    order by one index (see `staff_visibility_branches`); None: every ticket."""
    if user.role == Role.ADMIN:
        return None
    if user.role in WORKERS:
        return staff_visibility_branches(user)
    if user.role in OFFICIALS:
        return official_branches(user)
    return []


def visible_tickets(user: User) -> Select:
    return select(Ticket).where(visibility_clause(user))


def followed_by(user_id):
    """The ids of the tickets the user follows (read through the followers' user index)."""
    return select(Follower.ticket_id).where(Follower.user_id == user_id)


def unit_shares_tickets(user: User) -> bool:
    """Whether the official's unit chose that its members see all of its tickets (the unit is
    loaded with the account: no query)."""
    return user.unit_id is not None and user.unit is not None and user.unit.members_see_tickets


def official_branches(user: User) -> list:
    """A requester's or unit admin's tickets as disjoint conditions over Ticket: filed by them;
    followed by them (not theirs); of their unit when it shares its tickets (neither)."""
    not_mine = Ticket.requester_id != user.id
    followed = Ticket.id.in_(followed_by(user.id))
    branches = [Ticket.requester_id == user.id, and_(followed, not_mine)]
    if unit_shares_tickets(user):
        branches.append(and_(Ticket.unit_id == user.unit_id, not_mine, ~followed))
    return branches


def official_check(user_id):
    """`official_branches` for reading one ticket, as conditions the database checks for it
    alone: the follower row by its key, the viewer's unit and its choice by theirs. `user_id`
    may be a bind parameter (one statement for every official)."""
    follows = exists().where(Follower.ticket_id == Ticket.id, Follower.user_id == user_id)
    of_unit = exists().where(
        User.id == user_id,
        User.unit_id == Ticket.unit_id,
        Unit.id == User.unit_id,
        Unit.members_see_tickets.is_(True),
    )
    return or_(Ticket.requester_id == user_id, follows, of_unit)


def staff_visibility_clause(user: User):
    """What routing's coverage shows the user, as a condition over Ticket (queue_id,
    province_code, assignee_id), built with one query (the user's memberships and supervised
    queues). Admins get true(), accounts that are not active staff false()."""
    if not routing.is_active_staff(user):
        return false()
    if user.role == Role.ADMIN:
        return true()
    whole: list[int] = []
    by_provinces: dict[frozenset[str], list[int]] = defaultdict(list)
    for queue_id, provinces in routing.covered_provinces(user).items():
        if provinces is None:
            whole.append(queue_id)
        else:
            by_provinces[frozenset(provinces)].append(queue_id)
    clauses = [Ticket.assignee_id == user.id]
    province = coordinated_province(user)
    if province is not None:
        clauses.append(Ticket.province_code == province)
    if whole:
        clauses.append(Ticket.queue_id.in_(sorted(whole)))
    for provinces, queue_ids in sorted(by_provinces.items(), key=lambda item: sorted(item[1])):
        clauses.append(
            and_(
                Ticket.queue_id.in_(sorted(queue_ids)), Ticket.province_code.in_(sorted(provinces))
            )
        )
    return or_(*clauses)


def staff_visibility_check(user: User, *, user_id=None, province=None):
    """The condition of `staff_visibility_clause(user)` as correlated subqueries over the
    user's memberships and supervised queues, built without a query: for reading one ticket
    (by number or id), where the database checks those few rows for it. Lists keep the clause,
    whose lists of queues and provinces the planner serves from the tickets' indexes.

    `user_id` stands for the user's id in the condition (default: the id itself), `province`
    for a coordinator's province (default: the province itself); bind parameters let one
    statement serve every active agent, or every active supervisor, or every active
    coordinator.
    """
    if not routing.is_active_staff(user):
        return false()
    if user.role == Role.ADMIN:
        return true()
    if user_id is None:
        user_id = user.id
    member = exists().where(
        Membership.user_id == user_id,
        Membership.queue_id == Ticket.queue_id,
        routing.covers(Ticket.province_code),
    )
    supervisor = exists().where(Queue.id == Ticket.queue_id, Queue.supervisor_id == user_id)
    clauses = [Ticket.assignee_id == user_id, member, supervisor]
    if user.role == Role.COORDINATOR:
        clauses.append(
            Ticket.province_code == (user.province_code if province is None else province)
        )
    return or_(*clauses)


def staff_visibility_branches(user: User) -> list | None:
    """Routing's coverage as disjoint conditions over `Ticket` whose OR is
    `staff_visibility_clause(user)`, each one read in deadline order through one index:
    assigned to the user; then, not assigned to the user, one queue (in the provinces the user
    covers there); for a coordinator, first its province in every queue, then each queue outside
    it. None for admins (everything), [] for accounts that are not active staff."""
    if not routing.is_active_staff(user):
        return []
    if user.role == Role.ADMIN:
        return None
    not_mine = Ticket.assignee_id.is_distinct_from(user.id)
    branches = [Ticket.assignee_id == user.id]
    province = coordinated_province(user)
    if province is not None:
        branches.append(and_(Ticket.province_code == province, not_mine))
    for queue_id, provinces in sorted(routing.covered_provinces(user).items()):
        in_queue = [Ticket.queue_id == queue_id, not_mine]
        if provinces is not None:
            provinces = provinces - {province}
            if not provinces:
                continue  # all of it in the province's branch
            in_queue.append(Ticket.province_code.in_(sorted(provinces)))
        elif province is not None:
            in_queue.append(Ticket.province_code != province)
        branches.append(and_(*in_queue))
    return branches


def coordinated_province(user: User) -> str | None:
    """The province whose every ticket the user sees: a coordinator's own; None for others."""
    if user.role != Role.COORDINATOR:
        return None
    return user.province_code or None
