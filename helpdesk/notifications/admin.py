"""What an operator does with the outbox (its admin page, `flask outbox`): list the messages,
send the due ones here and now, retry a failed one."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, select, update

from helpdesk import errors
from helpdesk.extensions import db
from helpdesk.notifications.models import Outbox, OutboxStatus
from helpdesk.notifications.outbox import RETRY_WINDOW, dispatch
from helpdesk.notifications.sending import send_many
from helpdesk.notifications.sweep import due_ids
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)


def retry_failed(outbox_id: int, *, now: datetime | None = None) -> Outbox:
    """An operator's retry of a failed row: pending again now, with a fresh retry window.

    Commits and hands the row to RQ. Raises errors.NotFound for an unknown id,
    errors.Conflict when the row has not failed.
    """
    now = now or utcnow()
    result = db.session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id, Outbox.status == OutboxStatus.FAILED)
        .values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            give_up_at=now + RETRY_WINDOW,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    row = db.session.get(Outbox, outbox_id)
    if row is None:
        raise errors.NotFound(_("No such message in the outbox."))
    if result.rowcount != 1:
        raise errors.Conflict(
            _("Only a failed message can be retried; this one is %(status)s.", status=row.status)
        )
    log.info("outbox %s retried by an operator", outbox_id)
    dispatch([row])
    return row


def recent(*, status: str | None = None) -> Select:
    """The outbox newest first, optionally of one status (a query: pages add limits)."""
    query = select(Outbox).order_by(Outbox.id.desc())
    if status:
        query = query.where(Outbox.status == status)
    return query


def deliver_pending(*, now: datetime | None = None, limit: int = 500) -> Counter:
    """Send every due row here and now (the CLI, tests); counts the rows by status afterwards.

    Works through the due rows `limit` at a time until none is left.
    """
    now = now or utcnow()
    counts: Counter = Counter()
    tried: set[int] = set()
    while ids := [i for i in due_ids(now, limit=limit) if i not in tried]:
        tried.update(ids)
        counts.update(send_many(ids, now=now).values())
    return counts
