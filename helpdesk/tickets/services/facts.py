"""Correcting what a ticket is about: its priority, its system, category and province; the
deadlines follow, and the ticket is routed again."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db
from helpdesk.routing import engine
from helpdesk.routing import services as routing
from helpdesk.tickets.models import EventKind, Ticket
from helpdesk.tickets.services import deadlines
from helpdesk.tickets.services.access import require_work
from helpdesk.tickets.services.changes import commit_and_dispatch, expect_version
from helpdesk.tickets.services.events import stage_event, stage_routed
from helpdesk.tickets.services.transfer import stage_transfer
from helpdesk.timeutil import utcnow


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
    require_work(actor, ticket)
    expect_version(ticket, version)
    stage_priority(actor, ticket, priority, now=now)
    commit_and_dispatch([], ticket=ticket, timers=True)
    return ticket


def stage_priority(actor: User, ticket: Ticket, priority: int, *, now: datetime) -> None:
    """The priority and the deadlines that follow from it."""

    if isinstance(priority, bool) or priority not in (1, 2, 3, 4):
        raise errors.Invalid(_("Choose a priority from 1 (critical) to 4 (low)."), "priority")
    if priority == ticket.priority:
        return
    stage_event(
        ticket, EventKind.PRIORITY_CHANGED, actor=actor, at=now, old=ticket.priority, new=priority
    )
    ticket.priority = priority
    ticket.updated_at = now
    deadlines.on_priority_change(ticket, now)


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

    now = now or utcnow()
    require_work(actor, ticket)
    expect_version(ticket, version)
    if ticket.is_incident:  # its tickets are of its system: it keeps it
        raise errors.Invalid(
            _("An incident keeps its system, kind of problem and province."), "system"
        )
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
    stage_event(
        ticket,
        EventKind.FACTS_CHANGED,
        actor=actor,
        at=now,
        old=[ticket.system_code, ticket.category_code, ticket.province_code],
        new=[system, category, province],
    )
    ticket.system_code, ticket.category_code, ticket.province_code = system, category, province
    decision = routing.decide(engine.Facts(system, category, province, ticket.priority))
    stage_routed(ticket, decision, at=now)
    ticket.routing_rule_id = decision.rule_id
    deadlines.set_deadlines(ticket, now)  # the policy may depend on the system and category
    outbox = []
    if decision.queue_id != ticket.queue_id:
        outbox = stage_transfer(
            actor,
            ticket,
            decision.queue_id,
            reason=decision.reason,
            now=now,
            kind=EventKind.REROUTED,
        )
    commit_and_dispatch(outbox, ticket=ticket, timers=True)
    return ticket
