"""What officials see of the open incidents: a known problem's title, its latest public update
and when it is expected to be fixed. Shown as banners on the home page, the filing form and the
directory, and among the filing form's suggestions (`similar.matching_incidents` chooses those).

Never another person's ticket: an incident shows its own title and public updates only, never
the tickets attached to it. A constant number of queries: the incidents, then the latest
update of all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.services.similar import open_incidents

BANNER_LIMIT = 5  # the newest open incidents a page shows as banners


@dataclass(frozen=True)
class KnownIncident:
    number: str
    title: str
    system_code: str
    latest_update: str | None  # the text of its latest public update (None: none yet)
    updated_at: datetime  # when that update was posted; without one, when it was declared
    expected_at: datetime | None  # when the repair is expected, as an update said


def latest_updates(incident_ids: Sequence[int]) -> dict[int, tuple[str, datetime]]:
    """The latest public message of each incident (its latest update), by incident id: its
    text and time. One query whatever the number of incidents; none for no incident."""
    if not incident_ids:
        return {}
    ranked = (
        select(
            Message.ticket_id,
            Message.body,
            Message.created_at,
            func.row_number()
            .over(partition_by=Message.ticket_id, order_by=Message.id.desc())
            .label("place"),
        )
        .where(Message.ticket_id.in_(list(incident_ids)), Message.internal.is_(False))
        .subquery()
    )
    query = select(ranked.c.ticket_id, ranked.c.body, ranked.c.created_at).where(
        ranked.c.place == 1
    )
    return {ticket_id: (body, at) for ticket_id, body, at in db.session.execute(query)}


def describe(incidents: Sequence[Ticket]) -> list[KnownIncident]:
    """The incidents as officials see them, in their order (one query for their updates)."""
    updates = latest_updates([incident.id for incident in incidents])
    described = []
    for incident in incidents:
        body, at = updates.get(incident.id, (None, incident.created_at))
        described.append(
            KnownIncident(
                number=incident.number,
                title=incident.subject,
                system_code=incident.system_code,
                latest_update=body,
                updated_at=at,
                expected_at=incident.expected_at,
            )
        )
    return described


def known_incidents(
    system: str | None = None, *, province: str | None = None, limit: int = BANNER_LIMIT
) -> list[KnownIncident]:
    """The newest open incidents of a system (None: of every system) that concern the province
    (an incident limited to provinces concerns those only; None: every incident), as banners
    show them. Two queries (one when there is none)."""
    return describe(open_incidents(system, province=province, limit=limit))
