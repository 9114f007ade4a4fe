"""What a ticket's JSON says of incidents beyond its own row: the number of the incident a ticket
is attached to and, for staff, an incident's attached tickets and provinces. Read for a whole
page of tickets at once: at most one query for each, whatever the page holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from helpdesk.auth.models import User, is_staff
from helpdesk.extensions import db
from helpdesk.tickets.models import IncidentProvince, Kind, Ticket
from helpdesk.tickets.services.visibility import visibility_check


@dataclass(frozen=True)
class Ties:
    """By ticket id: the number of the incident it is attached to; an incident's attached
    tickets the viewer sees (numbers, oldest first) and its provinces (codes; none: the whole
    country). Staff only for the last two (empty for others)."""

    incidents: dict[int, str] = field(default_factory=dict)
    attached: dict[int, list[str]] = field(default_factory=dict)
    provinces: dict[int, list[str]] = field(default_factory=dict)


def load_ties(viewer: User, tickets: list[Ticket]) -> Ties:
    """The ties of these tickets: one query for the incidents they are attached to (when any
    is), and for staff one for the incidents' attached tickets and one for their provinces
    (when the tickets hold an incident)."""
    parents = {ticket.parent_id for ticket in tickets if ticket.parent_id is not None}
    incidents = [t.id for t in tickets if t.is_incident] if is_staff(viewer) else []
    return Ties(
        incidents=incident_numbers(parents),
        attached=attached_numbers(viewer, incidents),
        provinces=incident_provinces(incidents),
    )


def incident_numbers(ids: set[int]) -> dict[int, str]:
    """Incident id -> number, for those of the ids that are incidents (a parent that is a plain
    ticket, as an older link could make, is no incident)."""
    if not ids:
        return {}
    query = select(Ticket.id, Ticket.number).where(
        Ticket.id.in_(sorted(ids)), Ticket.kind == Kind.INCIDENT
    )
    return {incident_id: number for incident_id, number in db.session.execute(query)}


def attached_numbers(viewer: User, incidents: list[int]) -> dict[int, list[str]]:
    """Incident id -> the numbers of its attached tickets that the viewer sees, oldest first."""
    found: dict[int, list[str]] = defaultdict(list)
    if not incidents:
        return found
    query = (
        select(Ticket.parent_id, Ticket.number)
        .where(Ticket.parent_id.in_(incidents), visibility_check(viewer))
        .order_by(Ticket.id)
    )
    for parent_id, number in db.session.execute(query):
        found[parent_id].append(number)
    return found


def incident_provinces(incidents: list[int]) -> dict[int, list[str]]:
    """Incident id -> the province codes it is limited to, sorted (none: the whole country)."""
    found: dict[int, list[str]] = defaultdict(list)
    if not incidents:
        return found
    query = (
        select(IncidentProvince.ticket_id, IncidentProvince.province_code)
        .where(IncidentProvince.ticket_id.in_(incidents))
        .order_by(IncidentProvince.province_code)
    )
    for ticket_id, code in db.session.execute(query):
        found[ticket_id].append(code)
    return found
