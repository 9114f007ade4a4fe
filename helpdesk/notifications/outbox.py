"""Queueing: a message becomes an outbox row in the transaction of the change that causes it,
goes in with the flush, and is handed to a send job after the commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from helpdesk.extensions import db
from helpdesk.notifications.bulk_insert import insert_rows
from helpdesk.notifications.models import Outbox, OutboxStatus
from helpdesk.notifications.sending import hand_over
from helpdesk.timeutil import utcnow

RETRY_WINDOW = timedelta(hours=24)  # temporary failures are retried this long, then `failed`
KEY_LENGTH = 200  # Outbox.key
QUEUED = "outbox_queued"  # session.info: {key: row} queued since the last flush


def register() -> None:
    """Make every session insert the rows queue_email added, at its next flush (insert_queued).

    Called by create_app; the listener is on the Session class, so once per process is enough
    and a second call adds nothing.
    """
    if not event.contains(Session, "before_flush", insert_queued):
        event.listen(Session, "before_flush", insert_queued)


def queue_email(
    *,
    template: str,
    to: str,
    language: str,
    context: dict,
    key: str,
    user_id: int | None = None,
    essential: bool = True,
) -> Outbox | None:
    """Add a message to the session's transaction (no commit); None if no address or if that
    key is already queued in this transaction.

    `key` names the event and the recipient, so the same event never mails anyone twice: the
    rows of a flush go in with one INSERT that skips keys queued before (see insert_queued),
    and a skipped row keeps no id (`dispatch` passes over it).
    `context` must be JSON-serialisable; it must hold no internal note and no full CCCD.
    """
    if not to:
        return None
    key = outbox_key(key)
    queued = db.session.info.setdefault(QUEUED, {})
    if key in queued and inspect(queued[key]).pending:
        return None
    now = utcnow()
    row = Outbox(
        template=template,
        to=to,
        language=language if language in current_app.config["LANGUAGES"] else "vi",
        context=context,
        key=key,
        user_id=user_id,
        essential=essential,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        give_up_at=now + RETRY_WINDOW,
        claimed_at=None,
        claimed_by=None,
        last_error="",
        message_id="",
        created_at=now,
        sent_at=None,
    )
    queued[key] = row
    db.session.add(row)  # pending: a query before the commit flushes it, as any change
    return row


def insert_queued(session: Session, flush_context, instances) -> None:  # noqa: ARG001
    """Before a flush: insert the rows queue_email added since the last flush, together (see
    bulk_insert), each skipped if its key is already in the outbox.

    An inserted row becomes persistent with its id; a skipped one is left out of the session,
    without an id. Rows added to the session by other means are the flush's as usual.
    """
    queued = session.info.pop(QUEUED, None)
    rows = [row for row in (queued or {}).values() if inspect(row).pending]
    if not rows:
        return
    for row in rows:
        session.expunge(row)
    ids = insert_rows(session, rows)
    for row in rows:
        if row.key in ids:
            row.id = ids[row.key]
            make_transient_to_detached(row)
            session.add(row)


def outbox_key(key: str) -> str:
    """The key as stored: a long one keeps its start and gets a digest of the whole."""
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_LENGTH - len(digest) - 1]}#{digest}"


def dispatch(rows: Iterable[Outbox | None]) -> None:
    """After the commit: hand the rows' ids to RQ (the sweep catches any that Redis misses)."""
    hand_over(inserted_ids(rows))


def inserted_ids(rows: Iterable[Outbox | None]) -> list[int]:
    """The ids of the rows that went in, read without loading the committed rows again: rows
    skipped at insertion (their key was already queued) have no id and are passed over."""
    return [row_id for row in rows if (row_id := outbox_id(row)) is not None]


def outbox_id(row: Outbox | None) -> int | None:
    """The row's id as the session knows it (no query, even when the commit expired it)."""
    if row is None:
        return None
    identity = inspect(row).identity
    return identity[0] if identity else None


def oldest_due(now: datetime) -> datetime | None:
    """When the longest-waiting message that should have gone by now was due (None: none is)."""
    return db.session.scalar(
        select(func.min(Outbox.next_attempt_at)).where(
            Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now
        )
    )
