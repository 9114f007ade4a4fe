"""SLA fixtures: a controlled clock, a staffed queue, tickets filed through tickets.services,
and the RQ side driven by hand: the scheduler's step at a controlled instant, a burst worker.

How time is controlled: services take `now=`; jobs ask `helpdesk.timeutil.utcnow()`, which
the `frozen` fixture replaces. RQ's scheduler compares job times with the real clock, so
`release_timers(instant)` does its step (ScheduledJobRegistry -> work queue) for the jobs due
at the controlled instant, and `run_worker()` runs a real rq.SimpleWorker in burst mode in
this process (the jobs run in the test's app context, against the test's database and Redis).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count

import pytest
import support
from rq import SimpleWorker
from rq.job import Job
from sqlalchemy import select

from helpdesk import timeutil
from helpdesk.extensions import db as database
from helpdesk.extensions import redis_connection
from helpdesk.notifications.models import Outbox
from helpdesk.routing.models import Membership, Queue
from helpdesk.tickets.models import Event, Ticket
from helpdesk.worker import work_queue

_subjects = count(1)


class FrozenClock:
    def __init__(self) -> None:
        self.now = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)

    def set(self, instant: datetime) -> datetime:
        self.now = instant.astimezone(UTC)
        return self.now


fresh_limiter = pytest.fixture(autouse=True)(support.fresh_limiter)


@pytest.fixture
def frozen(monkeypatch):
    """What `timeutil.utcnow()` answers (jobs, the sweep, schedule_timers)."""
    clock = FrozenClock()
    monkeypatch.setattr(timeutil, "utcnow", lambda: clock.now)
    return clock


@dataclass
class Desk:
    queue: Queue
    agent: object
    supervisor: object
    requester: object


@pytest.fixture
def desk(db, make_user):
    """The seeded `moj-it` queue with a supervisor and one agent covering every province."""
    queue = database.session.scalar(select(Queue).where(Queue.code == "moj-it"))
    # No passwords (no login here): hashing one costs more than the rest of a test.
    agent = make_user(
        "agent", password=None, full_name="Cán bộ xử lý", email="agent@example.vn", language="en"
    )
    supervisor = make_user(
        "supervisor", password=None, full_name="Trưởng nhóm", email="lead@example.vn"
    )
    requester = make_user(
        "requester", password=None, province_code="01", email="requester@example.vn"
    )
    queue.supervisor_id = supervisor.id
    database.session.add(
        Membership(queue_id=queue.id, user_id=agent.id, available=True, all_provinces=True)
    )
    database.session.commit()
    return Desk(queue=queue, agent=agent, supervisor=supervisor, requester=requester)


@pytest.fixture
def file_ticket(desk, frozen):
    """File a ticket (moj / account -> moj-it, auto-assigned to the desk's agent) at `now`."""
    from helpdesk.tickets.services import TicketDraft, create_ticket

    def file(now: datetime, *, priority: int = 1, category: str = "account") -> Ticket:
        frozen.set(now)
        draft = TicketDraft(
            system="moj",
            category=category,
            province="01",
            subject=f"Không đăng nhập được {next(_subjects)}",
            description="Tài khoản bị khoá.",
            priority=priority,
        )
        return create_ticket(desk.requester, draft, now=now)

    return file


class Timers:
    """The RQ side of the SLA timers, driven by the test."""

    def release(self, until: datetime) -> list[str]:
        """The RQ scheduler's step at a controlled instant: jobs scheduled at or before `until`
        move from the scheduled registry to the work queue. Returns their ids."""
        queue = work_queue()
        registry = queue.scheduled_job_registry
        ids = registry.get_jobs_to_schedule(int(until.timestamp()))
        for job in Job.fetch_many(ids, connection=redis_connection.client):
            if job is not None:
                registry.remove(job)
                queue.enqueue_job(job)
        return ids

    def work(self) -> None:
        """A real RQ worker, in this process, until the work queue is empty."""
        SimpleWorker([work_queue()], connection=redis_connection.client).work(burst=True)

    def scheduled(self) -> dict[str, datetime]:
        """{job id: the instant it is scheduled for} of the scheduled jobs."""
        registry = work_queue().scheduled_job_registry
        return {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}


@pytest.fixture
def timers(db):
    return Timers()


@pytest.fixture
def sla_mail(db):
    """(template, address) of the SLA mail queued about a ticket, oldest first."""

    def read(ticket: Ticket) -> list[tuple[str, str]]:
        rows = database.session.scalars(
            select(Outbox).where(Outbox.key.like(f"sla:{ticket.id}:%")).order_by(Outbox.id)
        )
        return [(row.template, row.to) for row in rows]

    return read


@pytest.fixture
def sla_events(db):
    """The SLA events of a ticket (or those of the given kinds), oldest first."""

    def read(ticket: Ticket, *kinds: str) -> list[Event]:
        kinds = kinds or ("sla_warning", "sla_breached", "escalated")
        query = (
            select(Event)
            .where(Event.ticket_id == ticket.id, Event.kind.in_(kinds))
            .order_by(Event.id)
        )
        return list(database.session.scalars(query))

    return read


@pytest.fixture
def reload(db):
    """The ticket as the database has it now."""

    def read(ticket: Ticket) -> Ticket:
        database.session.expire_all()
        return database.session.get(Ticket, ticket.id)

    return read
