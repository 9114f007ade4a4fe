"""What staff pages show of the tickets attached to incidents: a page of an incident's tickets
with their requesters' names and their number by province (the incident's page), and how many
each incident of a list holds (the queue). Each is one query whatever the number of tickets;
only the tickets the viewer sees are listed and counted."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, case, func, select

from helpdesk import text
from helpdesk.auth.models import User
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.services.listing import Page
from helpdesk.tickets.services.visibility import visibility_clause

PER_PAGE = 100  # attached tickets listed on a page of the incident


@dataclass(frozen=True)
class ProvinceCount:
    """An affected province: how many of the incident's tickets come from it, how many open."""

    code: str
    name: str
    total: int
    open: int


@dataclass(frozen=True)
class Attached:
    provinces: list[ProvinceCount]  # the most tickets first
    page: Page[Row]  # rows of id, number, subject, province_code, unit, status, requester_name

    @property
    def total(self) -> int:
        return self.page.total


def province_counts(viewer: User, incident: Ticket) -> list[ProvinceCount]:
    """The provinces of the incident's tickets the viewer sees, the most tickets first (one
    GROUP BY)."""
    still_open = func.sum(case((Ticket.status.in_(OPEN_STATUSES), 1), else_=0))
    query = (
        select(Ticket.province_code, func.count(Ticket.id), still_open)
        .where(Ticket.parent_id == incident.id, visibility_clause(viewer))
        .group_by(Ticket.province_code)
    )
    counts = [
        ProvinceCount(code, catalogue.province_name(code), total, int(opened or 0))
        for code, total, opened in db.session.execute(query)
    ]
    return sorted(counts, key=lambda row: (-row.total, text.fold(row.name)))


def attached(viewer: User, incident: Ticket, *, page: int = 1) -> Attached:
    """A page of the incident's tickets the viewer sees, the first attached first, with their
    requesters' names, and their provinces (two queries)."""
    provinces = province_counts(viewer, incident)
    total = sum(row.total for row in provinces)
    page = max(1, page)
    query = (
        select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.province_code,
            Ticket.unit,
            Ticket.status,
            User.full_name.label("requester_name"),
        )
        .join(User, User.id == Ticket.requester_id)
        .where(Ticket.parent_id == incident.id, visibility_clause(viewer))
        .order_by(Ticket.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    rows = list(db.session.execute(query)) if total > (page - 1) * PER_PAGE else []
    listed = Page(
        items=rows, total=total, page=page, per_page=PER_PAGE, has_next=page * PER_PAGE < total
    )
    return Attached(provinces=provinces, page=listed)


def attached_counts(viewer: User, incident_ids: list[int]) -> dict[int, int]:
    """How many tickets the viewer sees are attached to each of these incidents (one GROUP BY;
    none asked: no query)."""
    if not incident_ids:
        return {}
    query = (
        select(Ticket.parent_id, func.count(Ticket.id))
        .where(Ticket.parent_id.in_(incident_ids), visibility_clause(viewer))
        .group_by(Ticket.parent_id)
    )
    found = dict(db.session.execute(query).all())
    return {incident_id: found.get(incident_id, 0) for incident_id in incident_ids}
