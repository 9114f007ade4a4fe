"""Reminders of requests: the coordinators of a province whose ticket is not answered yet are
mailed three working days before the due date and on the due date, in the morning (local
time), each once; the sender gets one summary once the due time has passed. The periodic job
(jobs.py, hourly) runs `send_reminders`; running it twice mails nobody twice (the outbox keys
`request_reminder:<ticket id>:before|due:u<user id>` and `request_summary:<request id>:u<user
id>` are each written once).

Each run reads the requests due within WINDOW_DAYS (or within the last SUMMARY_DAYS, for the
summary; requests are few: a ministry sends some a month), then their unanswered tickets and
those tickets' coordinators, one query each.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from helpdesk.extensions import db
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.outbox import dispatch, outbox_id
from helpdesk.notifications.rendering import link
from helpdesk.requests import dates
from helpdesk.requests.access import Reader
from helpdesk.requests.models import InfoRequest
from helpdesk.requests.services import members_to_tell
from helpdesk.requests.tracker import State, answered_clause, tracker_of
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.services.mail import local_time, redact, to_user
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

WINDOW_DAYS = 20  # three working days before a due date lie within this many days of it
SUMMARY_DAYS = 2  # a summary not sent within this many days after the due time is not sent


def send_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminders and summaries owed at `now`; commits; returns how many mails were
    queued (those queued by an earlier run are not queued again)."""
    now = now or utcnow()
    requests = list(
        db.session.scalars(
            select(InfoRequest)
            .where(
                InfoRequest.due_at > now - timedelta(days=SUMMARY_DAYS),
                InfoRequest.due_at <= now + timedelta(days=WINDOW_DAYS),
            )
            .options(joinedload(InfoRequest.sender))
            .order_by(InfoRequest.due_at, InfoRequest.id)
        )
    )
    owed = {
        request.id: reminder
        for request in requests
        if (reminder := dates.reminder_due(request.due_on, request.due_at, request.created_at, now))
    }
    outbox = remind(requests, owed) + summarise([r for r in requests if r.due_at <= now], now)
    db.session.commit()
    dispatch(outbox)
    sent = sum(1 for row in outbox if outbox_id(row) is not None)
    if sent:
        log.info("requests: %s reminders and summaries queued", sent)
    return sent


def remind(requests: list[InfoRequest], owed: dict[int, str]) -> list:
    """The reminders of the unanswered tickets of the requests in `owed` (request id -> the
    reminder owed), to their queues' coordinators (two queries)."""
    if not owed:
        return []
    by_id = {request.id: request for request in requests}
    tickets = list(
        db.session.scalars(
            select(Ticket)
            .where(
                Ticket.request_id.in_(sorted(owed)),
                Ticket.status.in_(OPEN_STATUSES),
                ~answered_clause(),
            )
            .order_by(Ticket.id)
        )
    )
    members = members_to_tell(ticket_ids=[ticket.id for ticket in tickets])
    outbox: list = []
    for ticket in tickets:
        request = by_id[ticket.request_id]
        reminder = owed[ticket.request_id]
        context = {
            "number": ticket.number,
            "subject": redact(ticket.subject),
            "request": request.number,
            "province": ticket.province_code,
            "due": local_time(request.due_at),
            "reminder": str(reminder),
            "url": link("tickets.show", number=ticket.number),
        }
        key = f"request_reminder:{ticket.id}:{reminder}"
        for user in members.get(ticket.id, []):
            outbox += to_user(user, "request_reminder", key, context, essential=True)
    return outbox


def summary_key(request: InfoRequest) -> str:
    return f"request_summary:{request.id}"


def summarise(requests: list[InfoRequest], now: datetime) -> list:
    """The sender's summary of each request whose due time has passed and that has none yet:
    how many provinces answered, in time or late, and which did not (one query for the
    summaries sent, two a request for the others, which are few)."""
    if not requests:
        return []
    keys = {f"{summary_key(request)}:u{request.sender_id}": request for request in requests}
    sent = set(db.session.scalars(select(Outbox.key).where(Outbox.key.in_(sorted(keys)))))
    outbox: list = []
    for key, request in keys.items():
        if key in sent:
            continue
        sender = request.sender
        tracker = tracker_of(None, request, Reader(sender.id, pages=True), now=now)
        counts = tracker.counts
        context = {
            "number": request.number,
            "subject": redact(request.title),
            "due": local_time(request.due_at),
            "total": len(tracker.rows),
            "answered": counts[State.ANSWERED],
            "answered_late": tracker.late_answers,
            "late": [row.name for row in tracker.rows if row.state == State.LATE],
            "url": link("requests.show", number=request.number),
        }
        outbox += to_user(sender, "request_summary", summary_key(request), context, essential=True)
    return outbox
