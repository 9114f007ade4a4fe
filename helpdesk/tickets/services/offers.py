"""A new member of a queue is offered its waiting tickets at once: one mail listing the queue's
open unassigned tickets of the provinces the member covers (number, subject, when filed, the
next deadline), nothing when there are none. Routing calls it through its hook
(routing.services.offers) when a membership is created; no commit here."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import load_only

from helpdesk.extensions import db
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.rendering import link
from helpdesk.routing.models import Membership
from helpdesk.routing.services import offers as routing_offers
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.services import mail

OFFER_LIMIT = 50  # tickets listed in one mail; past it the mail says there are more


def init_app(app: Flask) -> None:
    """Tell routing who offers a new member its queue's tickets in this app."""
    routing_offers.register(app, stage_offers)


def waiting_tickets(membership: Membership, *, limit: int = OFFER_LIMIT) -> list[Ticket]:
    """The queue's open unassigned tickets the member covers, most urgent first (one query;
    `limit` + 1 rows at most, to tell whether there are more)."""
    query = (
        select(Ticket)
        .options(
            load_only(
                Ticket.number,
                Ticket.subject,
                Ticket.created_at,
                Ticket.first_responded_at,
                Ticket.first_response_due,
                Ticket.resolution_due,
                Ticket.first_response_breached_at,
                Ticket.resolution_breached_at,
                Ticket.first_response_warned_at,
                Ticket.resolution_warned_at,
            )
        )
        .where(
            Ticket.queue_id == membership.queue_id,
            Ticket.status.in_(OPEN_STATUSES),
            Ticket.assignee_id.is_(None),
        )
        .order_by(Ticket.resolution_due.asc().nulls_last(), Ticket.id)
        .limit(limit + 1)
    )
    if not membership.all_provinces:
        query = query.where(Ticket.province_code.in_(sorted(membership.province_codes)))
    return list(db.session.scalars(query))


def _line(ticket: Ticket) -> dict:
    if ticket.first_response_breached_at or ticket.resolution_breached_at:
        state = "breached"
    elif ticket.first_response_warned_at or ticket.resolution_warned_at:
        state = "warning"
    else:
        state = ""
    due = ticket.first_response_due if ticket.first_responded_at is None else None
    return {
        "number": ticket.number,
        "subject": mail.redact(ticket.subject),
        "filed": mail.local_time(ticket.created_at),
        "due": mail.local_time(due or ticket.resolution_due),
        "state": state,
        "url": link("tickets.show", number=ticket.number),
    }


def stage_offers(memberships: Sequence[Membership]) -> list[Outbox]:
    """One mail per new membership whose queue has waiting tickets the member covers, to the
    member in their language; none when there are none."""
    rows: list[Outbox] = []
    for membership in memberships:
        if membership.user is None or not membership.available:
            continue
        tickets = waiting_tickets(membership)
        if not tickets:
            continue
        queue = membership.queue
        context = {
            "queue": queue.name,
            "tickets": [_line(ticket) for ticket in tickets[:OFFER_LIMIT]],
            "more": len(tickets) > OFFER_LIMIT,
            "queue_url": link("tickets.queue", queue=queue.id, assignee="unassigned"),
        }
        key = f"offer:{membership.id}"
        rows += mail.to_user(membership.user, "queue_offer", key, context, essential=True)
    return rows
