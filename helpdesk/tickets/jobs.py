"""Background work of tickets: closing resolved tickets nobody reopened."""

from __future__ import annotations

from helpdesk.tickets.services import status
from helpdesk.worker import job


@job
def close_resolved() -> int:
    """Close the tickets resolved more than the auto-close days ago (HELPDESK_AUTO_CLOSE_DAYS);
    returns how many. Safe to run twice: a closed ticket is no longer resolved."""
    return status.close_resolved()
