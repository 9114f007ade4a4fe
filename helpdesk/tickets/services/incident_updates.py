"""An incident's public update: written once on the incident and once in the thread of every
ticket attached to it, mailed to each ticket's requester and followers in their language; the
first one is each ticket's first response; with `resolve`, the incident and its open tickets
are resolved with the update as their outcome.

Hundreds or thousands of tickets take one update, so it is written in a constant number of
statements: the tickets with their requesters, their followers, their timers read once each;
messages, events and mail inserted together; the tickets' rows updated in one batch.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from helpdesk import errors, text
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.sla import services as sla
from helpdesk.tickets.models import Event, EventKind, Message, Status, Ticket
from helpdesk.tickets.services import deadlines, mail
from helpdesk.tickets.services.access import require_work
from helpdesk.tickets.services.changes import expect_version
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.followers import followers_by_ticket
from helpdesk.tickets.services.incidents import is_open_incident
from helpdesk.tickets.services.messages import check_body
from helpdesk.timeutil import utcnow

# The columns an update changes on its tickets (with their version).
WRITTEN = ("status", "updated_at", "resolved_at", "resolution", *sla.COLUMNS)


def attached_tickets(incident: Ticket) -> list[Ticket]:
    """The incident's tickets an update reaches (not closed, not merged away), with their
    requesters and queues (their mail names the queue): one query for the tickets, one for
    the requesters, one for the queues. A queue loaded lazily within the loop over the tickets
    would first flush every ticket changed so far, one UPDATE each."""
    query = (
        select(Ticket)
        .where(
            Ticket.parent_id == incident.id,
            Ticket.status != Status.CLOSED,
            Ticket.merged_into_id.is_(None),
        )
        .options(selectinload(Ticket.requester), selectinload(Ticket.queue))
        .order_by(Ticket.id)
    )
    return list(db.session.scalars(query))


def post_update(
    actor: User,
    incident: Ticket,
    body,
    *,
    resolve: bool = False,
    expected_at: datetime | None = None,
    source: str = "web",
    version: int | None = None,
    now: datetime | None = None,
) -> int:
    """Post one public update to an open incident the actor works and to each of its tickets
    (see the module). `expected_at`: when the repair is expected (kept on the incident, shown
    on its banner; None keeps what an earlier update said). Commits; returns how many tickets
    the update reached."""
    now = now or utcnow()
    require_work(actor, incident)
    if not is_open_incident(incident):
        raise errors.Invalid(_("Updates are posted to an open incident only."), "body")
    expect_version(incident, version)
    body = check_body(body)
    thread_entry = {  # the update as each thread holds it: the incident's, then its tickets'
        "author_id": actor.id,
        "body": body,
        "internal": False,
        "source": source,
        "created_at": now,
        "search_text": text.fold(body),
    }
    update = Message(ticket_id=incident.id, **thread_entry)
    db.session.add(update)
    db.session.flush()  # its id keys the mail: one update never mails anyone twice
    tickets = attached_tickets(incident)
    followers = followers_by_ticket([t.id for t in tickets])
    if expected_at is not None:
        incident.expected_at = expected_at
    clocks: dict[int, sla.Clocks] = {}
    outbox: list = []
    messages: list[dict] = []
    events: list[dict] = []
    for ticket in tickets:
        new = next_status(ticket, resolve)
        changed = deadlines.stage_clocks(ticket, now, replied=True, new=new)
        if changed is not None:
            clocks[ticket.id] = changed
        if new is not None:
            events.append(status_event(ticket, new, actor, now))
            set_status(ticket, new, now, resolution=body)
        ticket.updated_at = now
        messages.append({**thread_entry, "ticket_id": ticket.id})
        outbox += mail.on_incident_update(
            ticket,
            incident,
            update,
            resolved=new == Status.RESOLVED,
            followers=followers[ticket.id],
            author=actor,
        )
    write_tickets(tickets)
    if messages:
        db.session.execute(insert(Message), messages)
    if events:
        db.session.execute(insert(Event), events)
    timers = sla.sync_many(clocks, now)
    stage_event(
        incident,
        EventKind.INCIDENT_UPDATED,
        actor=actor,
        at=now,
        tickets=len(tickets),
        resolve=resolve,
    )
    incident.updated_at = now
    if incident.first_responded_at is None:
        incident.first_responded_at = now
    if resolve:
        set_status(incident, Status.RESOLVED, now, resolution=body)
    db.session.commit()
    dispatch(outbox)
    sla.schedule_rows(timers)
    return len(tickets)


def write_tickets(tickets: list[Ticket]) -> None:
    """Write what changed on these tickets with one batched UPDATE, each row only if it still
    has the version read (errors.Conflict otherwise: someone changed one meanwhile, and the
    whole update is undone); the session then holds them as written, with nothing left to
    flush."""
    if not tickets:
        return
    rows = [
        {
            "b_id": ticket.id,
            "b_version": ticket.version,
            "b_next": ticket.version + 1,
            **{f"b_{name}": getattr(ticket, name) for name in WRITTEN},
        }
        for ticket in tickets
    ]
    table = Ticket.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values(version=bindparam("b_next"), **{name: bindparam(f"b_{name}") for name in WRITTEN})
    )
    result = db.session.connection().execute(statement, rows)
    if result.rowcount != len(rows):
        db.session.rollback()
        raise errors.Conflict(
            _("A ticket of this incident changed meanwhile. Please post the update again.")
        )
    for ticket, row in zip(tickets, rows, strict=True):
        for name in (*WRITTEN, "version"):
            set_committed_value(ticket, name, row["b_next" if name == "version" else f"b_{name}"])


def next_status(ticket: Ticket, resolve: bool) -> str | None:
    """Where an update takes an attached ticket: resolved with the incident; else a new one
    opens, as a staff reply opens it; else it stays."""
    if resolve and ticket.is_open:
        return Status.RESOLVED
    if ticket.status == Status.NEW:
        return Status.OPEN
    return None


def set_status(ticket: Ticket, new: str, now: datetime, *, resolution: str) -> None:
    ticket.status = new
    if new == Status.RESOLVED:
        ticket.resolved_at = now
        ticket.resolution = resolution


def status_event(ticket: Ticket, new: str, actor: User, now: datetime) -> dict:
    """The status change in the ticket's history, as a row inserted with the others."""
    return {
        "ticket_id": ticket.id,
        "actor_id": actor.id,
        "kind": EventKind.STATUS_CHANGED,
        "data": {"old": ticket.status, "new": new, "reason": "incident"},
        "created_at": now,
    }
