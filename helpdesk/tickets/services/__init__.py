"""Ticket use cases, split by subject: filing, visibility, the status state machine, messages,
the requester's end of a ticket, assignment, transfer, facts, merge, links, incidents, bulk
work, lists.
Views, API, CLI and jobs call these; each use case commits once and hands its mail to RQ after
the commit. Functions named `stage_*` write into the caller's transaction and never commit
(docs/style.md, "Naming")."""

from helpdesk.tickets.services.abilities import Abilities, abilities_of
from helpdesk.tickets.services.access import can_work, can_write_internal_notes, get_ticket
from helpdesk.tickets.services.assignment import assign, claim
from helpdesk.tickets.services.bulk import bulk_update
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.facts import change_facts, change_priority
from helpdesk.tickets.services.filing import TicketDraft, create_ticket, next_number
from helpdesk.tickets.services.incident_updates import post_update
from helpdesk.tickets.services.incidents import attach, declare
from helpdesk.tickets.services.links import detach
from helpdesk.tickets.services.listing import (
    MAX_PER_PAGE,
    Page,
    TicketFilters,
    list_ticket_columns,
    list_tickets,
)
from helpdesk.tickets.services.merge import merge
from helpdesk.tickets.services.messages import add_message, respond
from helpdesk.tickets.services.resolution import can_reopen, confirm_resolution, rate, reopen
from helpdesk.tickets.services.status import TRANSITIONS, change_status, close_resolved
from helpdesk.tickets.services.transfer import escalate, transfer_ticket
from helpdesk.tickets.services.visibility import (
    coordinated_province,
    visibility_clause,
    visible_tickets,
)

__all__ = [
    "MAX_PER_PAGE",
    "TRANSITIONS",
    "Abilities",
    "Page",
    "TicketDraft",
    "TicketFilters",
    "abilities_of",
    "add_message",
    "assign",
    "attach",
    "bulk_update",
    "can_reopen",
    "can_work",
    "can_write_internal_notes",
    "change_facts",
    "change_priority",
    "change_status",
    "claim",
    "close_resolved",
    "confirm_resolution",
    "coordinated_province",
    "create_ticket",
    "declare",
    "detach",
    "escalate",
    "get_ticket",
    "list_ticket_columns",
    "list_tickets",
    "merge",
    "next_number",
    "post_update",
    "rate",
    "reopen",
    "respond",
    "stage_event",
    "transfer_ticket",
    "visibility_clause",
    "visible_tickets",
]
