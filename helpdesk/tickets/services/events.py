"""The ticket's history: one Event row per thing that happened to it (kinds: EventKind)."""

from __future__ import annotations

from datetime import datetime

from helpdesk.routing.engine import Decision
from helpdesk.tickets.models import Event, EventKind, Ticket
from helpdesk.timeutil import utcnow


def new_event(kind: EventKind, *, actor=None, at: datetime | None = None, **data) -> Event:
    """An event, for a ticket to take. `data` must be JSON-serialisable: the keys EventKind
    lists."""
    return Event(
        kind=kind, actor_id=getattr(actor, "id", None), data=data, created_at=at or utcnow()
    )


def stage_event(
    ticket: Ticket, kind: EventKind, *, actor=None, at: datetime | None = None, **data
) -> Event:
    """Add an event to the ticket (see new_event)."""
    event = new_event(kind, actor=actor, at=at, **data)
    ticket.events.append(event)
    return event


def stage_routed(ticket: Ticket, decision: Decision, *, at: datetime) -> Event:
    """The routing decision in the ticket's history (where it went, by which rule, why)."""
    return stage_event(
        ticket,
        EventKind.ROUTED,
        at=at,
        queue_id=decision.queue_id,
        rule_id=decision.rule_id,
        reason=decision.reason,
    )
