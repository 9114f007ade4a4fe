"""What a viewer may do with a ticket: the rules behind the controls its page offers (the
services check each action again when it comes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from helpdesk.auth.models import User, is_staff
from helpdesk.tickets.models import Status, Ticket
from helpdesk.tickets.services.access import can_work, can_write_internal_notes
from helpdesk.tickets.services.resolution import can_reopen
from helpdesk.tickets.services.status import TRANSITIONS


@dataclass(frozen=True)
class Abilities:
    """The viewer's possible actions on one ticket, as of one instant."""

    staff: bool  # a role that works tickets: sees notes and history
    works: bool  # staff working this ticket: the staff controls (a coordinator not, on the
    # tickets of its province outside its queues: it reads them and writes internal notes)
    can_reply: bool  # it takes messages; the viewer is staff, its requester or a follower
    can_reply_publicly: bool  # can_reply, and staff only if they work the ticket
    can_confirm: bool  # its requester, once it is resolved
    can_reopen: bool  # its requester, within the reopen window
    can_rate: bool  # its requester, once resolved or closed, if not rated yet
    can_write_notes: bool  # staff but its requester, while the ticket takes messages
    can_claim: bool  # staff, while it is open and not theirs
    can_merge: bool  # staff, while it is not closed
    statuses: tuple[str, ...]  # where staff may move it, in the order of Status


def abilities_of(
    user: User, ticket: Ticket, *, now: datetime, following: bool = False
) -> Abilities:
    """What `user` may do with `ticket` (which they see) at `now`; `following`: the user follows
    it (replies, but confirms, reopens and rates nothing: that is the requester's)."""
    staff = is_staff(user)
    works = staff and can_work(user, ticket)
    own = ticket.requester_id == user.id and not ticket.is_incident  # declared by staff
    closed = ticket.status == Status.CLOSED
    open_for_messages = not closed and ticket.merged_into_id is None
    can_reply = open_for_messages and (staff or own or following)
    allowed = TRANSITIONS.get(ticket.status, set())
    if ticket.is_incident:  # resolved by an update, with its tickets (incident_updates)
        allowed = allowed - {Status.RESOLVED}
    return Abilities(
        staff=staff,
        works=works,
        can_reply=can_reply,
        can_reply_publicly=can_reply and (works or not staff),
        can_confirm=own and ticket.status == Status.RESOLVED,
        can_reopen=own and can_reopen(ticket, now),
        can_rate=own
        and ticket.status in (Status.RESOLVED, Status.CLOSED)
        and ticket.rating is None,
        can_write_notes=can_reply and can_write_internal_notes(user, ticket),
        can_claim=works and ticket.assignee_id != user.id and not closed,
        can_merge=works and not closed and not ticket.is_incident,
        statuses=tuple(status for status in Status if status in allowed) if works else (),
    )
