"""Firing SLA timers: warn, breach, escalate, and the minutely sweep that catches lost timers.

A timer fires in two steps. Claiming: one conditional UPDATE per clock and stage sets the
warned or breached markers of the tickets whose deadline is still the timer's and whose marker
is still empty (so of two runs, a job and the sweep or a retried job, only one goes on), and one
DELETE drops the batch's timer rows. Announcing: a query loads the claimed tickets with their
queue and another their assignees and supervisors, one INSERT adds the events, the outbox rows
join the same transaction, one commit; mail goes to RQ after it. Either step costs the same
few statements whatever the number of timers.

A timer's own RQ job (`fire_timer`) does both at once. The minutely sweep (`record_due`) only
moves the due timers into notices (sla_notices), up to NOTE_BATCH a transaction in two
statements: it locks no ticket and costs what is due. The announcing job (`announce_pending`)
claims the notices' deadlines as above, writes the events and mail and deletes the notices, in
one transaction a batch: a notice outlives a lost job or a restart until it is told, once.

Escalation steps (raise the priority, move to the next queue) go through the tickets' workflow,
ticket by ticket: the announcing job leaves the breaches of tickets whose policy asks for them
out of its batch and tells those one at a time, as it does every notice of a batch that failed.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Integer,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import joinedload, lazyload, load_only
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeEngine

from helpdesk import errors, timeutil
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.routing.models import Queue
from helpdesk.sla import services
from helpdesk.sla.models import Notice, Policy, Timer, TimerKind, TimerStage
from helpdesk.tickets.models import OPEN_STATUSES, Event, Priority, Ticket
from helpdesk.timeutil import UTCDateTime

log = logging.getLogger(__name__)

# What fire_timer did; the job returns it (RQ keeps it with the job's result).
WARNED, BREACHED = "warned", "breached"
MOVED, EARLY, STALE = "moved", "early", "stale"
NOTE_BATCH = 10_000  # due timers moved into notices a transaction
ANNOUNCE_BATCH = 1000  # notices claimed and told a transaction

# A due timer as the sweep reads it: ticket id, kind, stage and the deadline it belongs to.
Due = tuple[int, str, str, datetime]
Key = tuple[int, str, str]
# A claimed timer to announce: ticket id, kind, stage, its deadline, when it was claimed.
Claimed = tuple[int, str, str, datetime, datetime]

# What a warning or breach reads of a ticket (its mail: tickets.services.mail.ticket_context).
MAILED_COLUMNS = (
    Ticket.number,
    Ticket.subject,
    Ticket.status,
    Ticket.priority,
    Ticket.queue_id,
    Ticket.assignee_id,
    Ticket.sla_policy_id,
    Ticket.first_responded_at,
    Ticket.first_response_due,
    Ticket.resolution_due,
    Ticket.version,
)


def fire_timer(ticket_id: int, kind: str, stage: str, due: datetime, *, now: datetime) -> str:
    """Record that a deadline's warning point or the deadline itself is reached, once. Commits.

    Does nothing when the timer is not pending any more for that deadline ("moved"), its
    instant has not come ("early"), or the ticket's deadline moved, was met or paused, or another
    run recorded it ("stale": the timer row goes). Otherwise as `fire`.
    """
    timer = db.session.get(Timer, (ticket_id, kind, stage))
    if timer is None or timer.due_at != due:
        return MOVED
    if now < timer.fire_at:
        return EARLY
    outcomes = fire([(ticket_id, kind, stage, due)], now=now)
    return outcomes.get((ticket_id, kind, stage), MOVED)  # moved again meanwhile


def fire(timers: Sequence[Due], *, now: datetime) -> dict[Key, str]:
    """Fire due timers as one batch: claim, record the events, queue the mail. Commits once.

    A warning tells the assignee, and the supervisor (the queue's address without one) while the
    ticket is unassigned or unanswered; a warning reached after its deadline is recorded quietly.
    A breach tells the assignee and the supervisor (see `breach`), then runs the policy's
    escalation steps. A timer that a concurrent change made pending again is neither claimed
    nor dropped: it gets no outcome. Returns {(ticket id, kind, stage): WARNED, BREACHED, or
    STALE (moved, met, paused or recorded by another run)} for the others.
    """
    claimed, outcomes = _take(timers, now)
    _announce(claimed)
    _log(timers, outcomes)
    return outcomes


def _take(timers: Sequence[Due], now: datetime) -> tuple[list[Claimed], dict[Key, str]]:
    """Claim the timers and drop their rows (no commit): the claimed ones in the batch's order,
    and every outcome."""
    claimed = _claim(timers, now)
    dropped = _drop(timers, now)
    outcomes = {key: STALE for key in dropped - claimed.keys()}
    outcomes.update({key: WARNED if key[2] == TimerStage.WARNING else BREACHED for key in claimed})
    taken = [
        (ticket_id, kind, stage, claimed[(ticket_id, kind, stage)], now)
        for ticket_id, kind, stage, _due in timers
        if (ticket_id, kind, stage) in claimed
    ]
    return taken, outcomes


def _announce(claimed: Sequence[Claimed]) -> None:
    """The claimed timers' events and mail, then the escalation steps of breaches whose policy
    has them; commits, hands the mail to RQ and schedules the escalated tickets' new timers."""
    outbox: list = []
    escalating: list[tuple[Ticket, str, services.Targets, datetime]] = []
    if claimed:
        tickets = _load({ticket_id for ticket_id, *_rest in claimed})
        found_for = {
            p: services.targets_for(p) for p in {t.sla_policy_id for t in tickets.values()}
        }
        events: list[dict] = []
        for ticket_id, kind, stage, due, at in claimed:
            ticket = tickets[ticket_id]
            if stage == TimerStage.WARNING:
                outbox += [] if at >= due else warn(ticket, kind, due, events, now=at)
                continue
            found = found_for[ticket.sla_policy_id]
            outbox += breach(ticket, kind, due, found, events, now=at)
            if found is not None and (found.raise_priority or found.transfer_to_next_queue):
                escalating.append((ticket, kind, found, at))
        if events:
            # RETURNING makes it one multi-row INSERT on every driver (not one per row).
            db.session.execute(insert(Event).returning(Event.id), events)
        for ticket, kind, found, at in escalating:
            db.session.expire(ticket, ["events"])  # the events just inserted belong to it
            outbox += escalate(ticket, kind, found, now=at)
    db.session.commit()
    _dispatch(outbox)
    for ticket in {id(ticket): ticket for ticket, *_rest in escalating}.values():
        services.schedule_timers(ticket)  # an escalation may have set new deadlines


def _log(timers: Sequence[Due], outcomes: dict[Key, str]) -> None:
    if len(timers) == 1:
        log.info("ticket %s: %s %s %s", *timers[0][:3], outcomes.get(timers[0][:3], MOVED))
    else:  # one line a batch: a line per ticket costs more than the rest of its work
        counts = Counter(outcomes.values())
        log.info("SLA timers: %s warned, %s breached", counts[WARNED], counts[BREACHED])


def announce_pending(*, limit: int = ANNOUNCE_BATCH) -> int:
    """Claim the deadlines of the sweep's notices and write their events and mail, oldest
    first, `limit` notices a transaction that also deletes those it told (on PostgreSQL,
    notices another run holds are skipped). What a batch leaves goes one notice at a time: the
    breaches of policies that escalate, a notice the batch could not claim (a stale one is
    dropped there) and every notice of a batch that failed, so one ticket's failure does not
    hold the others back; the first failure is raised once the rest are done (its notice stays
    for the next run). Returns how many warnings and breaches were told."""
    told, after, leave = 0, 0, None
    while notices := _notices_after(after, limit):
        after = notices[-1][-1]
        leave = escalating_policies() if leave is None else leave
        try:
            left = _announce_batch(notices, leave)
        except Exception:  # noqa: BLE001 - its notices are told one at a time below
            db.session.rollback()
            log.exception("SLA notices: a batch of %s failed", len(notices))
            left = notices
        told += len(notices) - len(left)
        told += sum(_one_at_a_time(left, _announce_one, lambda n: f"SLA notice of ticket {n[0]}"))
        if len(notices) < limit:
            break
    if told:
        log.info("SLA notices: %s warnings and breaches told", told)
    return told


def _notices_after(after: int, limit: int) -> list[tuple]:
    """The next `limit` notices by id, each as a due timer with when it was found due and its id
    (ticket id, kind, stage, deadline, found at, id), locked (those another run holds skipped)."""
    query = (
        select(*_notice_columns())
        .where(Notice.id > after)
        .order_by(Notice.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _announce_batch(notices: Sequence[tuple], leave: set[int]) -> list[tuple]:
    """Claim the notices' deadlines (one UPDATE per instant found, kind and stage), delete the
    notices claimed, write their events and mail; commits. Returns the notices left: breaches of
    the policies in `leave`, and those not claimed (stale, or a second notice of a deadline)."""
    by_instant: dict[datetime, list[tuple]] = {}
    for notice in notices:
        by_instant.setdefault(notice[4], []).append(notice)
    got = {
        (*key, at): due
        for at, group in by_instant.items()
        for key, due in _claim(group, at, leave=frozenset(leave), pending=False).items()
    }
    claimed: list[Claimed] = []
    told: set[Key] = set()
    settled: set[int] = set()
    for ticket_id, kind, stage, _due, at, notice_id in notices:
        due = got.get((ticket_id, kind, stage, at))
        if due is not None and (ticket_id, kind, stage) not in told:
            told.add((ticket_id, kind, stage))
            settled.add(notice_id)
            claimed.append((ticket_id, kind, stage, due, at))
    if settled:
        db.session.execute(
            delete(Notice)
            .where(_one_of(Notice.id, settled))
            .execution_options(synchronize_session=False)
        )
    _announce(claimed)
    return [notice for notice in notices if notice[-1] not in settled]


def _announce_one(notice: tuple) -> int:
    """Claim and tell one notice in a transaction of its own, deleting it (a stale one is only
    deleted); 0 when it was stale or another run took it meanwhile."""
    claimed: list[Claimed] = []
    for ticket_id, kind, stage, due, at, _id in _take_notice(notice[-1]):
        if _claim([(ticket_id, kind, stage, due)], at, pending=False):
            claimed.append((ticket_id, kind, stage, due, at))
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


def _take_notice(notice_id: int) -> list:
    """Delete the notice (no commit) and return it as `_notices_after` does, or nothing when
    another run took it (on PostgreSQL, one another transaction holds is skipped)."""
    chosen = select(Notice.id).where(Notice.id == notice_id).with_for_update(skip_locked=True)
    return list(
        db.session.execute(
            delete(Notice)
            .where(Notice.id.in_(chosen))
            .returning(*_notice_columns())
            .execution_options(synchronize_session=False)
        )
    )


def _notice_columns() -> tuple:
    """A notice as the announcing steps take it: as a due timer, with when it was found due
    and its id."""
    return Notice.ticket_id, Notice.kind, Notice.stage, Notice.due_at, Notice.fired_at, Notice.id


def oldest_notice() -> datetime | None:
    """When the oldest notice still to be told was found due; None when none is."""
    return db.session.scalar(select(func.min(Notice.fired_at)))


def claim(ticket_id: int, kind: str, stage: str, due: datetime, now: datetime) -> bool:
    """Set the marker if nobody has and the deadline is still `due`; True for the one who did."""
    return (ticket_id, kind, stage) in _claim([(ticket_id, kind, stage, due)], now)


def _groups(timers: Sequence[tuple]) -> dict[tuple[str, str], list[tuple]]:
    """Due or claimed timers by kind and stage."""
    groups: dict[tuple[str, str], list[tuple]] = {}
    for timer in timers:
        groups.setdefault((timer[1], timer[2]), []).append(timer)
    return groups


def _pending(kind: str, stage: str, now: datetime) -> ColumnElement[bool]:
    """A ticket's timer row of that kind and stage is due at `now` for its current deadline."""
    return (
        select(Timer.ticket_id)
        .where(
            Timer.ticket_id == Ticket.id,
            Timer.kind == kind,
            Timer.stage == stage,
            Timer.due_at == getattr(Ticket, f"{kind}_due"),
            Timer.fire_at <= now,
        )
        .exists()
    )


def _live(kind: str, stage: str) -> ColumnElement[bool]:
    """The ticket still runs that clock and its marker for that stage is still empty."""
    marker = getattr(Ticket, services.marker_name(kind, stage))
    if kind == TimerKind.FIRST_RESPONSE:
        counting = Ticket.first_responded_at.is_(None)
    else:
        counting = Ticket.sla_paused_at.is_(None)
    return and_(Ticket.status.in_(OPEN_STATUSES), counting, marker.is_(None))


def _claim(
    timers: Sequence[Due],
    now: datetime,
    *,
    leave: frozenset[int] = frozenset(),
    pending: bool = True,
) -> dict[Key, datetime]:
    """Set the markers of the timers whose ticket still has that deadline, due now (its timer
    row pending; not asked of a notice, whose row the sweep took), with the marker still empty:
    one UPDATE per kind and stage. Breaches of tickets whose policy is in `leave` are left.
    Returns {claimed timer: its deadline}."""
    claimed: dict[Key, datetime] = {}
    for (kind, stage), group in _groups(timers).items():
        marker = getattr(Ticket, services.marker_name(kind, stage))
        deadline = getattr(Ticket, f"{kind}_due")
        conditions = [
            _pairs_of(Ticket.id, deadline, {(timer[0], timer[3]) for timer in group}),
            _live(kind, stage),
        ]
        if pending:
            conditions.append(_pending(kind, stage, now))
        if leave and stage == TimerStage.BREACH:
            conditions.append(
                or_(Ticket.sla_policy_id.is_(None), Ticket.sla_policy_id.not_in(leave))
            )
        rows = db.session.execute(
            update(Ticket)
            .where(*conditions)
            # updated_at stays: a timer is not someone working on the ticket
            .values({marker: now, Ticket.updated_at: Ticket.updated_at})
            .returning(Ticket.id, deadline)
            .execution_options(synchronize_session=False)
        )
        claimed.update({(ticket_id, kind, stage): due for ticket_id, due in rows})
    return claimed


def _one_of(
    column: ColumnElement, values: set, of: TypeEngine | None = None
) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter (a thousand
    placeholders cost the driver more than the database its work)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, sorted(values), type_=ARRAY(of or Integer())))
    return column.in_(values)


def _pairs_of(
    ticket_id: ColumnElement, deadline: ColumnElement, pairs: set[tuple[int, datetime]]
) -> ColumnElement[bool]:
    """`(ticket_id, deadline) IN pairs`, each ticket with its own deadline; on PostgreSQL from
    two array parameters (see `_one_of`)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return tuple_(ticket_id, deadline).in_(pairs)
    ids, dues = zip(*sorted(pairs), strict=True)
    unnested = select(
        func.unnest(bindparam(None, list(ids), type_=ARRAY(Integer()))),
        func.unnest(bindparam(None, list(dues), type_=ARRAY(DateTime(timezone=True)))),
    )
    return tuple_(ticket_id, deadline).in_(unnested)


def _drop(timers: Sequence[Due], now: datetime) -> set[Key]:
    """Delete the batch's timer rows that are no longer pending: those just claimed and those
    whose deadline moved, was met or paused (a row the hooks missed). One DELETE per kind and
    stage; returns the timers deleted."""
    dropped: set[Key] = set()
    for (kind, stage), group in _groups(timers).items():
        live = (
            select(Ticket.id)
            .where(
                Ticket.id == Timer.ticket_id,
                getattr(Ticket, f"{kind}_due") == Timer.due_at,
                _live(kind, stage),
            )
            .exists()
        )
        rows = db.session.execute(
            delete(Timer)
            .where(
                _one_of(Timer.ticket_id, {timer[0] for timer in group}),
                Timer.kind == kind,
                Timer.stage == stage,
                Timer.fire_at <= now,
                ~live,
            )
            .returning(Timer.ticket_id)
            .execution_options(synchronize_session=False)
        )
        dropped.update((ticket_id, kind, stage) for (ticket_id,) in rows)
    return dropped


def _load(ticket_ids: set[int]) -> dict[int, Ticket]:
    """The claimed tickets as they are now (markers set) with what their mail shows, and the
    people it goes to (`ticket.assignee`, `ticket.queue.supervisor`): two queries, whatever the
    number of tickets and people."""
    query = (
        select(Ticket)
        .where(Ticket.id.in_(ticket_ids))
        .options(
            load_only(*MAILED_COLUMNS),
            joinedload(Ticket.queue).load_only(Queue.name, Queue.email, Queue.supervisor_id),
        )
        .execution_options(populate_existing=True)
    )
    tickets = {ticket.id: ticket for ticket in db.session.scalars(query)}
    wanted = {ticket.assignee_id for ticket in tickets.values()}
    wanted |= {ticket.queue.supervisor_id for ticket in tickets.values()}
    wanted.discard(None)
    people: dict[int, User] = {}
    if wanted:
        query = select(User).where(User.id.in_(wanted)).options(lazyload("*"))
        people = {user.id: user for user in db.session.scalars(query)}
    # The session holds objects weakly: each user is attached to what refers to it, or it
    # would be gone from the identity map by the time its mail is built (a query per user).
    for ticket in tickets.values():
        set_committed_value(ticket, "assignee", people.get(ticket.assignee_id))
        set_committed_value(ticket.queue, "supervisor", people.get(ticket.queue.supervisor_id))
    return tickets


def escalating_policies() -> set[int]:
    """The policies with escalation steps beyond telling the supervisor."""
    return set(
        db.session.scalars(
            select(Policy.id).where(or_(Policy.raise_priority, Policy.transfer_to_next_queue))
        )
    )


def _dispatch(outbox: list) -> None:
    from helpdesk.notifications.outbox import dispatch

    dispatch(outbox)


def _event(ticket: Ticket, kind: str, *, now: datetime, **data) -> dict:
    return {"ticket_id": ticket.id, "actor_id": None, "kind": kind, "data": data, "created_at": now}


def _supervisor(ticket: Ticket) -> User | None:
    queue = ticket.queue
    if queue is None or queue.supervisor_id is None:
        return None
    return queue.supervisor


def _context(ticket: Ticket, kind: str, due: datetime) -> dict:
    from helpdesk.tickets.services.mail import local_time, ticket_context

    return {
        **ticket_context(ticket),
        "clock": kind,
        "due": local_time(due),
        "assignee": ticket.assignee.full_name if ticket.assignee else "",
        "answered": ticket.first_responded_at is not None,
    }


def _mail(
    template: str, key: str, context: dict, *, user: User | None = None, address: str = ""
) -> list:
    from helpdesk.tickets.services.mail import to_address, to_user

    if user is not None:
        return to_user(user, template, key, context, essential=True)
    return to_address(address, template, key, context) if address else []


def warn(ticket: Ticket, kind: str, due: datetime, events: list[dict], *, now: datetime) -> list:
    """The warning's event (added to `events`) and mail (no commit): the assignee is warned; a
    ticket still unassigned or unanswered goes to the supervisor (the queue's address without
    one)."""
    events.append(_event(ticket, "sla_warning", now=now, clock=kind, due=due.isoformat()))
    context = _context(ticket, kind, due)
    key = f"sla:{ticket.id}:{kind}:warning:{due.timestamp():.0f}"
    outbox = _mail("sla_warning", key, context, user=ticket.assignee)
    if ticket.assignee_id is None or ticket.first_responded_at is None:
        supervisor = _supervisor(ticket)
        if supervisor is None or supervisor.id != ticket.assignee_id:
            outbox += _mail(
                "sla_unanswered", key, context, user=supervisor, address=ticket.queue.email
            )
    return outbox


def breach(
    ticket: Ticket,
    kind: str,
    due: datetime,
    found: services.Targets | None,
    events: list[dict],
    *,
    now: datetime,
) -> list:
    """The breach's event (added to `events`) and mail (no commit).

    The assignee is told, and the supervisor (the policy's first escalation step; always when
    nobody holds the ticket), or the queue's address when it has no supervisor. The event
    names the supervisor told (`supervisor_id`).
    """
    context = _context(ticket, kind, due)
    key = f"sla:{ticket.id}:{kind}:breach:{due.timestamp():.0f}"
    outbox = _mail("sla_breach", key, context, user=ticket.assignee)
    told = None
    if ticket.assignee_id is None or (found.notify_supervisor if found is not None else True):
        supervisor = _supervisor(ticket)
        if supervisor is None or supervisor.id != ticket.assignee_id:
            rows = _mail("sla_breach", key, context, user=supervisor, address=ticket.queue.email)
            outbox += rows
            told = supervisor.id if rows and supervisor is not None else None
    events.append(
        _event(ticket, "sla_breached", now=now, clock=kind, due=due.isoformat(), supervisor_id=told)
    )
    return outbox


def escalate(ticket: Ticket, kind: str, found: services.Targets, *, now: datetime) -> list:
    """The policy's escalation steps after a breach (no commit): raise the priority one level
    (never above critical; deadlines that still run follow it), move to the next queue on the
    routing path (unassigned there, then auto-assigned). Returns the outbox rows."""
    from helpdesk.tickets.services import stage_event

    outbox: list = []
    if found.raise_priority and ticket.priority > Priority.CRITICAL:
        old, new = ticket.priority, ticket.priority - 1
        ticket.priority = new
        ticket.updated_at = now
        stage_event(ticket, "escalated", at=now, step="priority", clock=kind, old=old, new=new)
        services.on_priority_change(ticket, now)
    if found.transfer_to_next_queue:
        outbox += _move_to_next_queue(ticket, kind, now=now)
    return outbox


def _move_to_next_queue(ticket: Ticket, kind: str, *, now: datetime) -> list:
    from helpdesk.routing import services as routing
    from helpdesk.tickets.services import transfer

    target = routing.escalation_target(ticket.queue_id, ticket.routing_rule_id)
    if target is None or target == ticket.queue_id:
        return []
    reason = f"SLA breach: {kind.replace('_', ' ')}"
    try:
        return transfer.stage_transfer(
            None, ticket, target, reason=reason, now=now, kind="escalated"
        )
    except errors.HelpdeskError as error:  # the target went inactive: the breach still stands
        log.warning("ticket %s not escalated to queue %s: %s", ticket.id, target, error.message)
        return []


def record_due(*, now: datetime | None = None, limit: int = NOTE_BATCH) -> int:
    """Move every timer that is due and that no job fired (Redis flushed, a worker down) into a
    notice, for `announce_pending` to claim and tell; `limit` timers a transaction, two
    statements each. Reads the `fire_at` index and locks no ticket, so its cost follows the
    number due. Returns how many timers it moved."""
    now = now or timeutil.utcnow()
    moved = 0
    while True:
        count = _note_due(now, limit)
        moved += count
        if count < limit:
            return moved


def _note_due(now: datetime, limit: int) -> int:
    """Notices of the `limit` timers due first (warning before breach), then those timers'
    rows deleted; commits. A row that changed in between (a new deadline) stays."""
    due = (
        select(Timer.ticket_id, Timer.kind, Timer.stage, Timer.due_at, literal(now, UTCDateTime()))
        .where(Timer.fire_at <= now)
        .order_by(Timer.fire_at, Timer.stage.desc(), Timer.ticket_id)
        .limit(limit)
    )
    columns = ["ticket_id", "kind", "stage", "due_at", "fired_at"]
    noting = insert(Notice).from_select(columns, due).execution_options(preserve_rowcount=True)
    count = db.session.execute(noting).rowcount
    noted = (
        select(Notice.id)
        .where(
            Notice.ticket_id == Timer.ticket_id,
            Notice.kind == Timer.kind,
            Notice.stage == Timer.stage,
            Notice.due_at == Timer.due_at,
            Notice.fired_at == now,
        )
        .exists()
    )
    db.session.execute(
        delete(Timer)
        .where(Timer.fire_at <= now, noted)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return count


def sweep(*, now: datetime | None = None) -> int:
    """Note what is due and tell it at once (`record_due`, then `announce_pending`). Returns
    how many warnings and breaches were told."""
    record_due(now=now)
    return announce_pending()
