"""Queueing mail: the rows of a transaction go in with one INSERT at the flush, and a key that
is already in the outbox is skipped there, so the same event never mails anyone twice."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.extensions import db as database
from helpdesk.notifications import outbox
from helpdesk.notifications.models import Outbox, OutboxStatus


def queue(key: str, to: str = "a@example.vn") -> Outbox | None:
    return outbox.queue_email(
        template="ticket_closed", to=to, language="vi", context={"number": "HT-1"}, key=key
    )


def outbox_inserts(statements: list[str]) -> int:
    return sum(s.lstrip().upper().startswith("INSERT INTO OUTBOX") for s in statements)


def test_the_rows_of_a_transaction_go_in_with_one_insert(db, count_queries):
    with count_queries() as statements:
        rows = [queue(f"batch:{n}", f"user{n}@example.vn") for n in range(30)]
        database.session.commit()

    assert len(statements) == 1
    assert outbox_inserts(statements) == 1
    ids = [outbox.outbox_id(row) for row in rows]
    assert None not in ids and len(set(ids)) == 30
    stored = database.session.get(Outbox, ids[7])
    assert (stored.key, stored.to, stored.status) == ("batch:7", "user7@example.vn", "pending")
    assert stored.status == OutboxStatus.PENDING


def test_a_key_already_queued_is_skipped_without_a_query_of_its_own(db, count_queries):
    first = queue("event:1:u1")
    database.session.commit()

    with count_queries() as statements:
        again, other = queue("event:1:u1"), queue("event:1:u2")
        assert queue("event:1:u2") is None  # twice in one transaction: the second is not queued
        database.session.commit()

    assert len(statements) == 1
    assert outbox.outbox_id(again) is None
    assert outbox.outbox_id(other) not in (None, outbox.outbox_id(first))
    count = select(func.count()).select_from(Outbox).where(Outbox.key.like("event:1:%"))
    assert database.session.scalar(count) == 2


def test_a_query_before_the_commit_sees_the_queued_rows(db):
    row = queue("seen:1")
    found = database.session.scalar(select(Outbox.id).where(Outbox.key == "seen:1"))

    assert found is not None and found == outbox.outbox_id(row)
    database.session.rollback()
    assert database.session.scalar(select(Outbox.id).where(Outbox.key == "seen:1")) is None
