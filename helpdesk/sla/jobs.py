"""Background work of the SLA: the deadline timer job, the minutely sweep and its announcements.

Claiming and telling a reached deadline is the tickets package's, reached through the
announcer it registered (sla.services.announcer)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from helpdesk import timeutil
from helpdesk.sla.services import announcer, notices
from helpdesk.worker import enqueue, job

log = logging.getLogger(__name__)

# A notice this old means its announcing job keeps failing or no worker runs: logged as an error.
NOTICES_LATE = timedelta(minutes=10)


@job
def fire_deadline(ticket_id: int, kind: str, stage: str, due_at: str) -> str:
    """Warn (stage "warning") or breach (stage "breach") one deadline of a ticket, if `due_at`
    (ISO 8601) is still that deadline and it still runs; a moved, met or paused one is left."""
    due = datetime.fromisoformat(due_at)
    return announcer.fire_timer(ticket_id, kind, stage, due, now=timeutil.utcnow())


@job
def sweep_deadlines() -> int:
    """Move the timers that are due and that no job fired (Redis flushed, a worker down) into
    notices, then hand their claims, events and mail to a job of their own (at once here when
    Redis refuses it); notices a lost announcing job left are handed over again, and an error
    is logged once the oldest has waited NOTICES_LATE."""
    recorded = notices.record_due()
    oldest = notices.oldest_notice()
    if oldest is None:
        return recorded
    waited = timeutil.utcnow() - oldest
    if waited > NOTICES_LATE:  # the announcing job fails, or no worker runs
        minutes = waited // timedelta(minutes=1)
        log.error("SLA notices waiting for %s minutes: warnings and breaches not told", minutes)
    if enqueue(announce_deadlines) is None:
        announcer.announce_pending()
    return recorded


@job
def announce_deadlines() -> int:
    """Claim the deadlines the sweep found due and write their events and mail."""
    return announcer.announce_pending()
