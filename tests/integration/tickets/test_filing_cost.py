"""Filing a ticket costs a fixed, small number of SQL statements, by the form and by the API,
however many members its queue alerts: the ticket, its events, its timers and its mail go in
with one INSERT each."""

from __future__ import annotations

import pytest
from integration.tickets.page_helpers import GOOD_FORM
from sqlalchemy import func, select
from support import csrf_token

from helpdesk.auth.services import create_token
from helpdesk.notifications.models import Outbox
from helpdesk.routing.models import Membership, MembershipProvince

MEMBERS = 20
# Statements of one filing with the reference data cache warm (BEGIN/COMMIT not counted).
BOUND = {"form": 8, "api": 8}


def bound(path: str, backend: str) -> int:
    # SQLite inserts the three events one a row (no multi-row INSERT ... RETURNING there).
    return BOUND[path] + (2 if backend == "sqlite" else 0)


@pytest.fixture
def crowded_queue(db, queue_by_code, make_user):
    """The ticket's queue with MEMBERS agents who cover province 75 (half of them by name)."""
    queue = queue_by_code("moj-it")
    queue.notify_members = True
    for n in range(MEMBERS):
        user = make_user("agent", language="en")
        membership = Membership(queue_id=queue.id, user_id=user.id, all_provinces=not n % 2)
        membership.coverage = [MembershipProvince(province_code="75")] if n % 2 else []
        db.session.add(membership)
    db.session.commit()
    return queue


def outbox_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Outbox))


def test_filing_by_the_form_costs_a_fixed_number_of_statements(
    db, browser, requester, crowded_queue, count_queries, backend
):
    web = browser(requester)

    def file() -> list[str]:
        html = web.get("/tickets/new").get_data(as_text=True)
        with count_queries() as statements:
            response = web.post("/tickets/new", data={**GOOD_FORM, "csrf_token": csrf_token(html)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return statements

    file()  # the first request reads the reference data that later ones find cached
    before = outbox_count(db)
    statements = file()
    assert len(statements) <= bound("form", backend), "\n".join(statements)
    assert sum(s.lstrip().upper().startswith("INSERT INTO OUTBOX") for s in statements) == 1
    assert outbox_count(db) - before == MEMBERS + 2  # the requester, the members, the assignee


def test_filing_by_the_api_costs_a_fixed_number_of_statements(
    db, client, requester, crowded_queue, count_queries, backend
):
    token = create_token(requester)
    headers = {"Authorization": f"Bearer {token}"}

    def file() -> list[str]:
        with count_queries() as statements:
            response = client.post(
                "/api/v1/tickets", json={**GOOD_FORM, "priority": 3}, headers=headers
            )
        assert response.status_code == 201, response.get_data(as_text=True)
        assert response.get_json()["messages"] == []
        return statements

    file()  # the first request reads the reference data (and records the token's use)
    before = outbox_count(db)
    statements = file()
    assert len(statements) <= bound("api", backend), "\n".join(statements)
    assert sum(s.lstrip().upper().startswith("INSERT INTO SLA_TIMERS") for s in statements) == 1
    assert outbox_count(db) - before == MEMBERS + 2


def test_filing_talks_to_redis_a_fixed_number_of_times(
    db, requester, crowded_queue, file_ticket, monkeypatch
):
    """The ticket's timers are scheduled with one Redis transaction, however many they are."""
    import redis.connection

    from helpdesk.sla.models import Timer

    sent = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append(command)
        return send(self, command, *args, **kwargs)

    file_ticket(requester)  # warm: connections open
    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    ticket = file_ticket(requester)
    monkeypatch.undo()
    timers = db.session.scalar(
        select(func.count()).select_from(Timer).where(Timer.ticket_id == ticket.id)
    )
    assert timers >= 2
    # the mail job (RQ's enqueue: server version, queue set, job) and one for all the timers
    assert len(sent) <= 4
    assert db.session.info.get("outbox_queued") is None


def test_outbox_rows_read_back_as_they_were_queued(
    db, requester, crowded_queue, file_ticket, monkeypatch
):
    """The rows of a filing go in with one statement and come back with every value intact."""
    from helpdesk.notifications import outbox
    from helpdesk.tickets.services import mail

    columns = [column.key for column in Outbox.__table__.columns]
    rows = []

    def keep(**kwargs):
        rows.append(outbox.queue_email(**kwargs))
        return rows[-1]

    monkeypatch.setattr(mail, "queue_email", keep)
    file_ticket(requester, subject='Hồ sơ "đặc biệt" \\ với ký tự lạ ✓')
    # As queued: the rows stay loaded after the commit, with the values the app gave them.
    queued = {row.key: {name: row.__dict__[name] for name in columns} for row in rows if row}
    assert len(queued) == MEMBERS + 2
    assert all(values["id"] is not None for values in queued.values())
    db.session.expire_all()
    stored = {
        row.key: {name: getattr(row, name) for name in columns}
        for row in db.session.scalars(select(Outbox).where(Outbox.key.in_(queued)))
    }
    assert stored == queued
    assert any("✓" in str(values["context"]) for values in stored.values())


def test_filing_writes_its_shared_rows_after_every_read(
    db, requester, crowded_queue, file_ticket, count_queries
):
    """The year's counter and the chosen member's row are locked from their write to the
    commit, and every filing into the queue waits for them: nothing is read after them."""
    file_ticket(requester)  # warm: the reference data is cached
    with count_queries() as statements:
        ticket = file_ticket(requester)
    assert ticket.assignee_id is not None
    verbs = [s.lstrip().split(None, 1)[0].upper() for s in statements]
    counter = next(
        n for n, s in enumerate(statements) if "ticket_counters" in s.split("(", 1)[0].lower()
    )
    assert "SELECT" not in verbs[counter:], "\n".join(statements)
    assert verbs[:counter].count("UPDATE") == 0, "\n".join(statements)
    assert any(s.lstrip().upper().startswith("UPDATE MEMBERSHIPS") for s in statements[counter:])
