"""Background work of notifications: the send job and the outbox sweep."""

from __future__ import annotations

from helpdesk.notifications import services
from helpdesk.worker import job


@job
def send_email(outbox_id: int) -> str:
    """Send one outbox row if it is still due (safe to run twice: the row is claimed first)."""
    return services.send(outbox_id)


@job
def sweep_outbox() -> int:
    """Hand over pending rows that no job holds."""
    return services.sweep()
