"""Background work of accounts: forgetting old failed logins, telling approvers of waiting
registrations."""

from __future__ import annotations

from helpdesk.auth import services
from helpdesk.auth.services import approvals
from helpdesk.worker import job


@job
def forget_old_failures() -> int:
    """Delete the failed-login counts older than a day (forgotten already); returns how many.
    Safe to run twice."""
    return services.forget_old_failures()


@job
def mail_waiting_registrations() -> int:
    """Tell approvers of the registrations waiting for them (at most one mail an hour each,
    whatever how often this runs); returns how many mails were queued."""
    return approvals.mail_waiting_registrations()
