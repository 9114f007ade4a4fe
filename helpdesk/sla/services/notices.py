"""Notices (sla_notices): the deadlines the minutely sweep found reached, kept until told.

The sweep (`record_due`) only moves the due timers into notices, up to NOTE_BATCH a transaction
in two statements: it reads the `fire_at` index, locks no ticket and costs what is due. Those
that a timer's own job missed (Redis flushed, a worker down) are caught so. Telling a notice
(claiming it on its ticket, its event and mail) is the tickets package's: it reads them here
(`notices_after`, `take_notice`) and deletes those it told (`delete_notices`), so a notice
outlives a lost job or a restart until it is told, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, literal, select

from helpdesk import timeutil
from helpdesk.extensions import db
from helpdesk.sla.models import Notice, Timer
from helpdesk.sla.services.timers import DueTimer, one_of
from helpdesk.timeutil import UTCDateTime

NOTE_BATCH = 10_000  # due timers moved into notices a transaction


@dataclass(frozen=True, slots=True)
class PendingNotice:
    """A notice as the telling steps take it: its due timer and when the sweep found it due."""

    id: int
    timer: DueTimer
    found_at: datetime


def record_due(*, now: datetime | None = None, limit: int = NOTE_BATCH) -> int:
    """Move every timer that is due and that no job fired (Redis flushed, a worker down) into a
    notice, to be claimed and told; `limit` timers a transaction, two statements each. Reads
    the `fire_at` index and locks no ticket, so its cost follows the number due. Returns how
    many timers it moved."""
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


def oldest_notice() -> datetime | None:
    """When the oldest notice still to be told was found due; None when none is."""
    return db.session.scalar(select(func.min(Notice.fired_at)))


def notices_after(after: int, limit: int) -> list[PendingNotice]:
    """The next `limit` notices by id, locked (on PostgreSQL, those another run holds are
    skipped)."""
    query = (
        select(*_COLUMNS)
        .where(Notice.id > after)
        .order_by(Notice.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_pending(row) for row in db.session.execute(query)]


def take_notice(notice_id: int) -> list[PendingNotice]:
    """Delete the notice (no commit) and return it, or nothing when another run took it (on
    PostgreSQL, one another transaction holds is skipped)."""
    chosen = select(Notice.id).where(Notice.id == notice_id).with_for_update(skip_locked=True)
    rows = db.session.execute(
        delete(Notice)
        .where(Notice.id.in_(chosen))
        .returning(*_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return [_pending(row) for row in rows]


def delete_notices(notice_ids: set[int]) -> None:
    """Delete the notices told (no commit): one statement."""
    db.session.execute(
        delete(Notice)
        .where(one_of(Notice.id, notice_ids))
        .execution_options(synchronize_session=False)
    )


_COLUMNS = (
    Notice.id,
    Notice.ticket_id,
    Notice.kind,
    Notice.stage,
    Notice.due_at,
    Notice.fired_at,
)


def _pending(row) -> PendingNotice:
    notice_id, ticket_id, kind, stage, due, found_at = row
    return PendingNotice(notice_id, DueTimer(ticket_id, kind, stage, due), found_at)
