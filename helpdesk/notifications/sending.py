"""Sending: hand rows to send jobs, and what a send job does with them: claim, render, deliver
over one SMTP connection, record the outcome, retry with backoff, give back what it cannot
finish in time."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from jinja2 import TemplateError
from sqlalchemy import Connection, bindparam, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session

from helpdesk.extensions import db
from helpdesk.notifications import transport
from helpdesk.notifications.models import Outbox, OutboxStatus
from helpdesk.notifications.rendering import file_name, message_id, render
from helpdesk.timeutil import utcnow
from helpdesk.worker import ScheduledJob, enqueue_all

log = logging.getLogger(__name__)

# The send job, named: notifications.jobs imports this module, so the job is not imported here.
SEND_JOB = "helpdesk.notifications.jobs.send_email"


def process_space() -> str:
    """The host and the process-id namespace this process runs in: a claim's process id means
    something only there (two containers may share a host name, not their process ids)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid").strip("pid:[]")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()[:80]}/{namespace}"


HOST = process_space()
# A claim older than this belongs to a dead worker. It must exceed the longest delivery
# (transport.DEFAULT_TIMEOUT per SMTP step), or a slow send would be taken over and doubled.
CLAIM_TIMEOUT = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
BATCH_SIZE = 50  # rows per send job: one SMTP connection, one job's overhead
# How long a send job goes on with other due rows once its own are done: a burst of mail goes
# out over one connection at the speed of SMTP, not of one job (and one fork) per message,
# while other work waiting in the work queue is held back for seconds at most.
DRAIN_TIME = timedelta(seconds=10)
# A send job's own rows take at most about a claim timeout (see send_batch), its drain as much.
SEND_JOB_TIMEOUT = CLAIM_TIMEOUT * 2 + DRAIN_TIME


class HeldConnection:
    """A send job's one connection, each statement its own transaction. A connection that the
    database dropped between two statements (a restart, a failover, an administrator, an idle
    timeout) is opened again once and the statement run again: a message just delivered is
    still recorded as sent, not sent twice after the claim timeout. Each statement of a send
    job may run twice: claims, records and give-backs are conditional on the row's state."""

    def __init__(self) -> None:
        self.connection = self.open()

    @staticmethod
    def open() -> Connection:
        return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def execute(self, statement, parameters=None):
        try:
            return self.connection.execute(statement, parameters)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.warning("send job's database connection lost; connecting again: %s", error.orig)
            self.connection.close()
            self.connection = self.open()
            return self.connection.execute(statement, parameters)

    def scalars(self, statement):
        return self.execute(statement).scalars()

    def commit(self) -> None:
        """Nothing to do: every statement commits by itself."""

    def __enter__(self) -> HeldConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.connection.close()


# What the sending functions read and write through: the request's session, or a connection
# a send job holds for all its rows.
Database = Connection | Session | scoped_session | HeldConnection


def hand_over(ids: Sequence[int], *, at: datetime | None = None) -> int:
    """Send jobs for these rows, BATCH_SIZE a job, now or at an instant, with one Redis round
    trip; how many rows RQ took (none when Redis is down: the sweep will hand them over)."""
    return len(ids) if enqueue_all(send_jobs(ids, at=at)) else 0


def send_jobs(ids: Sequence[int], *, at: datetime | None = None) -> list[ScheduledJob]:
    """The send jobs of these rows, BATCH_SIZE a job, now or at an instant (for enqueue_all,
    with other jobs of the same change)."""
    timeout = int(SEND_JOB_TIMEOUT.total_seconds())
    return [ScheduledJob(at, SEND_JOB, tuple(batch), timeout=timeout) for batch in batches(ids)]


def batches(ids: Sequence[int], size: int = BATCH_SIZE) -> list[list[int]]:
    """The ids in lists of `size`, in their order: one send job each."""
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


@dataclass(frozen=True)
class Claim:
    """A row as this job claimed it: what sending needs, read by the claiming UPDATE itself."""

    id: int
    key: str
    template: str
    to: str
    language: str
    context: dict
    attempts: int
    give_up_at: datetime
    claimed_at: datetime
    message_id: str


def is_claimable(now: datetime):
    """Pending, or claimed by a worker that has been silent past the claim timeout."""
    return or_(
        Outbox.status == OutboxStatus.PENDING,
        (Outbox.status == OutboxStatus.SENDING) & (Outbox.claimed_at < now - CLAIM_TIMEOUT),
    )


def claimer() -> str:
    """This process, as a claim names it: its host and process id."""
    return f"{HOST}:{os.getpid()}"


def claim(outbox_id: int, now: datetime, *, via: Database | None = None) -> Claim | None:
    """Take the row for this job (commits); None when it is not ours to send: already sent or
    failed, gone, or held by a live worker."""
    claimed = claim_many([outbox_id], now, via=via)
    return claimed[0] if claimed else None


def claim_many(
    outbox_ids: Sequence[int], now: datetime, *, via: Database | None = None
) -> list[Claim]:
    """Take for this job, with one conditional UPDATE, those of the rows that no one else holds
    or has sent (commits); in the order of `outbox_ids`.

    RQ does not deduplicate jobs, so the same id may be in several jobs, or in one job that
    runs twice: only one of them gets the row.
    """
    via = via or db.session
    statement = (
        update(Outbox)
        .where(Outbox.id.in_(outbox_ids), is_claimable(now))
        .values(
            status=OutboxStatus.SENDING,
            claimed_at=now,
            claimed_by=claimer(),
            attempts=Outbox.attempts + 1,
        )
        .returning(*(getattr(Outbox, field.name) for field in fields(Claim)))
        .execution_options(synchronize_session=False)
    )
    rows = {row.id: Claim(**row._asdict()) for row in via.execute(statement)}
    via.commit()
    return [rows[outbox_id] for outbox_id in outbox_ids if outbox_id in rows]


def send(outbox_id: int, *, now: datetime | None = None) -> str:
    """Send one row if it is still due; returns its status afterwards. Commits."""
    return send_many([outbox_id], now=now)[outbox_id]


def send_many(
    outbox_ids: Iterable[int], *, now: datetime | None = None, drain: bool = False
) -> dict[int, str]:
    """Send each row that is still due, over one SMTP connection; returns each row's status.

    Commits per row. A temporary failure schedules the next attempt with exponential backoff
    (1 minute doubling to 1 hour, for 24 hours after the row was queued); a permanent refusal
    or a template that cannot be rendered marks the row failed at once.

    With `drain`, the connection then carries other pending rows that are due, for at most
    DRAIN_TIME: their own jobs, when they come, find them sent and cost one UPDATE each.
    """
    statuses: dict[int, str] = {}
    retries: dict[datetime, list[int]] = defaultdict(list)
    # One database connection held for the whole job, each statement its own transaction: a
    # row is recorded as sent by one statement, and the connection is not given back to the
    # pool between rows.
    with transport.outlet() as outlet, HeldConnection() as via:
        ids = list(dict.fromkeys(outbox_ids))
        stop = time.monotonic() + DRAIN_TIME.total_seconds()
        while ids:
            for batch in batches(ids):
                send_batch(batch, outlet, via, now=now, statuses=statuses, retries=retries)
            if not drain or outlet.unreachable is not None or time.monotonic() > stop:
                break
            ids = [i for i in pending_ids(now or utcnow(), via=via) if i not in statuses]
    for when, deferred in retries.items():
        hand_over(deferred, at=when)
    return statuses


def send_batch(
    batch: list[int],
    outlet: transport.Outlet,
    via: Database,
    *,
    now: datetime | None,
    statuses: dict[int, str],
    retries: dict[datetime, list[int]],
) -> None:
    """Claim a batch at once, then send its rows one by one (filling `statuses`, `retries`).

    Rows still unsent when a third of the claim timeout has passed (a slow server) are given
    back: no other worker may take them over while this one still sends.
    """
    # One instant for the whole batch: rows deferred together get the same retry time, and so
    # one retry job, even when their attempts straddle a second.
    now = now or utcnow()
    claims = claim_many(batch, now, via=via)
    statuses.update(statuses_of(set(batch) - {claimed.id for claimed in claims}, via=via))
    give_back_at = time.monotonic() + CLAIM_TIMEOUT.total_seconds() / 3
    for position, claimed in enumerate(claims):
        if time.monotonic() > give_back_at:
            statuses.update(release(claims[position:], via=via))
            return
        status, retry_at = attempt(claimed, outlet, now=now, via=via)
        statuses[claimed.id] = status
        if retry_at is not None:  # rows deferred together are retried by one job
            retries[retry_at.replace(microsecond=0) + timedelta(seconds=1)].append(claimed.id)


def release(claims: list[Claim], *, via: Database) -> dict[int, str]:
    """Give claimed rows back unsent, due as they were (their attempt not counted). Commits."""
    for claimed in claims:
        via.execute(
            update(Outbox)
            .where(
                Outbox.id == claimed.id,
                Outbox.status == OutboxStatus.SENDING,
                Outbox.claimed_at == claimed.claimed_at,
            )
            .values(status=OutboxStatus.PENDING, attempts=Outbox.attempts - 1)
            .execution_options(synchronize_session=False)
        )
    via.commit()
    log.info("outbox gave back %s rows unsent", len(claims))
    return statuses_of((claimed.id for claimed in claims), via=via)


def pending_ids(now: datetime, *, via: Database, limit: int = BATCH_SIZE) -> list[int]:
    """Pending rows due by `now`, oldest first."""
    query = (
        select(Outbox.id)
        .where(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now)
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
    )
    return list(via.scalars(query))


def statuses_of(outbox_ids: Iterable[int], *, via: Database | None = None) -> dict[int, str]:
    """{id: status} of these rows ("missing" for an id that has none)."""
    outbox_ids = list(outbox_ids)
    if not outbox_ids:
        return {}
    query = select(Outbox.id, Outbox.status).where(Outbox.id.in_(outbox_ids))
    found = dict((via or db.session).execute(query).all())
    return {outbox_id: found.get(outbox_id, "missing") for outbox_id in outbox_ids}


# Whoever holds the row now: it was delivered, so it is sent (and never sent again). Built
# once, at import: a burst of mail runs it for every message.
MARK_SENT = (
    update(Outbox)
    .where(Outbox.id == bindparam("outbox_id"), Outbox.status != OutboxStatus.SENT)
    .values(
        status=OutboxStatus.SENT,
        sent_at=bindparam("sent_at_"),
        message_id=bindparam("message_id_"),
        last_error="",
    )
    .execution_options(synchronize_session=False)
)


def attempt(
    claimed: Claim, outlet: transport.Outlet, *, now: datetime, via: Database
) -> tuple[str, datetime | None]:
    """Render and hand over one claimed row, then record the outcome; (status, retry at)."""
    try:
        message = render(claimed)
    except (TemplateError, LookupError, TypeError, ValueError) as error:
        # A broken template or context: no retry mends it; an admin retries after the fix.
        log.exception("outbox %s (%s) cannot be rendered", claimed.id, claimed.template)
        problem = f"rendering failed: {error!r}"
        return record_failure(claimed, problem, now=now, permanent=True, via=via)
    try:
        outlet.deliver(message, file_name=file_name(claimed))
    except transport.TemporaryFailure as error:
        return record_failure(claimed, str(error), now=now, permanent=False, via=via)
    except transport.PermanentFailure as error:
        return record_failure(claimed, str(error), now=now, permanent=True, via=via)
    sent = {"outbox_id": claimed.id, "sent_at_": now, "message_id_": message.message_id}
    via.execute(MARK_SENT, sent)
    via.commit()
    log.info("outbox %s sent (%s)", claimed.id, claimed.template)
    return OutboxStatus.SENT, None


def record_failure(
    claimed: Claim, error: str, *, now: datetime, permanent: bool, via: Database | None = None
) -> tuple[str, datetime | None]:
    """Failed for good, or pending again after the backoff; (status, retry at). Commits.

    Only while this job still holds the row: a job that outlived its claim changes nothing.
    """
    give_up = permanent or now >= claimed.give_up_at
    if give_up:
        status, retry_at = OutboxStatus.FAILED, None
        values = {"status": status}
    else:
        status, retry_at = OutboxStatus.PENDING, now + retry_delay(claimed.attempts)
        values = {"status": status, "next_attempt_at": retry_at}
    via = via or db.session
    result = via.execute(
        update(Outbox)
        .where(
            Outbox.id == claimed.id,
            Outbox.status == OutboxStatus.SENDING,
            Outbox.claimed_at == claimed.claimed_at,
        )
        .values(last_error=error[:2000], message_id=message_id(claimed), **values)
        .execution_options(synchronize_session=False)
    )
    via.commit()
    if result.rowcount != 1:
        log.warning("outbox %s was taken over while this job sent it: %s", claimed.id, error)
        return statuses_of([claimed.id], via=via)[claimed.id], None
    if give_up:
        log.warning("outbox %s failed for good: %s", claimed.id, error)
    else:
        log.info("outbox %s will be retried at %s: %s", claimed.id, retry_at, error)
    return status, retry_at


def retry_delay(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1 minute, doubling, at most 1 hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
