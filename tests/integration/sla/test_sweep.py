"""The sweep moves a minute's due timers into notices, and a run of their own claims and tells
them as one batch: neither's statements grow with the number due, each warning and breach is
recorded once whoever fires it, and what is not due any more, or fails, does not fire with the
rest."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from integration.sla import sweeping
from sqlalchemy import func, insert, select

from helpdesk.extensions import db as database
from helpdesk.notifications.models import Outbox
from helpdesk.sla import services
from helpdesk.sla.models import Notice, Policy, Timer
from helpdesk.sla.services import notices
from helpdesk.sla.services.timers import Outcome
from helpdesk.tickets.models import Event, Ticket
from helpdesk.tickets.services import deadline_alerts, deadline_claims, escalation

NOW = datetime(2027, 3, 1, 3, 0, 30, tzinfo=UTC)  # Monday 10:00:30 in Hà Nội

# What one batch costs, whatever its size. Noting: the notices' INSERT, the timers' DELETE.
# Announcing: the notices, the escalating policies, an UPDATE per kind and stage (two here), the
# notices' DELETE, the tickets, the people mailed, which of their queues nobody staffs, the
# outbox rows, the events (and the admins, when some queue has nobody: not here).
# (Policies and calendars are read once per app context besides.)
NOTE_STATEMENTS = 2
SWEEP_STATEMENTS = NOTE_STATEMENTS + 10
LEAD = {"warning": timedelta(minutes=30), "breach": timedelta(0)}  # from a timer to its deadline


def due_tickets(
    desk,
    count: int,
    *,
    kind: str = "resolution",
    stage: str = "breach",
    assignees: list[int] | None = None,
) -> list[int]:
    """`count` open tickets of the desk's queue whose `kind` timer of `stage` is due at NOW (a few
    seconds apart; a warning's deadline half an hour later); every other ticket assigned (to the
    desk's agent, or to `assignees` in turn) and, for a resolution timer, answered; the rest
    neither. Inserted directly: filing a hundred tickets through the workflow would take longer
    than the sweep's tests."""
    assignees = assignees or [desk.agent.id]
    policy = database.session.scalar(
        select(Policy).where(Policy.priority == 3, Policy.system_code.is_(None))
    )
    start = database.session.scalar(select(func.count()).select_from(Ticket))
    rows, answered = [], NOW - timedelta(hours=5)
    for n in range(count):
        due = NOW - timedelta(seconds=n % 30) + LEAD[stage]
        held = n % 2 == 0
        rows.append(
            {
                "number": f"HT-2099-{start + n:06d}",
                "subject": f"Không nộp được hồ sơ {n}",
                "description": "Lỗi khi ký số.",
                "system_code": "moj",
                "category_code": "account",
                "province_code": "01",
                "priority": 3,
                "status": "open",
                "requester_id": desk.requester.id,
                "queue_id": desk.queue.id,
                "assignee_id": assignees[n // 2 % len(assignees)] if held else None,
                "first_responded_at": answered if held and kind == "resolution" else None,
                "sla_policy_id": policy.id,
                "first_response_due": due if kind == "first_response" else NOW - timedelta(hours=4),
                "first_response_breached_at": None if kind == "first_response" else NOW,
                "resolution_due": due if kind == "resolution" else NOW + timedelta(days=3),
                "created_at": NOW - timedelta(days=2),
                "updated_at": NOW - timedelta(days=2),
            }
        )
    database.session.execute(insert(Ticket), rows)
    numbers = [row["number"] for row in rows]
    ids = dict(
        database.session.execute(
            select(Ticket.number, Ticket.id).where(Ticket.number.in_(numbers))
        ).all()
    )
    database.session.execute(
        insert(Timer),
        [
            {
                "ticket_id": ids[row["number"]],
                "kind": kind,
                "stage": stage,
                "fire_at": row[f"{kind}_due"] - LEAD[stage],
                "due_at": row[f"{kind}_due"],
            }
            for row in rows
        ],
    )
    database.session.commit()
    return [ids[number] for number in numbers]


def events_of(ticket_ids, kind: str) -> Counter:
    rows = database.session.scalars(
        select(Event.ticket_id).where(Event.ticket_id.in_(ticket_ids), Event.kind == kind)
    )
    return Counter(rows)


def sla_mail_count() -> int:
    return database.session.scalar(
        select(func.count()).select_from(Outbox).where(Outbox.key.like("sla:%"))
    )


def counted_sweep(count_queries, now: datetime) -> tuple[int, int]:
    database.session.expire_all()
    with count_queries() as statements:
        recorded = sweeping.sweep(now=now)
    return recorded, len(statements)


def test_the_sweeps_statements_do_not_grow_with_the_number_due(db, desk, count_queries):
    due_tickets(desk, 1)
    sweeping.sweep(now=NOW)  # policies and calendars are read once, then cached
    due_tickets(desk, 2, kind="first_response", stage="warning")
    due_tickets(desk, 2, kind="resolution", stage="breach")
    few = counted_sweep(count_queries, NOW)
    due_tickets(desk, 60, kind="first_response", stage="warning")
    due_tickets(desk, 60, kind="resolution", stage="breach")
    many = counted_sweep(count_queries, NOW)

    assert (few[0], many[0]) == (4, 120)
    assert many[1] == few[1] <= SWEEP_STATEMENTS, (few, many)
    assert db.session.scalar(select(func.count()).select_from(Timer)) == 0


def test_the_people_mailed_are_read_together_however_many_they_are(
    db, desk, make_user, count_queries
):
    # Only ids are kept: the session holds what it loads weakly, so an assignee that nothing
    # refers to would be read again, one query each, when its mail is built.
    agents = [make_user("agent", password=None, email=f"agent{n}@example.vn").id for n in range(30)]
    due_tickets(desk, 1)
    sweeping.sweep(now=NOW)  # policies and calendars are read once, then cached
    due_tickets(desk, 4, assignees=agents[:2])
    few = counted_sweep(count_queries, NOW)
    due_tickets(desk, 60, assignees=agents)
    many = counted_sweep(count_queries, NOW)

    assert (few[0], many[0]) == (4, 60)
    assert many[1] == few[1] <= SWEEP_STATEMENTS, (few, many)
    mailed = db.session.scalars(select(Outbox.to).where(Outbox.template == "sla_breach"))
    assert {f"agent{n}@example.vn" for n in range(30)} <= set(mailed)


def test_a_batch_records_each_breach_once_and_mails_the_assignee_and_the_supervisor(
    db, desk, sla_mail
):
    ids = due_tickets(desk, 6)

    assert sweeping.sweep(now=NOW) == 6

    assert events_of(ids, "sla_breached") == Counter(ids)
    for ticket_id in ids:
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket.resolution_breached_at == NOW
        told = [desk.agent.email] if ticket.assignee_id else []
        assert sla_mail(ticket) == [("sla_breach", to) for to in [*told, desk.supervisor.email]]
    supervisor = {e.data["supervisor_id"] for e in db.session.scalars(select(Event))}
    assert supervisor == {desk.supervisor.id}


def test_a_warning_batch_tells_the_supervisor_only_about_unanswered_tickets(db, desk, sla_mail):
    answered, unanswered = due_tickets(desk, 2, stage="warning")

    assert sweeping.sweep(now=NOW) == 2

    assert sla_mail(db.session.get(Ticket, answered)) == [("sla_warning", desk.agent.email)]
    assert sla_mail(db.session.get(Ticket, unanswered)) == [
        ("sla_unanswered", desk.supervisor.email)
    ]


def test_a_sweep_run_again_and_a_late_job_record_nothing_more(db, desk):
    ids = due_tickets(desk, 4)
    sweeping.sweep(now=NOW)
    mails = sla_mail_count()

    assert sweeping.sweep(now=NOW + timedelta(minutes=1)) == 0
    due = db.session.get(Ticket, ids[0]).resolution_due
    assert escalation.fire_timer(ids[0], "resolution", "breach", due, now=NOW) == Outcome.MOVED

    assert events_of(ids, "sla_breached") == Counter(ids)
    assert sla_mail_count() == mails


def test_what_another_run_claimed_first_is_dropped_without_a_second_record(db, desk):
    first, *others = due_tickets(desk, 3)
    due = db.session.get(Ticket, first).resolution_due
    assert deadline_claims.claim(first, "resolution", "breach", due, NOW)  # a job got there first
    db.session.commit()

    assert sweeping.sweep(now=NOW) == 2

    assert events_of([first, *others], "sla_breached") == Counter(others)
    assert db.session.scalar(select(func.count()).select_from(Timer)) == 0


def test_moved_met_and_paused_deadlines_in_a_batch_do_not_fire(db, desk):
    moved, met, paused, due = due_tickets(desk, 4)
    db.session.get(Ticket, moved).resolution_due = NOW + timedelta(hours=2)
    db.session.get(Ticket, met).status = "resolved"
    db.session.get(Ticket, paused).sla_paused_at = NOW - timedelta(hours=1)
    db.session.commit()  # bypassing the hooks: the timer rows stay behind

    assert sweeping.sweep(now=NOW) == 1

    assert events_of([moved, met, paused, due], "sla_breached") == Counter([due])
    assert db.session.scalar(select(func.count()).select_from(Timer)) == 0


def test_a_deadline_moved_onto_another_due_one_is_not_told_for_the_old_one(db, desk):
    moved, other = due_tickets(desk, 2)
    db.session.get(Ticket, moved).resolution_due = db.session.get(Ticket, other).resolution_due
    db.session.commit()  # bypassing the hooks: the old deadline's timer stays behind

    assert sweeping.sweep(now=NOW) == 1

    assert events_of([moved, other], "sla_breached") == Counter([other])
    assert db.session.get(Ticket, moved).resolution_breached_at is None


def test_a_ticket_that_fails_does_not_hold_back_the_others(db, desk, monkeypatch):
    bad, *good = due_tickets(desk, 4)
    context = deadline_alerts._context

    def failing(ticket, kind, due):
        if ticket.id == bad:
            raise RuntimeError("template data missing")
        return context(ticket, kind, due)

    monkeypatch.setattr(deadline_alerts, "_context", failing)

    with pytest.raises(RuntimeError):
        sweeping.sweep(now=NOW)

    assert events_of([bad, *good], "sla_breached") == Counter(good)
    # Its claim rolled back with the rest of its transaction, its notice kept for the next run.
    assert db.session.get(Ticket, bad).resolution_breached_at is None
    assert db.session.scalars(select(Notice.ticket_id)).all() == [bad]
    monkeypatch.setattr(deadline_alerts, "_context", context)
    assert sweeping.sweep(now=NOW) == 1  # nothing more is due: the kept notice is told
    assert events_of([bad, *good], "sla_breached") == Counter([bad, *good])
    assert db.session.scalars(select(Notice)).all() == []


def test_the_sweep_notes_what_is_due_and_a_run_of_their_own_claims_and_tells_it_once(
    db, desk, count_queries, sla_mail
):
    due_tickets(desk, 1)
    sweeping.sweep(now=NOW)  # policies and calendars are read once, then cached
    ids = due_tickets(desk, 2, kind="first_response", stage="warning")
    ids += due_tickets(desk, 30, kind="resolution", stage="breach")
    database.session.expire_all()

    with count_queries() as statements:
        assert notices.record_due(now=NOW) == 32
    assert len(statements) == NOTE_STATEMENTS, statements
    assert db.session.scalar(select(func.count()).select_from(Timer)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 32
    assert events_of(ids, "sla_breached") == Counter()  # not told yet
    assert db.session.get(Ticket, ids[-1]).resolution_breached_at is None  # nor claimed
    assert sla_mail_count() == 2  # the first sweep's ticket

    assert escalation.announce_pending() == 32
    assert escalation.announce_pending() == 0
    assert events_of(ids, "sla_warning") == Counter(ids[:2])
    assert events_of(ids, "sla_breached") == Counter(ids[2:])
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0
    breaches = db.session.scalars(select(Event).where(Event.kind == "sla_breached")).all()
    assert {event.created_at for event in breaches} == {NOW}  # when the sweep found it due
    assert db.session.get(Ticket, ids[-1]).resolution_breached_at == NOW


def test_the_sweep_moves_what_is_due_in_batches_and_its_notices_are_told_in_batches(db, desk):
    ids = due_tickets(desk, 7)

    assert notices.record_due(now=NOW, limit=3) == 7
    assert db.session.scalar(select(func.count()).select_from(Timer)) == 0
    assert escalation.announce_pending(limit=3) == 7

    assert events_of(ids, "sla_breached") == Counter(ids)
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_a_notice_of_a_deadline_told_already_or_of_a_ticket_gone_is_dropped(db, desk):
    told, twice, gone = due_tickets(desk, 3)
    notices.record_due(now=NOW)
    copy = {"ticket_id": twice, "kind": "resolution", "stage": "breach", "fired_at": NOW}
    copy["due_at"] = db.session.get(Ticket, twice).resolution_due
    db.session.execute(insert(Notice), [copy])  # a second sweep noted it too
    db.session.execute(sa.delete(Event).where(Event.ticket_id == gone))
    db.session.execute(sa.delete(Ticket).where(Ticket.id == gone))
    db.session.commit()

    assert escalation.announce_pending() == 2
    assert sweeping.sweep(now=NOW) == 0

    assert events_of([told, twice], "sla_breached") == Counter([told, twice])
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_the_sweep_job_hands_the_announcements_to_a_job_or_does_them_itself(
    db, desk, monkeypatch, caplog
):
    from helpdesk.sla import jobs

    handed: list = []
    monkeypatch.setattr(jobs, "enqueue", lambda func: handed.append(func) or "a job")
    monkeypatch.setattr(jobs.timeutil, "utcnow", lambda: NOW)
    first = due_tickets(desk, 3)

    assert jobs.sweep_deadlines() == 3
    assert handed == [jobs.announce_deadlines]
    assert events_of(first, "sla_breached") == Counter()

    # The announcing job was lost: the next sweep hands its notices over again.
    assert jobs.sweep_deadlines() == 0
    assert handed == [jobs.announce_deadlines] * 2
    assert "SLA notices waiting" not in caplog.text

    # Still waiting ten minutes on: said in the log, as an error.
    monkeypatch.setattr(jobs.timeutil, "utcnow", lambda: NOW + jobs.NOTICES_LATE * 2)
    with caplog.at_level(logging.ERROR, logger="helpdesk.sla.jobs"):
        assert jobs.sweep_deadlines() == 0
    assert "SLA notices waiting for 20 minutes" in caplog.text
    monkeypatch.setattr(jobs.timeutil, "utcnow", lambda: NOW)

    # Redis refuses the job: the sweep announces them itself.
    monkeypatch.setattr(jobs, "enqueue", lambda func: None)
    second = due_tickets(desk, 2)
    assert jobs.sweep_deadlines() == 2
    assert events_of(first + second, "sla_breached") == Counter(first + second)
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_breaches_that_escalate_run_their_steps_beside_the_batch(db, desk):
    policy = db.session.scalar(
        select(Policy).where(Policy.priority == 3, Policy.system_code.is_(None))
    )
    plain, escalating = due_tickets(desk, 2)
    other = Policy(
        name="Leo thang",
        priority=3,
        first_response_minutes=60,
        resolution_minutes=480,
        calendar_id=policy.calendar_id,
        raise_priority=True,
    )
    db.session.add(other)
    db.session.flush()
    db.session.get(Ticket, escalating).sla_policy_id = other.id
    db.session.commit()
    services.forget_cached()

    assert sweeping.sweep(now=NOW) == 2

    assert events_of([plain, escalating], "sla_breached") == Counter([plain, escalating])
    assert events_of([plain, escalating], "escalated") == Counter([escalating])
    assert db.session.get(Ticket, plain).priority == 3
    assert db.session.get(Ticket, escalating).priority == 2


def test_a_sweep_waiting_on_a_job_that_claims_the_ticket_records_nothing(app, backend, db, desk):
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: no run waits on another's row lock")
    ticket_id, other = due_tickets(desk, 2)
    # The job's transaction: it has set the marker and not committed yet.
    job = db.engine.connect()
    transaction = job.begin()
    job.execute(sa.update(Ticket).where(Ticket.id == ticket_id).values(resolution_breached_at=NOW))
    recorded: list[int] = []

    def sweep():
        with app.app_context():
            recorded.append(sweeping.sweep(now=NOW))
            database.session.remove()

    worker = threading.Thread(target=sweep)
    worker.start()
    worker.join(timeout=1)
    assert worker.is_alive()  # the sweep's UPDATE waits on the job's row lock
    transaction.commit()
    job.close()
    worker.join(timeout=10)

    assert recorded == [1]
    db.session.expire_all()
    assert events_of([ticket_id, other], "sla_breached") == Counter([other])
    assert db.session.scalar(select(func.count()).select_from(Timer)) == 0
