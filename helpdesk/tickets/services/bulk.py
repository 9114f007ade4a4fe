"""Working many tickets of the queue at once: assign, set a status or transfer."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import Status
from helpdesk.tickets.services.access import get_ticket, require_work
from helpdesk.tickets.services.assignment import stage_assignment
from helpdesk.tickets.services.changes import commit_and_dispatch
from helpdesk.tickets.services.status import check_resolution, stage_status
from helpdesk.tickets.services.transfer import require_reason, stage_transfer
from helpdesk.timeutil import utcnow


def bulk_update(
    actor: User,
    numbers: list[str],
    *,
    action: str,
    value,
    reason: str = "",
    resolution: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """Assign, set status or transfer many tickets at once. One commit for all that succeed;
    returns {number: "ok" | the reason it was skipped}. Resolving takes one `resolution` for
    every ticket: without it nothing is saved (errors.Invalid naming it)."""
    now = now or utcnow()
    if action == "status" and value == Status.RESOLVED:
        resolution = check_resolution(resolution)
    results: dict[str, str] = {}
    outbox: list = []
    for number in dict.fromkeys(numbers):
        try:
            ticket = get_ticket(actor, number)
            require_work(actor, ticket)
            with db.session.begin_nested():
                if action == "assign":
                    outbox += stage_assignment(actor, ticket, value, now=now)
                elif action == "status":
                    outbox += stage_status(
                        ticket, value, actor=actor, now=now, resolution=resolution
                    )
                elif action == "transfer":
                    outbox += stage_transfer(
                        actor, ticket, value, reason=require_reason(reason), now=now
                    )
                else:
                    raise errors.Invalid(_("Unknown action."), "action")
            results[number] = "ok"
        except errors.HelpdeskError as error:
            results[number] = error.message
    commit_and_dispatch(outbox)
    return results
