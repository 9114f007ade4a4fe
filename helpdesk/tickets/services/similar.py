"""Similar problems: the open incidents that match what an official is typing, and the open
tickets that match an incident (for staff to attach).

The same on both databases: an index chooses a few candidates (the open incidents of a system,
through the partial index of open incidents; the latest open tickets of a system, through the
tickets' creation index), and rapidfuzz scores them over their significant words (folded: no
diacritics, lower case; no stop words such as "không", "được"), word order free and typos
tolerated (`token_set_ratio`: a subject whose words are all in a candidate scores 100, one
word mistyped a little less). A subject of fewer than two significant words matches nothing:
"tiền" alone would match every incident that names money. An incident is matched by its title
and by the subjects of the tickets already attached to it: the words officials use.

Requesters only ever get incidents (their public title), never another person's ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from helpdesk import text
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import (
    OPEN_STATUSES,
    IncidentProvince,
    Kind,
    Ticket,
)
from helpdesk.tickets.services.visibility import visibility_clause
from helpdesk.timeutil import utcnow

THRESHOLD = 72  # the least score (0 to 100) that counts as similar
SUBJECTS_PER_INCIDENT = 20  # the attached tickets' subjects an incident is matched by
RECENT_DAYS = 30  # the open tickets an incident's page suggests were filed this recently
CANDIDATES = 2000  # at most, the latest of them scored
MIN_WORDS = 2  # significant words of a subject worth matching


@dataclass(frozen=True)
class Match:
    ticket: Ticket
    score: float


def words(value: str) -> str:
    """The significant words of a text, folded, as rapidfuzz compares them."""
    return " ".join(text.significant_words(value))


def score(query: str, texts: list[str]) -> float:
    """How well the query's words match the best of the texts' words (0 to 100)."""
    return max((fuzz.token_set_ratio(query, candidate) for candidate in texts), default=0.0)


def in_scope(province: str | None):
    """Open incidents that concern the province: limited to none, or to it among others (no
    province: every incident)."""
    if not province:
        return None
    limited = select(IncidentProvince.ticket_id).where(IncidentProvince.ticket_id == Ticket.id)
    here = limited.where(IncidentProvince.province_code == province)
    return or_(~limited.exists(), here.exists())


def open_incidents(
    system: str | None = None, *, province: str | None = None, limit: int | None = None
) -> list[Ticket]:
    """The open incidents of a system (every system: None) that concern the province, the latest
    first (at most `limit`), through the partial index of open incidents (one query)."""
    query = (
        select(Ticket)
        .where(Ticket.kind == Kind.INCIDENT, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(limit)
    )
    if system:
        query = query.where(Ticket.system_code == system)
    scope = in_scope(province)
    if scope is not None:
        query = query.where(scope)
    return list(db.session.scalars(query))


def attached_subjects(incident_ids: list[int]) -> dict[int, list[str]]:
    """The subjects' words of the latest tickets attached to each incident (one query)."""
    found: dict[int, list[str]] = {incident_id: [] for incident_id in incident_ids}
    if not incident_ids:
        return found
    latest = (
        select(
            Ticket.parent_id,
            Ticket.subject,
            func.row_number()
            .over(partition_by=Ticket.parent_id, order_by=Ticket.id.desc())
            .label("place"),
        )
        .where(Ticket.parent_id.in_(incident_ids))
        .subquery()
    )
    query = select(latest.c.parent_id, latest.c.subject).where(
        latest.c.place <= SUBJECTS_PER_INCIDENT
    )
    for parent_id, subject in db.session.execute(query):
        found[parent_id].append(words(subject))
    return found


def matching_incidents(
    system: str, subject: str, *, province: str | None = None, limit: int = 5
) -> list[Match]:
    """The open incidents of the system (concerning the province) that match the subject, best
    first."""
    query = words(subject or "")
    if len(query.split()) < MIN_WORDS:
        return []
    incidents = open_incidents(system, province=province)
    subjects = attached_subjects([incident.id for incident in incidents])
    matches = [
        Match(incident, score(query, [words(incident.subject), *subjects[incident.id]]))
        for incident in incidents
    ]
    matches = [match for match in matches if match.score >= THRESHOLD]
    matches.sort(key=lambda match: (-match.score, -match.ticket.id))
    return matches[:limit]


def similar_tickets(
    actor: User, incident: Ticket, *, limit: int = 20, now: datetime | None = None
) -> list[Match]:
    """The open tickets the actor sees, of the incident's system and attached to no incident,
    filed in the last RECENT_DAYS days (the latest CANDIDATES of them), that match the incident's
    title or its tickets' subjects: best first, with their requesters."""
    now = now or utcnow()
    texts = [words(incident.subject), *attached_subjects([incident.id])[incident.id]]
    candidates = db.session.execute(
        select(Ticket.id, Ticket.subject)
        .where(
            Ticket.system_code == incident.system_code,
            Ticket.kind == Kind.TICKET,
            Ticket.status.in_(OPEN_STATUSES),
            Ticket.parent_id.is_(None),
            Ticket.merged_into_id.is_(None),
            Ticket.created_at >= now - timedelta(days=RECENT_DAYS),
            visibility_clause(actor),
        )
        .order_by(Ticket.created_at.desc())
        .limit(CANDIDATES)
    ).all()
    scored = {}
    for ticket_id, subject in candidates:
        best = score(words(subject), texts)
        if best >= THRESHOLD:
            scored[ticket_id] = best
    best_ids = sorted(scored, key=lambda i: (-scored[i], -i))[:limit]
    if not best_ids:
        return []
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.id.in_(best_ids)).options(selectinload(Ticket.requester))
    ).all()
    by_id = {ticket.id: ticket for ticket in tickets}
    return [Match(by_id[i], scored[i]) for i in best_ids]
