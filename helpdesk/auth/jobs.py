"""Background work of accounts: forgetting old failed logins."""

from __future__ import annotations

from helpdesk.auth import services
from helpdesk.worker import job


@job
def forget_old_failures() -> int:
    """Delete the failed-login counts older than a day (forgotten already); returns how many.
    Safe to run twice."""
    return services.forget_old_failures()
