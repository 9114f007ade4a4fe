"""Outbox rules: queue a message with the change that causes it, send it once, retry, sweep."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import quote, urlsplit

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from jinja2 import Environment, TemplateError, select_autoescape
from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    event,
    func,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, make_transient_to_detached, scoped_session
from werkzeug.routing import MapAdapter

from helpdesk import errors
from helpdesk.extensions import db, insert_with_conflicts
from helpdesk.notifications import transport
from helpdesk.notifications.models import Outbox, OutboxStatus
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

RETRY_WINDOW = timedelta(hours=24)  # temporary failures are retried this long, then `failed`
# A claim older than this belongs to a dead worker. It must exceed the longest delivery
# (transport.DEFAULT_TIMEOUT per SMTP step), or a slow send would be taken over and doubled.
CLAIM_TIMEOUT = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
SWEEP_GRACE = timedelta(seconds=30)  # what dispatch just handed over is not the sweep's yet
# A row the sweep handed over is not handed over again before this: a long work queue is not
# filled with copies of rows that are only waiting their turn.
HANDOVER_LEASE = timedelta(minutes=5)
BATCH_SIZE = 50  # rows per send job: one SMTP connection, one job's overhead
# How long a send job goes on with other due rows once its own are done: a burst of mail goes
# out over one connection at the speed of SMTP, not of one job (and one fork) per message,
# while other work waiting in the work queue is held back for seconds at most.
DRAIN_TIME = timedelta(seconds=10)
# A send job's own rows take at most about a claim timeout (see send_batch), its drain as much.
SEND_JOB_TIMEOUT = CLAIM_TIMEOUT * 2 + DRAIN_TIME
KEY_LENGTH = 200  # Outbox.key
QUEUED = "outbox_queued"  # session.info: {key: row} queued since the last flush
# Rows an INSERT carries at most: 16 columns each stays under SQLite's 32766 parameters.
INSERT_BATCH = 500

# What the sending functions read and write through: the request's session, or a connection
# a send job holds for all its rows.
Database = Connection | Session | scoped_session


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
        last_error="",
        message_id="",
        created_at=now,
        sent_at=None,
    )
    queued[key] = row
    db.session.add(row)  # pending: a query before the commit flushes it, as any change
    return row


@event.listens_for(Session, "before_flush")
def insert_queued(session: Session, flush_context, instances) -> None:  # noqa: ARG001
    """Insert the rows queue_email added since the last flush (one statement on PostgreSQL,
    INSERT_BATCH a statement on SQLite), each skipped if its key is already in the outbox
    (ON CONFLICT DO NOTHING).

    An inserted row becomes persistent with its id; a skipped one is left out of the session,
    without an id. Rows added to the session by other means are the flush's as usual.
    """
    queued = session.info.pop(QUEUED, None)
    rows = [row for row in (queued or {}).values() if inspect(row).pending]
    if not rows:
        return
    for row in rows:
        session.expunge(row)
    if session.get_bind().dialect.name == "postgresql":
        ids = insert_as_json(session, rows)
    else:
        ids = insert_in_batches(session, rows)
    for row in rows:
        if row.key in ids:
            row.id = ids[row.key]
            make_transient_to_detached(row)
            session.add(row)


def insert_in_batches(session: Session, rows: list[Outbox]) -> dict[str, int]:
    """{key: id} of the rows inserted, INSERT_BATCH a statement ("insertmanyvalues")."""
    columns = [column.key for column in Outbox.__table__.columns if column.key != "id"]
    statement = (
        insert_with_conflicts(session)(Outbox)
        .on_conflict_do_nothing(index_elements=[Outbox.key])
        .returning(Outbox.id, Outbox.key)
    )
    ids: dict[str, int] = {}
    for start in range(0, len(rows), INSERT_BATCH):
        values = [
            {name: getattr(row, name) for name in columns}
            for row in rows[start : start + INSERT_BATCH]
        ]
        ids.update((key, row_id) for row_id, key in session.execute(statement, values))
    return ids


def insert_as_json(session: Session, rows: list[Outbox]) -> dict[str, int]:
    """{key: id} of the rows inserted, all with one INSERT ... SELECT FROM json_to_recordset()
    (PostgreSQL): the rows go as one JSON document, one parameter whatever their number.

    A VALUES list of sixteen placeholders a row cost the driver more than the database (psycopg
    parses a long query anew each time: past its length limit it is not cached).
    """
    dialect = session.get_bind().dialect
    columns = [column for column in Outbox.__table__.columns if column.key != "id"]
    document = json.dumps(
        [{column.key: getattr(row, column.key) for column in columns} for row in rows],
        default=json_instant,
    )
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    types = ", ".join(
        f"{dialect.identifier_preparer.quote(column.name)} {column.type.compile(dialect)}"
        for column in columns
    )
    statement = text(
        f"INSERT INTO {Outbox.__tablename__} ({names}) SELECT {names} "  # noqa: S608 - our columns
        f"FROM json_to_recordset(CAST(:rows AS json)) AS given({types}) "
        "ON CONFLICT (key) DO NOTHING RETURNING id, key"
    )
    return {key: row_id for row_id, key in session.execute(statement, {"rows": document})}


def oldest_due(now: datetime) -> datetime | None:
    """When the longest-waiting message that should have gone by now was due (None: none is)."""
    return db.session.scalar(
        select(func.min(Outbox.next_attempt_at)).where(
            Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now
        )
    )


def json_instant(value) -> str:
    """An instant of an outbox row as JSON: ISO 8601 in UTC (a naive one is a bug)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise TypeError(f"not an aware instant: {value!r}")
    return value.astimezone(UTC).isoformat()


def outbox_key(key: str) -> str:
    """The key as stored: a long one keeps its start and gets a digest of the whole."""
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_LENGTH - len(digest) - 1]}#{digest}"


def dispatch(rows: Iterable[Outbox | None]) -> None:
    """After the commit: hand the rows' ids to RQ (the sweep catches any that Redis misses).

    Rows skipped at insertion (their key was already queued) have no id and are passed over;
    the ids are read without loading the committed rows again.
    """
    hand_over([row_id for row in rows if (row_id := outbox_id(row)) is not None])


def outbox_id(row: Outbox | None) -> int | None:
    """The row's id as the session knows it (no query, even when the commit expired it)."""
    if row is None:
        return None
    identity = inspect(row).identity
    return identity[0] if identity else None


def hand_over(ids: Sequence[int], *, at: datetime | None = None) -> int:
    """Send jobs for these rows, BATCH_SIZE a job, now or at an instant; how many rows RQ took
    (it stops at the first refusal: Redis is down, the sweep will hand the rest over)."""
    from helpdesk.notifications.jobs import send_email
    from helpdesk.worker import enqueue, enqueue_at

    taken = 0
    for batch in batches(ids):
        options = {"job_timeout": int(SEND_JOB_TIMEOUT.total_seconds())}
        if at is None:
            job = enqueue(send_email, *batch, **options)
        else:
            job = enqueue_at(at, send_email, *batch, **options)
        if job is None:
            break
        taken += len(batch)
    return taken


def batches(ids: Sequence[int], size: int = BATCH_SIZE) -> list[list[int]]:
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def link(endpoint: str, **values) -> str:
    """An absolute URL for mail, on HELPDESK_BASE_URL: never the request's Host or forwarded
    headers (a link to a reset token on an attacker's host), the same in a request or a job."""
    anchor = values.pop("_anchor", None)
    url = mail_urls(current_app.config["HELPDESK_BASE_URL"]).build(
        endpoint, values, force_external=True
    )
    return f"{url}#{quote(anchor)}" if anchor else url


def mail_urls(base: str) -> MapAdapter:
    """The app's URL map bound to the base address, made once per app and address (mail for
    a thousand tickets builds a thousand links)."""
    adapters = current_app.extensions.setdefault("mail_urls", {})
    if base not in adapters:
        parts = urlsplit(base)
        adapters[base] = current_app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
        )
    return adapters[base]


# ---------------------------------------------------------------- rendering


def message_id(row) -> str:
    """Stable per row (id and key) and unique per deployment (the sender's domain): a resend
    after a lost acknowledgement is recognisably the same message."""
    if row.message_id:
        return row.message_id
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    return f"<outbox-{row.id}-{digest}@{message_id_domain()}>"


def message_id_domain() -> str:
    """The domain of MAIL_DEFAULT_SENDER, a domain the deployment answers for."""
    return domain_of(current_app.config.get("MAIL_DEFAULT_SENDER") or "")


@functools.lru_cache(maxsize=8)
def domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2].strip().strip(".").lower() or "helpdesk"


def render(row) -> transport.Message:
    """The message of a row (an Outbox or a Claim), in the recipient's language.

    `email/<template>.txt` and `.html` give the two parts; the subject is the text template's
    `subject` block, on one line. The templates see the row's context, `language`, `_()` and
    the app's filters (see mail_templates).
    """
    env = mail_templates(row.language)
    context = {**row.context, "language": row.language}
    with force_locale(row.language):
        text_template = env.get_template(f"email/{row.template}.txt")
        text = text_template.render(context)
        html = env.get_template(f"email/{row.template}.html").render(context)
        subject_block = text_template.blocks["subject"]
        subject = " ".join("".join(subject_block(text_template.new_context(context))).split())
    message = transport.Message(
        subject=subject,
        recipients=[row.to],
        body=text,
        html=html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": row.language,
            "X-Helpdesk-Outbox": str(row.id),
        },
        message_id=message_id(row),
    )
    return message


def mail_templates(language: str) -> Environment:
    """The app's templates with the language's translations built in, made once per app and
    language: a mail has a score of phrases, and Flask-Babel finds the locale, the domain and
    the catalogue again for each of them, which costs more than the rest of rendering.

    Mail is not a page: the page's globals and context processors (the signed-in user's menu
    flags, url_for, the request) are not there. Links come in the row's context.
    """
    environments = current_app.extensions.setdefault("mail_templates", {})
    if language not in environments:
        app_env = current_app.jinja_env
        env = Environment(
            loader=app_env.loader,
            autoescape=select_autoescape(["html"]),  # as the app's: .html escaped, .txt not
            auto_reload=app_env.auto_reload,
            extensions=["jinja2.ext.i18n"],
        )
        env.filters.update(app_env.filters)
        with force_locale(language):
            env.install_gettext_translations(get_translations(), newstyle=True)
        environments[language] = env
    return environments[language]


def file_name(row) -> str:
    return f"{row.id:08d}-{row.template}.eml"


# ---------------------------------------------------------------- sending


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
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=Outbox.attempts + 1)
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
    # row is recorded as sent in one round trip, with no pool round trips between rows.
    connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    with transport.outlet() as outlet, connection as via:
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
# once: building and keying a statement costs more than running it, and a burst of mail runs
# it for every message.
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


# ---------------------------------------------------------------- sweep and operators


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


def sweep(*, now: datetime | None = None, grace: timedelta = SWEEP_GRACE) -> int:
    """Hand over to RQ the due rows that no job took (Redis down at commit, a worker died);
    returns how many. Commits: each row handed over is leased for HANDOVER_LEASE."""
    now = now or utcnow()
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
