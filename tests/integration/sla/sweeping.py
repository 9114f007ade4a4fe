"""The minutely SLA sweep run at once in a test: what `sla.jobs.sweep_deadlines` does, with the
announcing job's work done in place instead of handed to a worker."""

from __future__ import annotations

from datetime import datetime

from helpdesk.sla.services import notices
from helpdesk.tickets.services import escalation


def sweep(*, now: datetime | None = None) -> int:
    """Note the timers due at `now`, then tell them; how many warnings and breaches were told."""
    notices.record_due(now=now)
    return escalation.announce_pending()
