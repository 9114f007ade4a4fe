"""Background work of requests: the hourly reminders and the senders' summaries."""

from __future__ import annotations

from helpdesk.requests import reminders
from helpdesk.worker import job


@job
def send_reminders() -> int:
    """Mail the reminders and summaries owed now (reminders.send_reminders); returns how many.
    Safe to run twice, or from two schedulers: each mail is queued once."""
    return reminders.send_reminders()
