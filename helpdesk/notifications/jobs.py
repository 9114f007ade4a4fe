"""Background work of notifications: the send job and the outbox sweep.

sending.hand_over enqueues send_email by its dotted name (sending.SEND_JOB): rename it in both.
"""

from __future__ import annotations

from helpdesk.notifications import sending, sweep
from helpdesk.worker import job


@job
def send_email(*outbox_ids: int) -> dict[int, str]:
    """Send these outbox rows, then other due ones, over one SMTP connection.

    Safe to run twice, and to share ids with other jobs: each row is claimed before it is sent.
    """
    return sending.send_many(outbox_ids, drain=True)


@job
def sweep_outbox() -> int:
    """Hand over pending rows that no job holds."""
    return sweep.sweep()
