"""Background work of the SLA: the deadline timer job and the minutely sweep."""

from __future__ import annotations

from datetime import datetime

from helpdesk import timeutil
from helpdesk.sla.services import alerts
from helpdesk.worker import job


@job
def fire_deadline(ticket_id: int, kind: str, stage: str, due_at: str) -> str:
    """Warn (stage "warning") or breach (stage "breach") one deadline of a ticket, if `due_at`
    (ISO 8601) is still that deadline and it still runs; a moved, met or paused one is left."""
    due = datetime.fromisoformat(due_at)
    return alerts.fire_timer(ticket_id, kind, stage, due, now=timeutil.utcnow())


@job
def sweep_deadlines() -> int:
    """Fire the timers that are due and that no job fired (Redis flushed, a worker down)."""
    return alerts.sweep()
