"""Ticket use cases: filing, visibility, working a ticket, search. Views, API, CLI and jobs
call these; each use case commits once and hands its mail to RQ after the commit."""

from helpdesk.auth.models import is_staff
from helpdesk.tickets.services.access import (
    get_ticket,
    visibility_clause,
    visible_tickets,
)
from helpdesk.tickets.services.events import record_event
from helpdesk.tickets.services.filing import TicketDraft, create_ticket, next_number
from helpdesk.tickets.services.listing import Page, TicketFilters, list_tickets
from helpdesk.tickets.services.workflow import (
    TRANSITIONS,
    add_message,
    assign,
    bulk_update,
    can_reopen,
    change_facts,
    change_priority,
    change_status,
    claim,
    close_resolved,
    confirm_resolution,
    escalate,
    link_parent,
    merge,
    rate,
    reopen,
    transfer_ticket,
)

__all__ = [
    "Page",
    "TicketFilters",
    "list_tickets",
    "TRANSITIONS",
    "TicketDraft",
    "add_message",
    "assign",
    "bulk_update",
    "can_reopen",
    "change_facts",
    "change_priority",
    "change_status",
    "claim",
    "close_resolved",
    "confirm_resolution",
    "create_ticket",
    "escalate",
    "get_ticket",
    "is_staff",
    "link_parent",
    "merge",
    "next_number",
    "rate",
    "record_event",
    "reopen",
    "transfer_ticket",
    "visibility_clause",
    "visible_tickets",
]
