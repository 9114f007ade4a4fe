"""The ticket's history: one Event row per thing that happened to it."""

from __future__ import annotations

from datetime import datetime

from helpdesk.tickets.models import Event, Ticket
from helpdesk.timeutil import utcnow


def record_event(
    ticket: Ticket, kind: str, *, actor=None, at: datetime | None = None, **data
) -> Event:
    """Add an event to the ticket (no commit). `data` must be JSON-serialisable."""
    event = Event(
        kind=kind, actor_id=getattr(actor, "id", None), data=data, created_at=at or utcnow()
    )
    ticket.events.append(event)
    return event
