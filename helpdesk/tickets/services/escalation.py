"""Telling the SLA deadlines a ticket reached: claim, event and mail, then the policy's
escalation steps (raise the priority, move to the next queue).

A deadline is told in two steps. Claiming (deadline_claims) sets the ticket's warned or breached
marker once and drops the timer rows; announcing (deadline_alerts) writes the events with one
INSERT and the outbox rows in the same transaction, one commit; mail goes to RQ after it.

A timer's own RQ job (`fire_timer`) does both at once. The minutely sweep only moves the due
timers into notices (sla.services.notices); `announce_pending` claims the notices' deadlines,
writes the events and mail and deletes the notices, in one transaction a batch.

Escalation steps go through the tickets' workflow, ticket by ticket: `announce_pending` leaves
the breaches of tickets whose policy asks for them out of its batch and tells those one at a
time, as it does every notice of a batch that failed.

The SLA package reaches `fire_timer` and `announce_pending` through the announcer that
`init_app` registers when the app is created.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from flask import Flask
from sqlalchemy import insert

from helpdesk import errors
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.routing import services as routing
from helpdesk.sla import services as sla
from helpdesk.sla.models import TimerStage
from helpdesk.sla.services import announcer, notices
from helpdesk.sla.services.notices import PendingNotice
from helpdesk.sla.services.timers import DueTimer, Outcome, TimerKey
from helpdesk.tickets.models import Event, EventKind, Priority, Ticket
from helpdesk.tickets.services import deadline_alerts, deadlines
from helpdesk.tickets.services.deadline_claims import Claimed, claim_all, take
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.transfer import stage_transfer

log = logging.getLogger(__name__)

ANNOUNCE_BATCH = 1000  # notices claimed and told a transaction


def init_app(app: Flask) -> None:
    """Tell the SLA who tells the deadlines it finds reached in this app."""
    announcer.register(
        app, announcer.Announcer(fire_timer=fire_timer, announce_pending=announce_pending)
    )


def fire_timer(ticket_id: int, kind: str, stage: str, due: datetime, *, now: datetime) -> str:
    """Record that a deadline's warning point or the deadline itself is reached, once. Commits.

    Does nothing when the timer is not pending any more for that deadline (MOVED), its instant
    has not come (EARLY), or the ticket's deadline moved, was met or paused, or another run
    recorded it (STALE: the timer row goes). Otherwise as `fire`.
    """
    timer = DueTimer(ticket_id, kind, stage, due)
    waiting = sla.waiting(timer, now)
    if waiting is not None:
        return waiting
    outcomes = fire([timer], now=now)
    return outcomes.get(timer.key, Outcome.MOVED)  # moved again meanwhile


def fire(timers: Sequence[DueTimer], *, now: datetime) -> dict[TimerKey, str]:
    """Fire due timers as one batch: claim, record the events, queue the mail. Commits once.

    A warning tells the assignee, and the supervisor (the queue's address without one) while the
    ticket is unassigned or unanswered; a warning reached after its deadline is recorded quietly.
    A breach tells the assignee and the supervisor (deadline_alerts.breach), then runs the
    policy's escalation steps. A timer that a concurrent change made pending again is neither
    claimed nor dropped: it gets no outcome. Returns {timer: WARNED, BREACHED, or STALE} for the
    others.
    """
    claimed, outcomes = take(timers, now)
    _announce(claimed)
    _log(timers, outcomes)
    return outcomes


def _announce(claimed: Sequence[Claimed]) -> None:
    """The claimed timers' events and mail, then the escalation steps of breaches whose policy
    has them; commits, hands the mail to RQ and schedules the escalated tickets' new timers."""
    outbox: list = []
    escalating: list[tuple[Ticket, str, sla.Targets, datetime]] = []
    if claimed:
        tickets = deadline_alerts.load({claim.timer.ticket_id for claim in claimed})
        found_for = {p: sla.targets_for(p) for p in {t.sla_policy_id for t in tickets.values()}}
        staff = deadline_alerts.staffing(tickets)
        events: list[dict] = []
        for claim in claimed:
            timer, at = claim.timer, claim.at
            ticket = tickets[timer.ticket_id]
            if timer.stage == TimerStage.WARNING:
                if at < timer.due:  # a warning reached after its deadline is recorded quietly
                    outbox += deadline_alerts.warn(
                        ticket, timer.kind, timer.due, events, now=at, staff=staff
                    )
                continue
            found = found_for[ticket.sla_policy_id]
            outbox += deadline_alerts.breach(
                ticket, timer.kind, timer.due, found, events, now=at, staff=staff
            )
            if found is not None and (found.raise_priority or found.transfer_to_next_queue):
                escalating.append((ticket, timer.kind, found, at))
        if events:
            # RETURNING makes it one multi-row INSERT on every driver (not one per row).
            db.session.execute(insert(Event).returning(Event.id), events)
        for ticket, kind, found, at in escalating:
            db.session.expire(ticket, ["events"])  # the events just inserted belong to it
            outbox += escalate(ticket, kind, found, now=at)
    db.session.commit()
    dispatch(outbox)
    for ticket in {id(ticket): ticket for ticket, *_rest in escalating}.values():
        deadlines.schedule_timers(ticket)  # an escalation may have set new deadlines


def _log(timers: Sequence[DueTimer], outcomes: dict[TimerKey, str]) -> None:
    if len(timers) == 1:
        timer = timers[0]
        outcome = outcomes.get(timer.key, Outcome.MOVED)
        log.info("ticket %s: %s %s %s", timer.ticket_id, timer.kind, timer.stage, outcome)
    else:  # one line a batch (bench/FINDINGS.md, "Jobs")
        counts = Counter(outcomes.values())
        log.info(
            "SLA timers: %s warned, %s breached", counts[Outcome.WARNED], counts[Outcome.BREACHED]
        )


def escalate(ticket: Ticket, kind: str, found: sla.Targets, *, now: datetime) -> list:
    """The policy's escalation steps after a breach (no commit): raise the priority one level
    (never above critical; deadlines that still run follow it), move to the next queue on the
    routing path (unassigned there, then auto-assigned). Returns the outbox rows."""
    outbox: list = []
    if found.raise_priority and ticket.priority > Priority.CRITICAL:
        old, new = ticket.priority, ticket.priority - 1
        ticket.priority = new
        ticket.updated_at = now
        stage_event(
            ticket, EventKind.ESCALATED, at=now, step="priority", clock=kind, old=old, new=new
        )
        deadlines.on_priority_change(ticket, now)
    if found.transfer_to_next_queue:
        outbox += _move_to_next_queue(ticket, kind, now=now)
    return outbox


def _move_to_next_queue(ticket: Ticket, kind: str, *, now: datetime) -> list:
    target = routing.escalation_target(
        ticket.queue_id, ticket.routing_rule_id, system_code=ticket.system_code
    )
    if target is None or target == ticket.queue_id:
        return []
    reason = f"SLA breach: {kind.replace('_', ' ')}"
    try:
        return stage_transfer(
            None, ticket, target, reason=reason, now=now, kind=EventKind.ESCALATED
        )
    except errors.HelpdeskError as error:  # the target went inactive: the breach still stands
        log.warning("ticket %s not escalated to queue %s: %s", ticket.id, target, error.message)
        return []


def announce_pending(*, limit: int = ANNOUNCE_BATCH) -> int:
    """Claim the deadlines of the sweep's notices and write their events and mail, oldest
    first, `limit` notices a transaction that also deletes those it told (on PostgreSQL,
    notices another run holds are skipped). What a batch leaves goes one notice at a time: the
    breaches of policies that escalate, a notice the batch could not claim (a stale one is
    dropped there) and every notice of a batch that failed, so one ticket's failure does not
    hold the others back; the first failure is raised once the rest are done (its notice stays
    for the next run). Returns how many warnings and breaches were told."""
    told, after, leave = 0, 0, None
    while batch := notices.notices_after(after, limit):
        after = batch[-1].id
        leave = sla.escalating_policies() if leave is None else leave
        try:
            left = _announce_batch(batch, leave)
        except Exception:  # noqa: BLE001 - its notices are told one at a time below
            db.session.rollback()
            log.exception("SLA notices: a batch of %s failed", len(batch))
            left = batch
        told += len(batch) - len(left)
        told += sum(_one_at_a_time(left, _announce_one, _notice_name))
        if len(batch) < limit:
            break
    if told:
        log.info("SLA notices: %s warnings and breaches told", told)
    return told


def _notice_name(notice: PendingNotice) -> str:
    return f"SLA notice of ticket {notice.timer.ticket_id}"


def _announce_batch(batch: Sequence[PendingNotice], leave: set[int]) -> list[PendingNotice]:
    """Claim the notices' deadlines (one UPDATE per instant found, kind and stage), delete the
    notices claimed, write their events and mail; commits. Returns the notices left: breaches of
    the policies in `leave`, and those not claimed (stale, or a second notice of a deadline)."""
    by_instant: dict[datetime, list[DueTimer]] = {}
    for notice in batch:
        by_instant.setdefault(notice.found_at, []).append(notice.timer)
    got = {
        (key, at): due
        for at, timers in by_instant.items()
        for key, due in claim_all(timers, at, leave=frozenset(leave), pending=False).items()
    }
    claimed: list[Claimed] = []
    told: set[TimerKey] = set()
    settled: set[int] = set()
    for notice in batch:
        key = notice.timer.key
        due = got.get((key, notice.found_at))
        if due is not None and key not in told:
            told.add(key)
            settled.add(notice.id)
            claimed.append(Claimed(replace(notice.timer, due=due), notice.found_at))
    if settled:
        notices.delete_notices(settled)
    _announce(claimed)
    return [notice for notice in batch if notice.id not in settled]


def _announce_one(notice: PendingNotice) -> int:
    """Claim and tell one notice in a transaction of its own, deleting it (a stale one is only
    deleted); 0 when it was stale or another run took it meanwhile."""
    claimed = [
        Claimed(taken.timer, taken.found_at)
        for taken in notices.take_notice(notice.id)
        if claim_all([taken.timer], taken.found_at, pending=False)
    ]
    _announce(claimed)
    return len(claimed)


def _one_at_a_time(items: Sequence, work: Callable, name: Callable[..., str]) -> list:
    """`work` on each item, each in a transaction of its own: one that fails is rolled back
    and logged, and the first failure is raised once the rest are done. Returns the results."""
    results, failure = [], None
    for item in items:
        try:
            results.append(work(item))
        except Exception as error:  # noqa: BLE001 - re-raised below, after the rest
            db.session.rollback()
            log.exception("%s failed", name(item))
            failure = failure or error
    if failure is not None:
        raise failure
    return results
