"""Background work of reports: queueing the weekly and monthly digests when they are due."""

from __future__ import annotations

from helpdesk.reports.digests import mailing
from helpdesk.worker import job


@job
def send_due_digests() -> int:
    """Queue the digests of a week or month whose time has come (Monday 07:30, the first
    working day of the month at 07:30); returns how many were queued. Safe to run twice, and
    in two schedulers at once: each digest is queued once, by its outbox key."""
    return sum(outcome.queued for outcome in mailing.send_due())
