"""Who is told what about a ticket: the outbox rows of each ticket event (no commit here).

The outbox knows addresses, languages and keys only; the accounts, queues and memberships that
decide who gets a ticket's mail are read here.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select

from helpdesk.auth.cccd import mask
from helpdesk.auth.models import Role, Status, User, is_staff
from helpdesk.extensions import db
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.outbox import queue_email
from helpdesk.notifications.rendering import link
from helpdesk.notifications.reply_addresses import reply_address
from helpdesk.routing.services.assignment import Member, queue_members
from helpdesk.tickets.services.followers import followers_of
from helpdesk.timeutil import to_local

# Twelve digits standing alone look like a CCCD: mail never carries one whole, even when a
# requester typed it into a subject or a reply.
TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


# Where the ticket page (templates/tickets/_requester_actions.html) has each answer's button.
RESOLUTION_ANCHORS = {
    "confirm": "requester-actions",
    "reopen": "reopen-form",
    "rate": "requester-actions",
}


# The mails whose answer is a message on the ticket: the conversation's, to the requester and
# the followers, and to the assignee told of the requester's reply. Alerts to staff (SLA,
# queue, staffing, assignment, requests) carry no reply address: an answer to one of them is
# not meant for the requester, and would reach them as a public reply.
CONVERSATION = frozenset(
    {
        "ticket_filed",
        "ticket_reply",
        "ticket_requester_reply",
        "ticket_waiting_requester",
        "ticket_resolved",
        "ticket_closed",
        "ticket_followed",
        "ticket_merged",
        "ticket_merged_in",
        "incident_update",
    }
)


def redact(text: str) -> str:
    """The text with every 12-digit number masked but its last 4 digits."""
    return TWELVE_DIGITS.sub(lambda match: mask(match.group()), text or "")


def local_time(instant) -> str:
    if instant is None:
        return ""
    return to_local(instant, current_app.config["HELPDESK_TIMEZONE"]).strftime("%d/%m/%Y %H:%M")


def ticket_context(ticket) -> dict:
    """What every ticket mail may show: never an internal note, never a CCCD."""
    return {
        "number": ticket.number,
        "subject": redact(ticket.subject),
        "status": ticket.status,
        "priority": ticket.priority,
        "queue": ticket.queue.name if ticket.queue else "",
        "url": link("tickets.show", number=ticket.number),
        "resolution_due": local_time(ticket.resolution_due),
        "first_response_due": local_time(ticket.first_response_due),
    }


def event_key(ticket, name: str) -> str:
    """A key for an event that may happen to a ticket more than once (its place in history)."""
    return f"{name}:{ticket.id}:{len(ticket.events)}"


def to_user(user: User | None, template: str, key: str, context: dict, *, essential: bool) -> list:
    """A row for a user: only an active account's verified address, and non-essential mail only
    if the user wants it; in the user's language. A mail of the ticket's conversation says in
    Reply-To the address that makes a reply this user's message on the ticket."""
    if user is None or not user.email or user.email_verified_at is None:
        return []
    if user.status != Status.ACTIVE or (not essential and not user.notify_updates):
        return []
    if template in CONVERSATION:
        context = {**context, "reply_to": reply_address(context["number"], user.id)}
    row = queue_email(
        template=template,
        to=user.email,
        language=user.language,
        context=context,
        key=f"{key}:u{user.id}",
        user_id=user.id,
        essential=essential,
    )
    return [row] if row else []


def to_address(address: str, template: str, key: str, context: dict) -> list:
    """A row for a shared mailbox (a queue's address), in Vietnamese."""
    row = queue_email(
        template=template,
        to=address,
        language="vi",
        context=context,
        key=f"{key}:{address}",
        essential=False,
    )
    return [row] if row else []


def requester_told(ticket) -> User | None:
    """The requester, whom a ticket's replies and statuses are mailed to; nobody for a request's
    ticket: its sender follows every province's answer on the request's tracker, in one
    summary mail at the due time (helpdesk/requests), not in a mail per province."""
    return None if ticket.is_request else ticket.requester


def on_ticket_filed(ticket, *, members: list[User] | None = None) -> list[Outbox]:
    """The requester's acknowledgement (number, queue, deadlines) and the queue's alert (to
    `members` when already read by queue_alert_members)."""
    if members is None:  # read before any row is queued: the rows go in with one INSERT
        members = queue_alert_members(ticket)
    context = ticket_context(ticket)
    rows = to_user(ticket.requester, "ticket_filed", f"filed:{ticket.id}", context, essential=True)
    # The same context serves the queue's alert: built once (it renders a URL and two instants).
    return rows + on_queue_alert(ticket, members=members, context=context)


def queue_alert_members(ticket, *, members: list[Member] | None = None) -> list[User]:
    """The accounts of the queue's available members who cover the ticket's province, by id
    (none when the queue does not alert its members). A coordinator is never told of another
    province's ticket, whatever its memberships say. `members`: the queue's members covering
    the province when already read (routing.queue_members); read here otherwise (one query)."""
    queue = ticket.queue
    if not queue.notify_members:
        return []
    if members is None:
        _queue, members = queue_members(queue.id, ticket.province_code)
    return [
        member.user
        for member in members
        if member.user.role != Role.COORDINATOR or member.user.province_code == ticket.province_code
    ]


def on_queue_alert(
    ticket, *, members: list[User] | None = None, context: dict | None = None
) -> list[Outbox]:
    """A new ticket in a queue: its contact address, and its members who cover the ticket's
    province if the queue wants it (the queue's `notify_members`; `members` when already read
    by queue_alert_members; `context` when already built by ticket_context)."""
    if members is None:
        members = queue_alert_members(ticket)
    queue = ticket.queue
    if context is None:
        context = ticket_context(ticket)
    key = event_key(ticket, "queued")
    rows = to_address(queue.email, "ticket_queued", key, context) if queue.email else []
    for user in members:
        rows += to_user(user, "ticket_queued", key, context, essential=False)
    return rows


def on_assigned(ticket) -> list[Outbox]:
    """The agent the ticket was given to."""
    key = event_key(ticket, "assigned")
    return to_user(ticket.assignee, "ticket_assigned", key, ticket_context(ticket), essential=True)


def on_unassignable(ticket) -> list[Outbox]:
    """Nobody covers the province: the queue's supervisor is told."""
    queue = ticket.queue
    supervisor = db.session.get(User, queue.supervisor_id) if queue.supervisor_id else None
    context = {**ticket_context(ticket), "province": ticket.province_code}
    key = event_key(ticket, "unassigned")
    return to_user(supervisor, "ticket_unassigned", key, context, essential=True)


def reachable_supervisor(queue) -> User | None:
    """The queue's supervisor if essential mail reaches them (an active account with a verified
    address), else None: what the history may say was told."""
    if queue is None or queue.supervisor_id is None:
        return None
    supervisor = db.session.get(User, queue.supervisor_id)
    if supervisor is None or not supervisor.email or supervisor.email_verified_at is None:
        return None
    return supervisor if supervisor.status == Status.ACTIVE else None


def reachable_admins() -> list[User]:
    """The active admins with a verified address, who are told of queues nobody staffs (one
    query)."""
    query = (
        select(User)
        .where(
            User.role == Role.ADMIN,
            User.status == Status.ACTIVE,
            User.email != "",
            User.email_verified_at.is_not(None),
        )
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


def on_unstaffed(ticket, why: str, key: str, *, admins: list[User] | None = None) -> list[Outbox]:
    """A ticket waits in a queue nobody staffs: the admins are told, each in their language,
    with a link to the queue's members page. `why` says what happened: queued (it landed
    there), warning or breach (a deadline); `admins` when already read by reachable_admins."""
    if admins is None:
        admins = reachable_admins()
    context = {
        **ticket_context(ticket),
        "why": why,
        "members_url": link("routing.members", queue_id=ticket.queue_id),
    }
    rows: list[Outbox] = []
    for admin in admins:
        rows += to_user(admin, "queue_unstaffed", f"unstaffed:{key}", context, essential=True)
    return rows


def on_public_message(ticket, message) -> list[Outbox]:
    """A public reply: staff's -> the requester; the requester's or a colleague's who follows
    the ticket -> the assignee (or the queue's address), and the requester when it is not
    theirs; every reply -> the followers but its author. An internal note is never mailed to
    anyone."""
    if message.internal:
        return []
    context = {
        **ticket_context(ticket),
        "body": redact(message.body),
        "author": message.author.full_name if message.author else "",
    }
    key = f"message:{message.id}"
    author = message.author
    from_requester_side = message.author_id == ticket.requester_id or (
        author is not None and not is_staff(author)
    )
    rows: list[Outbox] = []
    told = {message.author_id}
    if message.author_id != ticket.requester_id:
        rows += to_user(requester_told(ticket), "ticket_reply", key, context, essential=True)
        told.add(ticket.requester_id)
    if from_requester_side:
        if ticket.assignee is not None:
            rows += to_user(ticket.assignee, "ticket_requester_reply", key, context, essential=True)
            told.add(ticket.assignee_id)
        elif ticket.queue.email:
            rows += to_address(ticket.queue.email, "ticket_requester_reply", key, context)
    return rows + to_followers(ticket, key, {**context, "what": "reply"}, told=told)


def to_followers(
    ticket, key: str, context: dict, *, told: set, followers: list[User] | None = None
) -> list[Outbox]:
    """The mail of a public event to the ticket's followers (staff followers too, as staff may
    read what the requester is told), each in their language, unless they opted out of
    updates; none to those in `told` (already mailed about this event, or its author), to
    which they are added: one event never mails anyone twice. `followers` when already read
    (followers_by_ticket, for many tickets at once)."""
    rows: list[Outbox] = []
    for user in followers_of(ticket) if followers is None else followers:
        if user.id not in told:
            told.add(user.id)
            rows += to_user(user, "ticket_followed", key, context, essential=False)
    return rows


def on_status_changed(ticket, old: str, new: str, *, reply=None) -> list[Outbox]:
    """The requester hears of what concerns them: waiting on them, resolved (with the outcome
    and the ticket page's confirm, reopen and rate buttons), closed after resolution. `reply`:
    the public message sent with the change, which this mail carries (the requester gets one
    mail)."""
    if new not in ("waiting_requester", "resolved", "closed"):
        return []
    if new == "closed" and old != "resolved":
        return []
    context = {**ticket_context(ticket), "old": old, "new": new}
    if reply is not None:
        context["body"] = redact(reply.body)
        context["author"] = reply.author.full_name if reply.author else ""
    if new == "resolved":
        context["resolution"] = redact(ticket.resolution)  # what was done, for them to judge
        # Each opens the ticket page at its buttons: a link in a mail never changes anything.
        for action, anchor in RESOLUTION_ANCHORS.items():
            context[f"{action}_url"] = link("tickets.show", number=ticket.number, _anchor=anchor)
    key = event_key(ticket, f"status-{new}")
    rows = to_user(requester_told(ticket), f"ticket_{new}", key, context, essential=new != "closed")
    followed = {**context, "what": "status"}
    for action in RESOLUTION_ANCHORS:  # the requester's buttons, not the followers'
        followed.pop(f"{action}_url", None)
    return rows + to_followers(ticket, key, followed, told={ticket.requester_id})


def on_merged(source, target) -> list[Outbox]:
    """The duplicate's requester and followers learn where the conversation continues; the
    target's requester (someone else) and followers that another report joined theirs."""
    context = {**ticket_context(source), "target_number": target.number}
    rows = to_user(
        source.requester, "ticket_merged", f"merged:{source.id}", context, essential=True
    )
    if target.requester_id != source.requester_id:
        joined = {**ticket_context(target), "source_number": source.number}
        rows += to_user(
            target.requester,
            "ticket_merged_in",
            f"merged-in:{target.id}:{source.id}",
            joined,
            essential=False,
        )
    told = {source.requester_id, target.requester_id}
    rows += to_followers(source, f"merged:{source.id}", {**context, "what": "merged"}, told=told)
    joined = {**ticket_context(target), "source_number": source.number, "what": "merged_in"}
    return rows + to_followers(target, f"merged-in:{target.id}:{source.id}", joined, told=told)


def on_incident_update(
    ticket, incident, message, *, resolved: bool, followers: list[User], author: User
) -> list[Outbox]:
    """An incident's public update (`message`, written on the incident) as it reaches one of
    its tickets: the requester and the followers (`followers`, read for all the tickets at
    once), each in their language, once per update; with `resolved`, the requester's mail
    carries the ticket page's confirm, reopen and rate buttons."""
    context = {
        **ticket_context(ticket),
        "incident_title": redact(incident.subject),
        "body": redact(message.body),
        "author": author.full_name,
        "expected": local_time(incident.expected_at),
        "resolved": resolved,
    }
    key = f"incident:{message.id}:{ticket.id}"
    requester = dict(context)
    if resolved:
        for action, anchor in RESOLUTION_ANCHORS.items():
            requester[f"{action}_url"] = link("tickets.show", number=ticket.number, _anchor=anchor)
    rows = to_user(ticket.requester, "incident_update", key, requester, essential=True)
    followed = {**context, "follower": True}
    told = {ticket.requester_id, author.id}
    return rows + to_followers(ticket, key, followed, told=told, followers=followers)
