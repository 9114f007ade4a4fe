"""The outbox sweep: rows that no job took (Redis was down at the commit, a worker died) are
handed over to send jobs again, and leased so that a long work queue gets no copies of them."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from helpdesk.extensions import db
from helpdesk.notifications.models import Outbox, OutboxStatus
from helpdesk.notifications.sending import CLAIM_TIMEOUT, HOST, hand_over, is_claimable
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

SWEEP_GRACE = timedelta(seconds=30)  # what dispatch just handed over is not the sweep's yet
# A row the sweep handed over is not handed over again before this: a long work queue is not
# filled with copies of rows that are only waiting their turn.
HANDOVER_LEASE = timedelta(minutes=5)


def due_ids(now: datetime, *, limit: int = 500) -> list[int]:
    """Rows that no job holds and are due: pending past their time, or claimed by a dead worker."""
    query = (
        select(Outbox.id)
        .where(
            or_(
                (Outbox.status == OutboxStatus.PENDING) & (Outbox.next_attempt_at <= now),
                (Outbox.status == OutboxStatus.SENDING) & (Outbox.claimed_at < now - CLAIM_TIMEOUT),
            )
        )
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def release_dead_claims(now: datetime) -> int:
    """Give back, due now, the rows being sent by processes of this host that are gone (a
    worker killed or crashed mid-job), without waiting for the claim timeout; how many.
    Commits. A message the process was handing to the SMTP server when it died may have
    arrived: sent again, it keeps its Message-ID (at least once, never lost)."""
    claimers = db.session.scalars(
        select(Outbox.claimed_by)
        .where(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_by.like(f"{HOST}:%"))
        .distinct()
    )
    dead = [name for name in claimers if not alive(int(name.rpartition(":")[2]))]
    if not dead:
        return 0
    released = db.session.execute(
        update(Outbox)
        .where(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_by.in_(dead))
        .values(status=OutboxStatus.PENDING, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    log.warning("outbox gave back %s rows of %s, gone while sending them", released, dead)
    return released


def alive(pid: int) -> bool:
    """Whether a process of that id runs on this host (perhaps another one, that reused it:
    its rows then wait for the claim timeout)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(*, now: datetime | None = None, grace: timedelta = SWEEP_GRACE) -> int:
    """Hand over to RQ the due rows that no job took (Redis down at commit, a worker died);
    returns how many. Commits: each row handed over is leased for HANDOVER_LEASE."""
    now = now or utcnow()
    release_dead_claims(now - grace)
    due = due_ids(now - grace)
    handed = hand_over(due)  # rows that Redis refused stay due for the next sweep
    if handed:
        db.session.execute(
            update(Outbox)
            .where(Outbox.id.in_(due[:handed]), is_claimable(now - grace))
            .values(status=OutboxStatus.PENDING, next_attempt_at=now + HANDOVER_LEASE)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        log.info("outbox sweep handed over %s rows", handed)
    return handed
