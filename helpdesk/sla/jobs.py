"""Background work of the SLA: the deadline timer job, the minutely sweep and its announcements."""

from __future__ import annotations

from datetime import datetime

from helpdesk import timeutil
from helpdesk.sla.services import alerts
from helpdesk.worker import enqueue, job


@job
def fire_deadline(ticket_id: int, kind: str, stage: str, due_at: str) -> str:
    """Warn (stage "warning") or breach (stage "breach") one deadline of a ticket, if `due_at`
    (ISO 8601) is still that deadline and it still runs; a moved, met or paused one is left."""
    due = datetime.fromisoformat(due_at)
    return alerts.fire_timer(ticket_id, kind, stage, due, now=timeutil.utcnow())


@job
def sweep_deadlines() -> int:
    """Move the timers that are due and that no job fired (Redis flushed, a worker down) into
    notices, then hand their claims, events and mail to a job of their own (at once here when
    Redis refuses it); notices a lost announcing job left are handed over again."""
    recorded = alerts.record_due()
    if (recorded or alerts.notices_pending()) and enqueue(announce_deadlines) is None:
        alerts.announce_pending()
    return recorded


@job
def announce_deadlines() -> int:
    """Claim the deadlines the sweep found due and write their events and mail."""
    return alerts.announce_pending()
