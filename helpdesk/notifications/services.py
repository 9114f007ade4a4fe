"""Outbox rules: queue a message with the change that causes it, send it once, retry, sweep."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_mail import Message
from sqlalchemy import or_, select, update

from helpdesk.extensions import db
from helpdesk.notifications import transport
from helpdesk.notifications.models import Outbox, OutboxStatus
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

RETRY_WINDOW = timedelta(hours=24)  # temporary failures are retried this long, then `failed`
CLAIM_TIMEOUT = timedelta(minutes=5)  # a claim older than this belongs to a dead worker
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


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
    """Add a message to the session's transaction (no commit); None if that key was queued.

    `key` names the event and the recipient, so the same event never mails anyone twice.
    `context` must be JSON-serialisable; it must hold no internal note and no full CCCD.
    """
    if not to:
        return None
    now = utcnow()
    pending = [o for o in db.session.new if isinstance(o, Outbox) and o.key == key]
    if pending or db.session.scalar(select(Outbox.id).where(Outbox.key == key)) is not None:
        return None
    row = Outbox(
        template=template, to=to, language=language if language in ("vi", "en") else "vi",
        context=context, key=key[:200], user_id=user_id, essential=essential,
        status=OutboxStatus.PENDING, next_attempt_at=now, give_up_at=now + RETRY_WINDOW,
    )
    db.session.add(row)
    return row


def dispatch(rows: Iterable[Outbox | None]) -> None:
    """After the commit: hand each row's id to RQ (the sweep catches any that Redis misses)."""
    from helpdesk.notifications.jobs import send_email
    from helpdesk.worker import enqueue

    for row in rows:
        if row is not None and row.id is not None:
            enqueue(send_email, row.id)


def link(endpoint: str, **values) -> str:
    """An absolute URL for mail: HELPDESK_BASE_URL when set, else the request's host."""
    base = current_app.config.get("HELPDESK_BASE_URL")
    if base:
        with current_app.test_request_context(base_url=base):
            return url_for(endpoint, _external=True, **values)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url="http://127.0.0.1:5000"):
        return url_for(endpoint, _external=True, **values)


def message_id(row: Outbox) -> str:
    """Stable per row: a resend after a lost acknowledgement is recognisably the same message."""
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    return f"<outbox-{row.id}-{digest}@helpdesk>"


def render(row: Outbox) -> Message:
    """The message of a row, in the recipient's language."""
    context = {**row.context, "language": row.language}
    with force_locale(row.language):
        html = render_template(f"email/{row.template}.html", **context)
        text = render_template(f"email/{row.template}.txt", **context)
        template = current_app.jinja_env.get_template(f"email/{row.template}.txt")
        subject_block = template.blocks["subject"](template.new_context(context))
        subject = " ".join("".join(subject_block).split())
    message = Message(
        subject=subject, recipients=[row.to], body=text, html=html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    message.msgId = message_id(row)
    message.extra_headers = {"Auto-Submitted": "auto-generated", "X-Helpdesk-Outbox": str(row.id)}
    return message


def claim(outbox_id: int, now: datetime) -> bool:
    """Take the row for this job with one conditional UPDATE; False if another holds or sent it."""
    result = db.session.execute(
        update(Outbox)
        .where(
            Outbox.id == outbox_id,
            or_(
                Outbox.status == OutboxStatus.PENDING,
                (Outbox.status == OutboxStatus.SENDING) & (Outbox.claimed_at < now - CLAIM_TIMEOUT),
            ),
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=Outbox.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def send(outbox_id: int, *, now: datetime | None = None) -> str:
    """Send one row if it is still due; returns its status afterwards. Commits.

    A temporary failure schedules the next attempt with exponential backoff (up to 24 h);
    a permanent refusal marks the row failed at once.
    """
    now = now or utcnow()
    if not claim(outbox_id, now):
        row = db.session.get(Outbox, outbox_id)
        return row.status if row else "missing"
    row = db.session.get(Outbox, outbox_id)
    db.session.refresh(row)
    try:
        message = render(row)
        transport.deliver(message, file_name=f"{row.id:08d}-{row.template}.eml")
    except transport.TemporaryFailure as error:
        return record_failure(row, str(error), now=now, permanent=False)
    except transport.PermanentFailure as error:
        return record_failure(row, str(error), now=now, permanent=True)
    row.status = OutboxStatus.SENT
    row.sent_at = now
    row.message_id = message.msgId
    row.last_error = ""
    db.session.commit()
    log.info("outbox %s sent (%s)", row.id, row.template)
    return row.status


def record_failure(row: Outbox, error: str, *, now: datetime, permanent: bool) -> str:
    from helpdesk.notifications.jobs import send_email
    from helpdesk.worker import enqueue_at

    row.last_error = error[:2000]
    if permanent or now >= row.give_up_at:
        row.status = OutboxStatus.FAILED
        log.warning("outbox %s failed for good: %s", row.id, error)
        db.session.commit()
        return row.status
    delay = min(FIRST_RETRY * 2 ** max(row.attempts - 1, 0), LONGEST_RETRY)
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = now + delay
    db.session.commit()
    log.info("outbox %s will be retried in %s: %s", row.id, delay, error)
    enqueue_at(row.next_attempt_at, send_email, row.id)
    return row.status


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
        .order_by(Outbox.next_attempt_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def deliver_pending(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send every due row here and now (the sweep, tests, the CLI); returns how many were sent."""
    now = now or utcnow()
    return sum(send(outbox_id, now=now) == OutboxStatus.SENT for outbox_id in due_ids(now, limit=limit))


def sweep(*, now: datetime | None = None, grace: timedelta = timedelta(seconds=30)) -> int:
    """Hand over to RQ the due rows that no job took (Redis down at commit, a worker died)."""
    from helpdesk.notifications.jobs import send_email
    from helpdesk.worker import enqueue

    now = now or utcnow()
    ids = due_ids(now - grace)
    for outbox_id in ids:
        enqueue(send_email, outbox_id)
    return len(ids)


def retry_failed(outbox_id: int, *, now: datetime | None = None) -> None:
    """An admin's retry of a failed row: pending again, with a fresh retry window. Commits."""
    now = now or utcnow()
    row = db.session.get(Outbox, outbox_id)
    if row is None or row.status != OutboxStatus.FAILED:
        return
    row.status, row.next_attempt_at, row.give_up_at, row.attempts = (
        OutboxStatus.PENDING, now, now + RETRY_WINDOW, 0,
    )
    db.session.commit()
    dispatch([row])
