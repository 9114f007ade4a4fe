"""Claiming reached deadlines on their tickets: the warned or breached marker set once.

One conditional UPDATE per clock and stage sets the markers of the tickets whose deadline is
still the timer's and whose marker is still empty, so of two runs (a job and the sweep, or a
retried job) only one goes on; one DELETE per clock and stage drops the timer rows that are no
longer pending. Either costs the same few statements whatever the number of timers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Integer,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)

from helpdesk.extensions import db
from helpdesk.sla import services as sla
from helpdesk.sla.models import Timer, TimerKind, TimerStage
from helpdesk.sla.services.timers import DueTimer, Outcome, TimerKey, one_of
from helpdesk.tickets.models import OPEN_STATUSES, Ticket


@dataclass(frozen=True, slots=True)
class Claimed:
    """A deadline claimed on its ticket, to announce: the timer, with the deadline the claim
    found, and when it was claimed."""

    timer: DueTimer
    at: datetime


def claim(ticket_id: int, kind: str, stage: str, due: datetime, now: datetime) -> bool:
    """Set the marker if nobody has and the deadline is still `due`; True for the one who did."""
    timer = DueTimer(ticket_id, kind, stage, due)
    return timer.key in claim_all([timer], now)


def take(timers: Sequence[DueTimer], now: datetime) -> tuple[list[Claimed], dict[TimerKey, str]]:
    """Claim the timers and drop their rows (no commit): the claimed ones in the batch's order,
    and every outcome (WARNED, BREACHED, or STALE for a row dropped unclaimed)."""
    claimed = claim_all(timers, now)
    dropped = drop(timers, now)
    outcomes: dict[TimerKey, str] = {key: Outcome.STALE for key in dropped - claimed.keys()}
    for key in claimed:
        outcomes[key] = Outcome.WARNED if key.stage == TimerStage.WARNING else Outcome.BREACHED
    taken = [
        Claimed(DueTimer(t.ticket_id, t.kind, t.stage, claimed[t.key]), now)
        for t in timers
        if t.key in claimed
    ]
    return taken, outcomes


def claim_all(
    timers: Sequence[DueTimer],
    now: datetime,
    *,
    leave: frozenset[int] = frozenset(),
    pending: bool = True,
) -> dict[TimerKey, datetime]:
    """Set the markers of the timers whose ticket still has that deadline, due now (its timer
    row pending; not asked of a notice, whose row the sweep took), with the marker still empty:
    one UPDATE per kind and stage. Breaches of tickets whose policy is in `leave` are left.
    Returns {claimed timer: its deadline}."""
    claimed: dict[TimerKey, datetime] = {}
    for (kind, stage), group in _groups(timers).items():
        marker = getattr(Ticket, sla.marker_name(kind, stage))
        deadline = getattr(Ticket, f"{kind}_due")
        conditions = [
            _pairs_of(Ticket.id, deadline, {(timer.ticket_id, timer.due) for timer in group}),
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
        claimed.update({TimerKey(ticket_id, kind, stage): due for ticket_id, due in rows})
    return claimed


def drop(timers: Sequence[DueTimer], now: datetime) -> set[TimerKey]:
    """Delete the batch's timer rows that are no longer pending: those just claimed and those
    whose deadline moved, was met or paused (a row the hooks missed). One DELETE per kind and
    stage; returns the timers deleted."""
    dropped: set[TimerKey] = set()
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
                one_of(Timer.ticket_id, {timer.ticket_id for timer in group}),
                Timer.kind == kind,
                Timer.stage == stage,
                Timer.fire_at <= now,
                ~live,
            )
            .returning(Timer.ticket_id)
            .execution_options(synchronize_session=False)
        )
        dropped.update(TimerKey(ticket_id, kind, stage) for (ticket_id,) in rows)
    return dropped


def _groups(timers: Sequence[DueTimer]) -> dict[tuple[str, str], list[DueTimer]]:
    """Due or claimed timers by kind and stage."""
    groups: dict[tuple[str, str], list[DueTimer]] = {}
    for timer in timers:
        groups.setdefault((timer.kind, timer.stage), []).append(timer)
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
    marker = getattr(Ticket, sla.marker_name(kind, stage))
    if kind == TimerKind.FIRST_RESPONSE:
        counting = Ticket.first_responded_at.is_(None)
    else:
        counting = Ticket.sla_paused_at.is_(None)
    return and_(Ticket.status.in_(OPEN_STATUSES), counting, marker.is_(None))


def _pairs_of(
    ticket_id: ColumnElement, deadline: ColumnElement, pairs: set[tuple[int, datetime]]
) -> ColumnElement[bool]:
    """`(ticket_id, deadline) IN pairs`, each ticket with its own deadline; on PostgreSQL from
    two array parameters (see sla.services.timers.one_of)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return tuple_(ticket_id, deadline).in_(pairs)
    ids, dues = zip(*sorted(pairs), strict=True)
    unnested = select(
        func.unnest(bindparam(None, list(ids), type_=ARRAY(Integer()))),
        func.unnest(bindparam(None, list(dues), type_=ARRAY(DateTime(timezone=True)))),
    )
    return tuple_(ticket_id, deadline).in_(unnested)
