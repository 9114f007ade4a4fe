"""The pending timers of a ticket's deadlines (sla_timers): one at each running deadline's warning
point, one at the deadline, kept in step with the ticket's clocks and handed to RQ after the
commit. A timer's RQ job is the fast path; its row is the truth (the sweep: `notices`)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ARRAY, ColumnElement, Integer, any_, bindparam, insert, select
from sqlalchemy.types import TypeEngine

from helpdesk import timeutil
from helpdesk.extensions import db
from helpdesk.sla import clock
from helpdesk.sla.models import Timer, TimerStage
from helpdesk.sla.services.calendars import calendar_for, targets_for
from helpdesk.sla.services.deadlines import KINDS, Clocks, deadline, is_running, marker
from helpdesk.worker import ScheduledJob, enqueue_all

# The job a timer runs at its instant, named: helpdesk.sla.jobs imports these services.
FIRE_DEADLINE_JOB = "helpdesk.sla.jobs.fire_deadline"

# {(kind, stage): (fire_at, due_at)}: the timers a ticket's clocks want.
Wanted = dict[tuple[str, str], tuple[datetime, datetime]]


class Outcome(enum.StrEnum):
    """What firing a timer did; its job returns it (RQ keeps it with the job's result)."""

    WARNED = "warned"
    BREACHED = "breached"
    MOVED = "moved"  # no timer pending for that deadline any more
    EARLY = "early"  # its instant has not come
    STALE = "stale"  # the deadline moved, was met or paused, or another run recorded it


@dataclass(frozen=True, slots=True)
class TimerKey:
    """Which timer: a ticket's clock (kind) and stage (warning or breach)."""

    ticket_id: int
    kind: str
    stage: str


@dataclass(frozen=True, slots=True)
class DueTimer:
    """A timer that came due, with the deadline it belongs to."""

    ticket_id: int
    kind: str
    stage: str
    due: datetime

    @property
    def key(self) -> TimerKey:
        return TimerKey(self.ticket_id, self.kind, self.stage)


def warning_instant(now: datetime, due: datetime, lead: int, calendar: clock.Calendar) -> datetime:
    """When `lead` business minutes are left before `due` (`now` if that is already past)."""
    left = clock.remaining(now, due, calendar)
    if left <= lead:
        return now
    return clock.add(now, left - lead, calendar)


def wanted_timers(clocks: Clocks, now: datetime) -> Wanted:
    """{(kind, stage): (fire_at, due_at)} for the running, unbreached deadlines."""
    found = targets_for(clocks.sla_policy_id)
    calendar = found.calendar if found is not None else calendar_for(None)
    wanted = {}
    for kind in KINDS:
        due = deadline(clocks, kind)
        if not is_running(clocks, kind) or marker(clocks, kind, TimerStage.BREACH):
            continue
        wanted[(kind, TimerStage.BREACH)] = (due, due)
        lead = found.lead(kind) if found is not None else 0
        if lead > 0 and marker(clocks, kind, TimerStage.WARNING) is None:
            wanted[(kind, TimerStage.WARNING)] = (warning_instant(now, due, lead, calendar), due)
    return wanted


def sync_timers(ticket_id: int, clocks: Clocks, now: datetime) -> list[Timer]:
    """Make the ticket's pending timer rows match its clocks (no commit); the timers added or
    moved (what schedule_timers hands to RQ). New rows go in with one INSERT."""
    return sync_many({ticket_id: clocks}, now)


def sync_many(clocks: dict[int, Clocks], now: datetime) -> list[Timer]:
    """sync_timers for many tickets ({ticket id: its clocks}) with one SELECT of their timers
    and one INSERT of the new ones: what a change to a whole incident's tickets needs."""
    if not clocks:
        return []
    existing: dict[int, dict[tuple[str, str], Timer]] = {ticket_id: {} for ticket_id in clocks}
    for row in db.session.scalars(select(Timer).where(one_of(Timer.ticket_id, set(clocks)))):
        existing[row.ticket_id][(row.kind, row.stage)] = row
    changed: list[Timer] = []
    added: list[Timer] = []
    for ticket_id, ticket_clocks in clocks.items():
        wanted = wanted_timers(ticket_clocks, now)
        rows = existing[ticket_id]
        for key, row in rows.items():
            if key not in wanted:
                db.session.delete(row)
        for (kind, stage), (fire_at, due_at) in wanted.items():
            row = rows.get((kind, stage))
            if row is None:
                added.append(
                    Timer(
                        ticket_id=ticket_id, kind=kind, stage=stage, fire_at=fire_at, due_at=due_at
                    )
                )
            elif row.due_at != due_at:  # same deadline: same warning point (recomputing drifts)
                row.fire_at, row.due_at = fire_at, due_at
                changed.append(row)
    return changed + insert_rows(added)


def insert_timers(ticket_id: int, timers: Wanted) -> list[Timer]:
    """Insert these timer rows of the ticket with one statement; the rows, as plain objects
    outside the session (a later query of the ticket's timers loads them)."""
    return insert_rows(
        [
            Timer(ticket_id=ticket_id, kind=kind, stage=stage, fire_at=fire_at, due_at=due_at)
            for (kind, stage), (fire_at, due_at) in timers.items()
        ]
    )


def insert_rows(rows: list[Timer]) -> list[Timer]:
    """Insert timer rows (of any tickets) with one statement; the rows, outside the session."""
    if rows:
        db.session.execute(
            INSERT_TIMERS,
            [
                {
                    "ticket_id": row.ticket_id,
                    "kind": row.kind,
                    "stage": row.stage,
                    "fire_at": row.fire_at,
                    "due_at": row.due_at,
                }
                for row in rows
            ],
        )
    return rows


# Compiled once, sent as one multi-row INSERT: given many rows, a statement with RETURNING goes
# out as one INSERT of them all ("insertmanyvalues"), on PostgreSQL as on SQLite. A multi-row
# .values() has no cache key: it was compiled anew at each filing, which cost more than its run.
INSERT_TIMERS = insert(Timer.__table__).returning(Timer.__table__.c.ticket_id)


def timer_job_id(ticket_id: int, kind: str, stage: str, due: datetime) -> str:
    """Deterministic (RQ allows letters, digits, - and _): the same timer twice is one job."""
    return f"sla-{ticket_id}-{kind}-{stage}-{due.timestamp():.0f}"


def schedule_timers(ticket_id: int, *, timers: Iterable[Timer] | None = None) -> None:
    """After the commit: an RQ job at each pending timer of the ticket that lies in the future.

    `timers` are those the transaction added or moved (sync_timers, insert_timers); without
    them, the ticket's timer rows are read. Timers already due are left to the minutely sweep,
    as are those Redis loses; a job whose deadline has moved by the time it runs does nothing.
    Tolerates Redis being down.
    """
    if timers is None:
        timers = db.session.scalars(
            select(Timer).where(Timer.ticket_id == ticket_id, Timer.fire_at > timeutil.utcnow())
        ).all()
    schedule_rows(timers)


def schedule_rows(timers: Iterable[Timer]) -> None:
    """After the commit: an RQ job at each of these timers (of any tickets) that lies in the
    future, with one Redis round trip. Tolerates Redis being down."""
    enqueue_all(timer_jobs(timers))


def timer_jobs(timers: Iterable[Timer]) -> list[ScheduledJob]:
    """The RQ jobs of these timers that lie in the future (for enqueue_all, with other jobs of
    the same change)."""
    now = timeutil.utcnow()
    return [
        ScheduledJob(
            at=row.fire_at,
            func=FIRE_DEADLINE_JOB,
            args=(row.ticket_id, row.kind, row.stage, row.due_at.isoformat()),
            job_id=timer_job_id(row.ticket_id, row.kind, row.stage, row.due_at),
        )
        for row in timers
        if row.fire_at > now
    ]


def waiting(timer: DueTimer, now: datetime) -> Outcome | None:
    """Why a timer's job finds nothing to fire yet: no timer is pending for that deadline any
    more (MOVED) or its instant has not come (EARLY); None when it is due."""
    row = db.session.get(Timer, (timer.ticket_id, timer.kind, timer.stage))
    if row is None or row.due_at != timer.due:
        return Outcome.MOVED
    if now < row.fire_at:
        return Outcome.EARLY
    return None


def one_of(column: ColumnElement, values: set, of: TypeEngine | None = None) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter (a thousand
    placeholders cost the driver more than the database its work)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, sorted(values), type_=ARRAY(of or Integer())))
    return column.in_(values)
