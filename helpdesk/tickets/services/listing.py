"""Ticket lists: the requester's, the agent's queue, search; one count and one page query."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Row, Select, and_, exists, false, func, or_, select, union_all
from sqlalchemy.orm import joinedload, lazyload

from helpdesk import text
from helpdesk.auth.models import Unit, User, is_staff
from helpdesk.extensions import db
from helpdesk.tickets.models import OPEN_STATUSES, Message, Ticket
from helpdesk.tickets.services import postgres
from helpdesk.tickets.services.sla_state import state_filter
from helpdesk.tickets.services.visibility import followed_by, visibility_branches
from helpdesk.timeutil import utcnow

MAX_PER_PAGE = 100
Item = TypeVar("Item")


@dataclass(frozen=True)
class TicketFilters:
    """What a list asks for; None means "not given". `status` "open" means every open status."""

    status: str | None = None
    queue_id: int | None = None
    province: str | None = None
    category: str | None = None
    system: str | None = None
    unit: str | None = None  # a listed unit's code
    sla_state: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    mine: bool = False  # assigned to the caller (staff) / filed by the caller (requester)
    following: bool = False  # followed by the caller
    my_unit: bool = False  # of the caller's unit
    source: str | None = None  # where it was filed from (Source)
    q: str = ""


@dataclass
class Page(Generic[Item]):
    """A page of a list. `total` is exact unless the count stopped at its limit
    (`total_is_exact` False: there are more than `total`, and the number of pages is unknown)."""

    items: list[Item]
    total: int
    page: int
    per_page: int
    has_next: bool = False
    total_is_exact: bool = True

    @property
    def pages(self) -> int | None:
        if not self.total_is_exact:
            return None
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def search_clause(user: User, query: str, *, only_symbols: bool = False):
    """Every word must appear (without diacritics, any case) in the ticket or one of the
    messages the user may read; internal notes count only for staff. A substring match (LIKE):
    on PostgreSQL, with `only_symbols`, only for the terms without a letter or digit."""
    conditions = []
    staff = is_staff(user)
    for term in text.search_terms(query):
        if only_symbols and text.is_word(term):
            continue
        pattern = text.like_pattern(term)
        in_messages = select(Message.id).where(
            Message.ticket_id == Ticket.id, Message.search_text.like(pattern, escape="\\")
        )
        if not staff:
            in_messages = in_messages.where(Message.internal.is_(False))
        conditions.append(or_(Ticket.search_text.like(pattern, escape="\\"), exists(in_messages)))
    return and_(*conditions) if conditions else None


def filtered(
    user: User, filters: TicketFilters, *, now: datetime, words_indexed: bool = False
) -> list:
    """The filters' conditions over Ticket, visibility aside; with `words_indexed` the search's
    words are left to the full-text index (FullText), only its other terms are here."""
    conditions = []
    if filters.status == "open":
        conditions.append(Ticket.status.in_(OPEN_STATUSES))
    elif filters.status:
        conditions.append(Ticket.status == filters.status)
    if filters.queue_id is not None:
        conditions.append(Ticket.queue_id == filters.queue_id)
    if filters.province:
        conditions.append(Ticket.province_code == filters.province)
    if filters.category:
        conditions.append(Ticket.category_code == filters.category)
    if filters.system:
        conditions.append(Ticket.system_code == filters.system)
    if filters.unit:
        chosen = select(Unit.id).where(Unit.code == filters.unit).scalar_subquery()
        conditions.append(Ticket.unit_id == chosen)
    if filters.assignee_id is not None:
        conditions.append(Ticket.assignee_id == filters.assignee_id)
    if filters.unassigned:
        conditions.append(Ticket.assignee_id.is_(None))
    if filters.mine:
        mine = Ticket.assignee_id if is_staff(user) else Ticket.requester_id
        conditions.append(mine == user.id)
    if filters.following:
        conditions.append(Ticket.id.in_(followed_by(user.id)))
    if filters.my_unit:
        conditions.append(Ticket.unit_id == user.unit_id if user.unit_id else false())
    if filters.sla_state:
        conditions.append(state_filter(filters.sla_state, now))
    if filters.source:
        conditions.append(Ticket.source == filters.source)
    if filters.q:
        clause = search_clause(user, filters.q, only_symbols=words_indexed)
        if clause is not None:
            conditions.append(clause)
    return conditions


def list_tickets(
    user: User,
    filters: TicketFilters = TicketFilters(),  # noqa: B008 - frozen, never mutated
    *,
    page: int = 1,
    per_page: int = 50,
    count_limit: int | None = None,
    now: datetime | None = None,
) -> Page[Ticket]:
    """The tickets the user may see that pass the filters, whole, with their queue, assignee,
    category and province. Staff lists go by deadline (the most urgent first), requesters' by
    newest. Two queries whatever the page size.

    With `count_limit` the count stops past that many tickets (the page then says "more
    than"), so that its cost does not follow the number of tickets; without, it is exact.
    """
    return _list(user, filters, page, per_page, count_limit, now, None)


def list_ticket_columns(
    user: User,
    filters: TicketFilters,
    columns: tuple,
    *,
    page: int = 1,
    per_page: int = 50,
    count_limit: int | None = None,
    now: datetime | None = None,
) -> Page[Row]:
    """As `list_tickets`, the items being rows of only those columns (Ticket attributes) with
    the assignee's name as `assignee_name`: read-only lists, no objects to build and track."""
    return _list(user, filters, page, per_page, count_limit, now, columns)


def _list(
    user: User,
    filters: TicketFilters,
    page: int,
    per_page: int,
    count_limit: int | None,
    now: datetime | None,
    columns: tuple | None,
) -> Page:
    now = now or utcnow()
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    offset = (page - 1) * per_page
    branches = visibility_branches(user)
    if branches == []:
        return Page(items=[], total=0, page=page, per_page=per_page)
    if is_staff(user) and (filters.mine or filters.assignee_id == user.id):
        branches = None  # one's own tickets are visible wherever they are
    search = postgres.full_text(user, filters.q) if filters.q else None
    # A search in every status: no index reads the tickets in list order (the list indexes
    # hold the open tickets, or start with the status), the full-text indexes serve it.
    ordered = filters.status is not None
    conditions = filtered(user, filters, now=now, words_indexed=search is not None)
    staff = is_staff(user)
    if staff:
        keys = (Ticket.resolution_due, Ticket.priority, Ticket.id)
    else:
        keys = (Ticket.created_at, Ticket.id)
    order = _list_order(Ticket, staff=staff)
    if search is not None:
        total = db.session.scalar(
            postgres.search_count(
                search,
                conditions,
                branches or [None],
                order_of=functools.partial(_list_order, staff=staff),
                limit=count_limit,
                ordered=ordered,
            )
        )
    elif count_limit is None:
        visible = [] if branches is None else [or_(*branches)]
        total = db.session.scalar(select(func.count(Ticket.id)).where(*visible, *conditions))
    else:
        found = select(Ticket.id).where(*conditions)
        if branches is not None and len(branches) > 1:
            found = select(_merged(found, branches).subquery())
        elif branches:
            found = found.where(branches[0])
        total = db.session.scalar(
            select(func.count()).select_from(found.limit(count_limit + 1).subquery())
        )
    # One row more than the page says whether a next page exists, whatever the count says.
    query = _rows_of(columns).where(*conditions)
    if search is not None:
        limit = offset + per_page + 1
        chosen = union_all(
            *(
                arm
                for index, branch in enumerate(branches or [None])
                for arm in postgres.first_found(
                    search,
                    keys,
                    [*conditions, *([] if branch is None else [branch])],
                    order_of=functools.partial(_list_order, staff=staff),
                    limit=limit,
                    name=str(index),
                    ordered=ordered,
                )
            )
        ).subquery()
    elif branches is not None and len(branches) > 1:
        # An OR of the branches would be read whole and sorted; each branch read in list order
        # through its index and stopped at the page's end costs the same at any size.
        chosen = _merged(
            select(*keys).where(*conditions), branches, limit=offset + per_page + 1, order=order
        ).subquery()
    else:
        chosen = None
        if branches:
            query = query.where(branches[0])
        query = query.order_by(*order).limit(per_page + 1).offset(offset)
    if chosen is not None:  # the page's ids, chosen by a union of reads: the rows joined to them
        top = (
            select(chosen.c.id)
            .order_by(*_list_order(chosen.c, staff=staff))
            .limit(per_page + 1)
            .offset(offset)
            .subquery()
        )
        query = _rows_of(columns).join(top, top.c.id == Ticket.id).order_by(*order)
    if columns is None:
        items = list(db.session.scalars(query.options(*_whole_tickets())).unique())
    else:
        items = list(db.session.execute(query.outerjoin(User, User.id == Ticket.assignee_id)))
    exact = count_limit is None or total <= count_limit
    return Page(
        items=items[:per_page],
        total=total if exact else count_limit,
        page=page,
        per_page=per_page,
        has_next=len(items) > per_page,
        total_is_exact=exact,
    )


@functools.cache
def _whole_tickets() -> tuple:
    """How a list loads whole tickets (made once: options are immutable), their unit's code
    too. The assignee's unit and province, and the unit's province, would be joined for
    naught."""
    return (
        joinedload(Ticket.queue),
        joinedload(Ticket.assignee).options(lazyload(User.unit), lazyload(User.province)),
        joinedload(Ticket.unit_record).options(lazyload(Unit.province)),
        joinedload(Ticket.category),
        joinedload(Ticket.province),
    )


@functools.lru_cache(maxsize=16)
def _rows_of(columns: tuple | None) -> Select:
    """What a list reads: whole tickets, or those columns and the assignee's name (the users
    table joined last). Made once per set of columns: a statement is immutable, each clause
    added to it makes a new one."""
    if columns is None:
        return select(Ticket)
    return select(*columns, User.full_name.label("assignee_name"))


def _merged(query: Select, branches: list, *, limit: int | None = None, order: tuple = ()):
    """The query restricted to each of the (disjoint) branches, one after the other; with
    `limit`, each part stops after its first `limit` rows in `order`."""
    if limit is None:
        return union_all(*(query.where(branch) for branch in branches))
    parts = [query.where(branch).order_by(*order).limit(limit).subquery() for branch in branches]
    return union_all(*(select(part) for part in parts))


def _list_order(columns, *, staff: bool) -> tuple:
    """Staff lists go by deadline (none last), priority, id; requesters' newest first."""
    if staff:
        return (columns.resolution_due.asc().nulls_last(), columns.priority, columns.id)
    return (columns.created_at.desc(), columns.id.desc())
