"""Ticket lists: the requester's, the agent's queue, search; one count and one page query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.tickets import text
from helpdesk.tickets.models import OPEN_STATUSES, Message, Ticket
from helpdesk.tickets.services.access import is_staff, visibility_clause
from helpdesk.timeutil import utcnow

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class TicketFilters:
    """What a list asks for; None means "not given". `status` "open" means every open status."""

    status: str | None = None
    queue_id: int | None = None
    province: str | None = None
    category: str | None = None
    system: str | None = None
    sla_state: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    mine: bool = False  # assigned to the caller (staff) / filed by the caller (requester)
    q: str = ""


@dataclass
class Page:
    items: list[Ticket]
    total: int
    page: int
    per_page: int
    extra: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def search_clause(user: User, query: str):
    """Every word must appear (without diacritics, any case) in the ticket or one of the
    messages the user may read; internal notes count only for staff."""
    conditions = []
    staff = is_staff(user)
    for term in text.search_terms(query):
        pattern = text.like_pattern(term)
        in_messages = select(Message.id).where(
            Message.ticket_id == Ticket.id, Message.search_text.like(pattern, escape="\\")
        )
        if not staff:
            in_messages = in_messages.where(Message.internal.is_(False))
        conditions.append(or_(Ticket.search_text.like(pattern, escape="\\"), exists(in_messages)))
    return and_(*conditions) if conditions else None


def filtered(user: User, filters: TicketFilters, *, now: datetime):
    conditions = [visibility_clause(user)]
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
    if filters.assignee_id is not None:
        conditions.append(Ticket.assignee_id == filters.assignee_id)
    if filters.unassigned:
        conditions.append(Ticket.assignee_id.is_(None))
    if filters.mine:
        mine = Ticket.assignee_id if is_staff(user) else Ticket.requester_id
        conditions.append(mine == user.id)
    if filters.sla_state:
        from helpdesk.sla import services as sla

        conditions.append(sla.state_filter(filters.sla_state, now))
    if filters.q:
        clause = search_clause(user, filters.q)
        if clause is not None:
            conditions.append(clause)
    return conditions


def list_tickets(
    user: User,
    filters: TicketFilters = TicketFilters(),  # noqa: B008 - frozen, never mutated
    *,
    page: int = 1,
    per_page: int = 50,
    now: datetime | None = None,
) -> Page:
    """The tickets the user may see that pass the filters. Staff lists go by deadline (the
    most urgent first), requesters' by newest. Two queries whatever the page size."""
    now = now or utcnow()
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    conditions = filtered(user, filters, now=now)
    total = db.session.scalar(select(func.count()).select_from(Ticket).where(*conditions))
    if is_staff(user):
        order = (
            Ticket.resolution_due.is_(None),
            Ticket.resolution_due,
            Ticket.priority,
            Ticket.id,
        )
    else:
        order = (Ticket.created_at.desc(), Ticket.id.desc())
    query = (
        select(Ticket)
        .where(*conditions)
        .options(
            joinedload(Ticket.queue),
            joinedload(Ticket.assignee),
            joinedload(Ticket.category),
            joinedload(Ticket.province),
        )
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = list(db.session.scalars(query).unique())
    return Page(items=items, total=total, page=page, per_page=per_page)
