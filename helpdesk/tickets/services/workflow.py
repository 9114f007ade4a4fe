"""Working a ticket: replies and notes, the status state machine, assignment, transfer,
escalation, merge, links, ratings; each use case commits once and then queues its mail."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors, text
from helpdesk.auth.models import Role, User, is_staff
from helpdesk.extensions import db
from helpdesk.routing import engine
from helpdesk.tickets import storage
from helpdesk.tickets.models import Attachment, Message, Status, Ticket
from helpdesk.tickets.services.events import record_event
from helpdesk.tickets.services.filing import clean_text
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

# The one state machine: which status may follow which, for staff.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {
        Status.OPEN,
        Status.WAITING_REQUESTER,
        Status.WAITING_THIRD_PARTY,
        Status.RESOLVED,
    },
    Status.OPEN: {Status.WAITING_REQUESTER, Status.WAITING_THIRD_PARTY, Status.RESOLVED},
    Status.WAITING_REQUESTER: {Status.OPEN, Status.WAITING_THIRD_PARTY, Status.RESOLVED},
    Status.WAITING_THIRD_PARTY: {Status.OPEN, Status.WAITING_REQUESTER, Status.RESOLVED},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}
REOPEN_DAYS_DEFAULT = 7
AUTO_CLOSE_DAYS_DEFAULT = 7  # the reopen window: a ticket closes when it may no longer be reopened
MESSAGE_LIMIT = 20000


def expect_version(ticket: Ticket, version: int | None) -> None:
    """Optimistic locking: the page the user acted on must show the ticket as it is now."""
    if version is not None and ticket.version != version:
        raise errors.Conflict(
            _(
                "Someone else changed this ticket while you were working on it. "
                "Reload the page to see their change, then try again."
            )
        )


def commit_and_dispatch(
    outbox: list, *, ticket: Ticket | None = None, timers: bool = False
) -> None:
    from helpdesk.notifications import services as notifications
    from helpdesk.sla import services as sla

    db.session.commit()
    notifications.dispatch(outbox)
    if timers and ticket is not None:
        sla.schedule_timers(ticket)


def reopen_days() -> int:
    return int(current_app.config.get("HELPDESK_REOPEN_DAYS", REOPEN_DAYS_DEFAULT))


def auto_close_days() -> int:
    return int(current_app.config.get("HELPDESK_AUTO_CLOSE_DAYS", AUTO_CLOSE_DAYS_DEFAULT))


# ------------------------------------------------------------------ status


def set_status(
    ticket: Ticket,
    new: str,
    *,
    actor: User | None,
    now: datetime,
    reason: str = "",
    notify: bool = True,
) -> list:
    """Move the ticket along the state machine (no commit); returns the outbox rows it causes."""
    from helpdesk.notifications import tickets as mail
    from helpdesk.sla import services as sla

    old = ticket.status
    if new == old:
        return []
    if new not in TRANSITIONS.get(old, set()):
        raise errors.Invalid(
            _("A ticket cannot go from %(old)s to %(new)s.", old=_(old), new=_(new)), "status"
        )
    ticket.status = new
    ticket.updated_at = now
    if new == Status.RESOLVED:
        ticket.resolved_at = now
    elif new == Status.CLOSED:
        ticket.closed_at = now
    elif old == Status.RESOLVED:  # reopened
        ticket.resolved_at = None
    sla.on_status_change(ticket, old, new, now)
    data = {"old": old, "new": new}
    if reason:
        data["reason"] = reason
    record_event(ticket, "status_changed", actor=actor, at=now, **data)
    return mail.on_status_changed(ticket, old, new) if notify else []


def change_status(
    actor: User,
    ticket: Ticket,
    new: str,
    *,
    version: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Staff change a ticket's status. Commits; mails the requester when it concerns them."""
    now = now or utcnow()
    require_staff_on(actor, ticket)
    expect_version(ticket, version)
    outbox = set_status(ticket, new, actor=actor, now=now, reason=reason)
    commit_and_dispatch(outbox, ticket=ticket, timers=True)
    return ticket


def confirm_resolution(requester: User, ticket: Ticket, *, now: datetime | None = None) -> Ticket:
    """The requester confirms that the problem is solved: the ticket closes. Commits."""
    now = now or utcnow()
    require_requester(requester, ticket)
    if ticket.status != Status.RESOLVED:
        raise errors.Invalid(_("Only a resolved ticket can be confirmed."), "status")
    outbox = set_status(ticket, Status.CLOSED, actor=requester, now=now, reason="confirmed")
    commit_and_dispatch(outbox)
    return ticket


def reopen(requester: User, ticket: Ticket, *, reason: str, now: datetime | None = None) -> Ticket:
    """The requester reopens a resolved ticket within the reopen window. Commits."""
    now = now or utcnow()
    require_requester(requester, ticket)
    if not can_reopen(ticket, now):
        raise errors.Invalid(
            _("This ticket can no longer be reopened; please file a new ticket."), "status"
        )
    reason = clean_text(reason, "reason", problems := {}, multiline=True)
    if problems:
        raise errors.Invalid(problems["reason"], "reason")
    outbox = set_status(ticket, Status.OPEN, actor=requester, now=now, reason=reason or "reopened")
    if reason:
        outbox += add_message_rows(requester, ticket, reason, internal=False, uploads=(), now=now)
    commit_and_dispatch(outbox, ticket=ticket, timers=True)
    return ticket


def can_reopen(ticket: Ticket, now: datetime) -> bool:
    return (
        ticket.status == Status.RESOLVED
        and ticket.resolved_at is not None
        and now - ticket.resolved_at <= timedelta(days=reopen_days())
    )


def rate(
    requester: User, ticket: Ticket, *, rating: int, comment: str = "", now: datetime | None = None
) -> Ticket:
    """The requester rates the service once the ticket is resolved (once). Commits."""
    now = now or utcnow()
    require_requester(requester, ticket)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise errors.Invalid(_("You can rate a ticket once it is resolved."), "rating")
    if ticket.rating is not None:
        raise errors.Conflict(_("This ticket has already been rated."), "rating")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise errors.Invalid(_("Choose a rating from 1 to 5."), "rating")
    problems: dict[str, str] = {}
    comment = clean_text(comment, "comment", problems, multiline=True)
    if problems:
        raise errors.Invalid(problems["comment"], "comment")
    ticket.rating, ticket.rating_comment, ticket.rated_at = rating, comment[:2000], now
    record_event(ticket, "rated", actor=requester, at=now, rating=rating)
    db.session.commit()
    return ticket


def close_resolved(*, now: datetime | None = None, limit: int = 500) -> int:
    """Close tickets resolved more than the auto-close days ago without a reopen. Commits."""
    now = now or utcnow()
    cutoff = now - timedelta(days=auto_close_days())
    tickets = db.session.scalars(
        select(Ticket)
        .where(Ticket.status == Status.RESOLVED, Ticket.resolved_at < cutoff)
        .order_by(Ticket.resolved_at)
        .limit(limit)
    ).all()
    outbox = []
    for ticket in tickets:
        outbox += set_status(ticket, Status.CLOSED, actor=None, now=now, reason="auto_closed")
    commit_and_dispatch(outbox)
    return len(tickets)


# ------------------------------------------------------------------ messages


def add_message_rows(
    author: User, ticket: Ticket, body: str, *, internal: bool, uploads: tuple, now: datetime
) -> list:
    """Add a reply or internal note with its files (no commit); returns the outbox rows."""
    from helpdesk.notifications import tickets as mail
    from helpdesk.sla import services as sla

    problems: dict[str, str] = {}
    body = clean_text(body, "body", problems, multiline=True)
    if not problems and not body:
        problems["body"] = _("Write a message.")
    if not problems and len(body) > MESSAGE_LIMIT:
        problems["body"] = _("At most %(n)d characters.", n=MESSAGE_LIMIT)
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    checked = storage.check(tuple(uploads))
    staff = is_staff(author) and author.id != ticket.requester_id
    if internal and not staff:
        raise errors.NotFound("Ticket not found.")
    message = Message(
        ticket=ticket,
        author_id=author.id,
        body=body,
        internal=internal,
        created_at=now,
        search_text=text.fold(body),
    )
    message.author = author
    db.session.add(message)
    for upload, content_type in checked:
        stored = storage.store(upload, content_type)
        db.session.add(
            Attachment(
                ticket=ticket,
                message=message,
                uploader_id=author.id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                created_at=now,
            )
        )
    ticket.updated_at = now
    outbox: list = []
    if internal:
        record_event(ticket, "note_added", actor=author, at=now)
        return outbox
    if staff:
        sla.on_public_agent_reply(ticket, now)
        if ticket.status == Status.NEW:
            outbox += set_status(ticket, Status.OPEN, actor=author, now=now)
    elif ticket.status == Status.WAITING_REQUESTER:
        outbox += set_status(ticket, Status.OPEN, actor=author, now=now)
    db.session.flush()
    outbox += mail.on_public_message(ticket, message)
    return outbox


def add_message(
    author: User,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    uploads: tuple = (),
    version: int | None = None,
    now: datetime | None = None,
) -> Message:
    """A public reply (requester or staff) or an internal note (staff). Commits.

    A staff reply meets the first response; a requester's reply while the ticket waits on them
    reopens it and resumes the resolution clock. Closed tickets take no more messages.
    """
    now = now or utcnow()
    if ticket.status == Status.CLOSED:
        raise errors.Invalid(_("This ticket is closed; please file a new ticket."), "body")
    if ticket.merged_into_id is not None:
        raise errors.Invalid(_("This ticket was merged into another; reply there."), "body")
    if not is_staff(author):
        require_requester(author, ticket)
    expect_version(ticket, version)
    outbox = add_message_rows(author, ticket, body, internal=internal, uploads=uploads, now=now)
    message = next(m for m in reversed(ticket.messages) if m.author_id == author.id)
    commit_and_dispatch(outbox, ticket=ticket, timers=not internal)
    return message


# ------------------------------------------------------------------ assignment and queues


def auto_assign(ticket: Ticket, *, now: datetime) -> list:
    """Assign to an available covering agent of the queue, else tell the supervisor (no commit)."""
    db.session.flush()
    assign_automatically(ticket, now=now)
    return assignment_mail(ticket)


def assign_automatically(ticket: Ticket, *, now: datetime, mark: bool = True) -> bool:
    """Give the ticket to the member routing chooses, with its event; False when nobody
    qualifies (an "unassigned" event then). No flush, no mail, no commit: the ticket may not be
    inserted yet, and its assignee is then part of its INSERT.

    mark=False leaves noting the member's turn (routing.mark_assigned, a write that locks the
    member's row until the commit) to the caller, to do with its own writes."""
    from helpdesk.routing import services as routing

    assignee_id = routing.choose_assignee(ticket.queue_id, ticket.province_code)
    if assignee_id is None:
        record_event(ticket, "unassigned", at=now, queue_id=ticket.queue_id)
        return False
    ticket.assignee_id = assignee_id
    ticket.assignee = db.session.get(User, assignee_id)
    if mark:
        routing.mark_assigned(ticket.queue_id, assignee_id, now)
    record_event(ticket, "assigned", at=now, assignee_id=assignee_id, automatic=True)
    return True


def assignment_mail(ticket: Ticket) -> list:
    """After assign_automatically: the assignee is told, or the supervisor that nobody was."""
    from helpdesk.notifications import tickets as mail

    if ticket.assignee_id is None:
        return mail.on_unassignable(ticket)
    return mail.on_assigned(ticket)


def can_work_in(user: User, queue_id: int, province_code: str) -> bool:
    """May the user hold tickets of this queue and province (a covering member, its supervisor,
    or an admin)?"""
    from helpdesk.routing.models import Membership, Queue

    if user.role == Role.ADMIN:
        return True
    membership = db.session.scalar(
        select(Membership).where(Membership.queue_id == queue_id, Membership.user_id == user.id)
    )
    if membership is not None and membership.covers(province_code):
        return True
    queue = db.session.get(Queue, queue_id)
    return queue is not None and queue.supervisor_id == user.id


def assign(
    actor: User,
    ticket: Ticket,
    assignee: User | None,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Give the ticket to an agent of its queue covering its province (None: unassign). Commits."""
    now = now or utcnow()
    require_staff_on(actor, ticket)
    expect_version(ticket, version)
    outbox = assign_rows(actor, ticket, assignee, now=now)
    commit_and_dispatch(outbox)
    return ticket


def assign_rows(actor: User, ticket: Ticket, assignee: User | None, *, now: datetime) -> list:
    from helpdesk.notifications import tickets as mail

    if assignee is not None and (
        assignee.role not in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
        or not assignee.is_active
        or not can_work_in(assignee, ticket.queue_id, ticket.province_code)
    ):
        raise errors.Invalid(
            _("That person does not work this queue for this province."), "assignee"
        )
    new_id = assignee.id if assignee else None
    if ticket.assignee_id == new_id:
        return []
    ticket.assignee_id = new_id
    ticket.assignee = assignee
    ticket.updated_at = now
    record_event(ticket, "assigned", actor=actor, at=now, assignee_id=new_id)
    if assignee is None or assignee.id == actor.id:
        return []
    return mail.on_assigned(ticket)


def claim(
    actor: User, ticket: Ticket, *, version: int | None = None, now: datetime | None = None
) -> Ticket:
    """The agent takes the ticket. Commits."""
    return assign(actor, ticket, actor, version=version, now=now)


def transfer_rows(
    actor: User | None,
    ticket: Ticket,
    queue_id: int,
    *,
    reason: str,
    now: datetime,
    kind: str = "transferred",
) -> list:
    """Move the ticket to another queue (no commit): unassigned there, then auto-assigned."""
    from helpdesk.notifications import tickets as mail
    from helpdesk.routing.models import Queue

    queue = db.session.get(Queue, queue_id)
    if queue is None or not queue.active:
        raise errors.Invalid(_("Unknown queue."), "queue")
    if queue_id == ticket.queue_id:
        return []
    old_queue_id = ticket.queue_id
    ticket.queue_id = queue_id
    ticket.queue = queue
    ticket.assignee_id = None
    ticket.assignee = None
    ticket.updated_at = now
    record_event(
        ticket,
        kind,
        actor=actor,
        at=now,
        from_queue_id=old_queue_id,
        to_queue_id=queue_id,
        reason=reason,
    )
    return mail.on_queue_alert(ticket) + auto_assign(ticket, now=now)


def transfer_ticket(
    actor: User | None,
    ticket: Ticket,
    queue_id: int,
    *,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
    kind: str = "transferred",
) -> Ticket:
    """Hand the ticket to another team (e.g. to the vendor or the ministry's IT unit), with a
    reason. `actor` None is the system (an SLA escalation). Commits."""
    now = now or utcnow()
    if actor is not None:
        require_staff_on(actor, ticket)
    expect_version(ticket, version)
    reason = require_reason(reason)
    outbox = transfer_rows(actor, ticket, queue_id, reason=reason, now=now, kind=kind)
    commit_and_dispatch(outbox)
    return ticket


def escalate(
    actor: User | None,
    ticket: Ticket,
    *,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Move the ticket to the next queue on its routing path. Commits."""
    from helpdesk.routing import services as routing

    target = routing.escalation_target(ticket.queue_id, ticket.routing_rule_id)
    if target is None:
        raise errors.Invalid(_("This queue has no next tier to escalate to."), "queue")
    return transfer_ticket(
        actor, ticket, target, reason=reason, version=version, now=now, kind="escalated"
    )


def change_priority(
    actor: User,
    ticket: Ticket,
    priority: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Staff set the priority; the deadlines follow the policy of the new priority. Commits."""
    now = now or utcnow()
    require_staff_on(actor, ticket)
    expect_version(ticket, version)
    set_priority(actor, ticket, priority, now=now)
    commit_and_dispatch([], ticket=ticket, timers=True)
    return ticket


def set_priority(actor: User, ticket: Ticket, priority: int, *, now: datetime) -> None:
    """The priority and the deadlines that follow from it (no commit)."""
    from helpdesk.sla import services as sla

    if isinstance(priority, bool) or priority not in (1, 2, 3, 4):
        raise errors.Invalid(_("Choose a priority from 1 (critical) to 4 (low)."), "priority")
    if priority == ticket.priority:
        return
    record_event(ticket, "priority_changed", actor=actor, at=now, old=ticket.priority, new=priority)
    ticket.priority = priority
    ticket.updated_at = now
    sla.on_priority_change(ticket, now)


def change_facts(
    actor: User,
    ticket: Ticket,
    *,
    system: str,
    category: str,
    province: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Staff correct the system, category or province; the ticket is routed again. Commits."""
    from helpdesk.catalogue.models import Category, Province, System
    from helpdesk.routing import services as routing
    from helpdesk.sla import services as sla

    now = now or utcnow()
    require_staff_on(actor, ticket)
    expect_version(ticket, version)
    problems = {}
    for name, model, value in (
        ("system", System, system),
        ("category", Category, category),
        ("province", Province, province),
    ):
        if not isinstance(value, str) or db.session.get(model, value) is None:
            problems[name] = _("Unknown code.")
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    if (system, category, province) == (
        ticket.system_code,
        ticket.category_code,
        ticket.province_code,
    ):
        return ticket
    record_event(
        ticket,
        "facts_changed",
        actor=actor,
        at=now,
        old=[ticket.system_code, ticket.category_code, ticket.province_code],
        new=[system, category, province],
    )
    ticket.system_code, ticket.category_code, ticket.province_code = system, category, province
    decision = routing.decide(engine.Facts(system, category, province, ticket.priority))
    record_event(
        ticket,
        "routed",
        at=now,
        queue_id=decision.queue_id,
        rule_id=decision.rule_id,
        reason=decision.reason,
    )
    ticket.routing_rule_id = decision.rule_id
    sla.set_deadlines(ticket, now)  # the policy may depend on the system and category
    outbox = []
    if decision.queue_id != ticket.queue_id:
        outbox = transfer_rows(
            actor, ticket, decision.queue_id, reason=decision.reason, now=now, kind="rerouted"
        )
    commit_and_dispatch(outbox, ticket=ticket, timers=True)
    return ticket


# ------------------------------------------------------------------ merge, links, bulk


def merge(
    actor: User,
    source: Ticket,
    target: Ticket,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Merge a duplicate into another ticket: the duplicate closes and points at the target;
    every message stays where it was written; both requesters are told. Commits.
    `version` is the source's, as the page showed it."""
    from helpdesk.notifications import tickets as mail

    now = now or utcnow()
    require_staff_on(actor, source)
    require_staff_on(actor, target)
    expect_version(source, version)
    if source.id == target.id or target.merged_into_id == source.id:
        raise errors.Invalid(_("A ticket cannot be merged into itself."), "target")
    if target.status == Status.CLOSED:
        raise errors.Invalid(_("The target ticket is closed."), "target")
    if source.status == Status.CLOSED:
        raise errors.Invalid(_("This ticket is already closed."), "target")
    source.merged_into_id = target.id
    record_event(source, "merged", actor=actor, at=now, into=target.number)
    record_event(target, "merged_in", actor=actor, at=now, source=source.number)
    if source.status != Status.RESOLVED:
        set_status(source, Status.RESOLVED, actor=actor, now=now, reason="merged", notify=False)
    set_status(source, Status.CLOSED, actor=actor, now=now, reason="merged", notify=False)
    outbox = mail.on_merged(source, target)
    commit_and_dispatch(outbox)
    return target


def link_parent(
    actor: User,
    ticket: Ticket,
    parent: Ticket | None,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Link the ticket under a parent incident (None: unlink). Commits."""
    now = now or utcnow()
    require_staff_on(actor, ticket)
    expect_version(ticket, version)
    if parent is not None:
        require_staff_on(actor, parent)
        if parent.id == ticket.id or parent.parent_id == ticket.id:
            raise errors.Invalid(_("A ticket cannot be its own parent."), "parent")
    ticket.parent_id = parent.id if parent else None
    record_event(ticket, "linked", actor=actor, at=now, parent=parent.number if parent else None)
    db.session.commit()
    return ticket


def bulk_update(
    actor: User,
    numbers: list[str],
    *,
    action: str,
    value,
    reason: str = "",
    now: datetime | None = None,
) -> dict[str, str]:
    """Assign, set status or transfer many tickets at once. One commit for all that succeed;
    returns {number: "ok" | the reason it was skipped}."""
    from helpdesk.tickets.services.access import get_ticket

    now = now or utcnow()
    results: dict[str, str] = {}
    outbox: list = []
    for number in dict.fromkeys(numbers):
        try:
            ticket = get_ticket(actor, number)
            require_staff_on(actor, ticket)
            with db.session.begin_nested():
                if action == "assign":
                    outbox += assign_rows(actor, ticket, value, now=now)
                elif action == "status":
                    outbox += set_status(ticket, value, actor=actor, now=now)
                elif action == "transfer":
                    outbox += transfer_rows(
                        actor, ticket, value, reason=require_reason(reason), now=now
                    )
                else:
                    raise errors.Invalid(_("Unknown action."), "action")
            results[number] = "ok"
        except errors.HelpdeskError as error:
            results[number] = error.message
    commit_and_dispatch(outbox)
    return results


# ------------------------------------------------------------------ checks


def require_staff_on(user: User, ticket: Ticket) -> None:
    """Staff who may see the ticket (the caller already loaded it through visibility)."""
    if not is_staff(user):
        raise errors.NotFound("Ticket not found.")


def require_requester(user: User, ticket: Ticket) -> None:
    if ticket.requester_id != user.id:
        raise errors.NotFound("Ticket not found.")


def require_reason(reason: str) -> str:
    problems: dict[str, str] = {}
    reason = clean_text(reason, "reason", problems, multiline=True)
    if problems:
        raise errors.Invalid(problems["reason"], "reason")
    if not reason:
        raise errors.Invalid(_("Give a reason."), "reason")
    return reason[:1000]
