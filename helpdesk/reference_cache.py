"""Reference data kept in process memory, and the stamp that tells every process it changed.

Provinces, systems, categories, queues, routing rules and SLA policies and calendars change a
few times a year and are read by nearly every request. Each app keeps what it read of them
(`app.extensions`), tagged with the stamp it was read under. The stamp is one row that every
change to a reference table rewrites in the same transaction: a session hook does it for ORM
changes (admin pages, CLI imports, `flask seed`) and for bulk insert/update/delete statements
run through the session, so nobody has to remember a call. A request or job reads the stamp at
most once, on first use; when it moved, the values are read again.

The stamp is a random token, not a counter: a database restored from a backup (or a test
putting rows back) can never bring back a stamp that tags other data. Values are plain,
frozen ones (never ORM instances), so nothing lazy-loads from them or writes through them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, has_app_context
from sqlalchemy import Integer, String, event, insert, select, update
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column, object_session

from helpdesk.extensions import db

T = TypeVar("T")

# Every table whose rows a cached value is read from; a change to any of them moves the stamp.
REFERENCE_TABLES = frozenset(
    {
        "provinces",
        "systems",
        "categories",
        "queues",
        "rules",
        "system_defaults",
        "sla_policies",
        "calendars",
        "calendar_days",
        "canned_replies",  # offered on every staff ticket page, edited now and then
    }
)
STAMP_ID = 1
WRITTEN = "reference_written"  # session.info: this flush wrote a reference row
MOVED = "reference_moved"  # session.info: this transaction moved the stamp
UNREAD = object()
LOADERS: dict[str, Callable[[], object]] = {}  # every cached value by key (for warm())


class ReferenceStamp(db.Model):
    """One row whose token changes with every change to reference data (REFERENCE_TABLES)."""

    __tablename__ = "reference_stamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))


class Snapshot:
    """The values read under one stamp, by key; filled lazily."""

    def __init__(self, stamp: str | None) -> None:
        self.stamp = stamp
        self.values: dict[str, object] = {}


class ReferenceCache:
    """One app's cache: the latest snapshot (a process holds one per app)."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.lock = threading.Lock()


def _app_cache() -> ReferenceCache:
    extensions = current_app.extensions
    if "reference_cache" not in extensions:
        extensions.setdefault("reference_cache", ReferenceCache())
    return extensions["reference_cache"]


def current_stamp() -> str | None:
    """The stamp as this request or job first saw it (one query, at the first call only)."""
    stamp = g.get("reference_stamp", UNREAD)
    if stamp is UNREAD:
        # None when the row is missing (a schema not built by the migrations): the first
        # change writes it, which moves the stamp like any other change.
        stamp = db.session.scalar(select(ReferenceStamp.token).where(ReferenceStamp.id == STAMP_ID))
        g.reference_stamp = stamp
    return stamp


def stamp_column():
    """The stamp as a column of another statement, so that a request which reads a row first
    thing anyway (the session's user) learns the stamp in the same round trip. Hand the value
    read to `seen()`."""
    return select(ReferenceStamp.token).where(ReferenceStamp.id == STAMP_ID).scalar_subquery()


def seen(stamp: str | None) -> None:
    """The stamp a statement read through `stamp_column()`: this request's, unless it has one."""
    if g.get("reference_stamp", UNREAD) is UNREAD:
        g.reference_stamp = stamp


def register(key: str, load: Callable[[], T]) -> Callable[[], T]:
    """Declare a cached value; returns the function that reads it (from memory when it can).

    `load` reads through db.session and returns plain values (never ORM instances).
    """
    LOADERS[key] = load
    return lambda: cached(key, load)


def warm() -> None:
    """Read every registered value now, as a process that has served requests has them."""
    for key, load in list(LOADERS.items()):
        cached(key, load)


def cached(key: str, load: Callable[[], T]) -> T:
    """The value under `key`, from memory while the stamp has not moved, else from `load()`."""
    stamp = current_stamp()
    cache = _app_cache()
    snapshot = cache.snapshot
    if snapshot is None or snapshot.stamp != stamp:
        with cache.lock:
            snapshot = cache.snapshot
            if snapshot is None or snapshot.stamp != stamp:
                snapshot = cache.snapshot = Snapshot(stamp)
    if key not in snapshot.values:
        value = load()
        if g.get("reference_stamp", UNREAD) != stamp:
            # The load's autoflush wrote a reference change of this transaction: what it read
            # belongs under the new stamp, not the one this snapshot stands for.
            return cached(key, load)
        snapshot.values[key] = value
    return snapshot.values[key]  # type: ignore[return-value]


def forget() -> None:
    """Read the stamp again at the next use in this app context (the cache itself stays)."""
    if has_app_context():
        g.pop("reference_stamp", None)


def clear() -> None:
    """Drop this app's cached values (the next use reads them again)."""
    _app_cache().snapshot = None
    forget()


# ---------------------------------------------------------------- the hook that moves the stamp


def _move_stamp(session: Session) -> None:
    """Write a new token, inside the session's transaction; insert the row if it is missing."""
    table = ReferenceStamp.__table__
    token = uuid.uuid4().hex
    connection = session.connection()
    moved = connection.execute(
        update(table).where(table.c.id == STAMP_ID).values(token=token)
    ).rowcount
    if not moved:
        connection.execute(insert(table).values(id=STAMP_ID, token=token))
    session.info[MOVED] = True
    # What this context read so far was read under the old stamp: read it again (under the
    # new, still uncommitted token, which no other transaction can see or ever will if this
    # one rolls back).
    forget()


def _row_written(mapper: Mapper, connection, target) -> None:  # noqa: ARG001
    if mapper.local_table.name in REFERENCE_TABLES:
        session = object_session(target)
        if session is not None:
            session.info[WRITTEN] = True


def _after_flush(session: Session, flush_context) -> None:  # noqa: ARG001
    if session.info.pop(WRITTEN, False):
        _move_stamp(session)


def _bulk_statement(state) -> None:
    """insert()/update()/delete() on a reference table through the session move the stamp."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in REFERENCE_TABLES:
        _move_stamp(state.session)


def _after_rollback(session: Session) -> None:
    # The stamp read since the change may be this transaction's own token, now gone. (The mark
    # outlives a commit, savepoints commit too: at worst the stamp is read once more.)
    if session.info.pop(MOVED, False):
        forget()


LISTENERS = (
    *((Mapper, name, _row_written) for name in ("after_insert", "after_update", "after_delete")),
    (Session, "after_flush", _after_flush),
    (Session, "do_orm_execute", _bulk_statement),
    (Session, "after_rollback", _after_rollback),
)


def watch_writes() -> None:
    """Watch every session for writes to the reference tables (create_app calls it; the
    listeners are on the classes, so a second call adds nothing)."""
    for target, name, listener in LISTENERS:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
