"""Delivery end to end: a real SMTP server on 127.0.0.1, a real Redis and real RQ workers.

Faults are the test's own: its SMTP server stops or refuses, its Redis stops, its worker
process is killed. Time past a claim or a retry is reached by passing `now=` to the sweep.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from rq.job import Job
from sqlalchemy import select
from support import post_form

from helpdesk.extensions import db as database
from helpdesk.extensions import redis_connection
from helpdesk.notifications import sweep
from helpdesk.notifications.jobs import send_email
from helpdesk.notifications.models import OutboxStatus
from helpdesk.tickets.models import Ticket
from helpdesk.timeutil import utcnow
from helpdesk.worker import enqueue, work_queue


def release_scheduled() -> int:
    """The RQ scheduler's step, now: every scheduled job (the retries) to the work queue."""
    queue = work_queue()
    registry = queue.scheduled_job_registry
    ids = registry.get_job_ids()
    for job in Job.fetch_many(ids, connection=redis_connection.client):
        registry.remove(job)
        queue.enqueue_job(job)
    return len(ids)


def test_filing_a_ticket_delivers_exactly_one_acknowledgement(
    smtp_app, smtp, desk, file_ticket, workers, outbox_rows
):
    ticket = file_ticket()

    workers.run(smtp_app)  # `flask worker --burst` in a process of its own
    workers.run(smtp_app)  # nothing is left for a second worker to send

    [ack] = smtp.to(desk.requester.email)
    assert ack.subject.startswith(f"[{ticket.number}] ")
    [row] = outbox_rows("ticket_filed")
    assert (row.status, row.attempts, row.message_id) == ("sent", 1, ack.message_id)


@pytest.mark.parametrize(
    "outage",
    [
        pytest.param("stopped", id="server-stopped"),
        pytest.param("451 4.3.2 System not accepting network messages", id="server-answers-451"),
    ],
)
def test_mail_during_an_smtp_outage_arrives_once_after_the_server_returns(
    outage, smtp_app, smtp, desk, file_ticket, workers, outbox_rows
):
    if outage == "stopped":
        smtp.stop()
    else:
        smtp.handler.reply = outage
    before = utcnow()
    file_ticket()
    workers.burst()

    [row] = outbox_rows("ticket_filed")
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error
    assert before + timedelta(minutes=1) <= row.next_attempt_at <= utcnow() + timedelta(minutes=1)
    assert smtp.to(desk.requester.email) == []

    if outage == "stopped":
        smtp.start()
    else:
        smtp.handler.reply = None
    assert release_scheduled() >= 1  # the retry RQ holds for next_attempt_at, run now
    workers.burst()
    enqueue(send_email, row.id)  # a stray duplicate of the job changes nothing
    workers.burst()

    assert len(smtp.to(desk.requester.email)) == 1
    [row] = outbox_rows("ticket_filed")
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_redis_down_while_filing_saves_the_ticket_and_mails_once_redis_returns(
    smtp_app, smtp, own_redis, desk, client, login, workers, outbox_rows
):
    login(desk.requester)
    own_redis.stop()

    response = post_form(
        client,
        "/tickets/new",
        {
            "system": "moj",
            "category": "account",
            "province": "01",
            "subject": "Không đăng nhập được",
            "description": "Tài khoản bị khoá.",
            "priority": "3",
        },
    )

    assert response.status_code == 302
    ticket = database.session.scalar(select(Ticket))
    assert response.headers["Location"].endswith(f"/tickets/{ticket.number}")
    [row] = outbox_rows("ticket_filed")
    assert row.status == "pending"

    own_redis.start()
    assert sweep.sweep() == 0  # within the grace period: a job may still be on its way
    assert sweep.sweep(now=utcnow() + sweep.SWEEP_GRACE) >= 1
    workers.burst()

    [ack] = smtp.to(desk.requester.email)
    assert ack.subject.startswith(f"[{ticket.number}] ")
    assert outbox_rows("ticket_filed")[0].status == "sent"


def test_a_worker_killed_while_sending_is_recovered_and_the_resend_keeps_the_message_id(
    smtp_app, smtp, desk, file_ticket, workers, outbox_rows
):
    smtp.handler.hold = threading.Event()  # DATA has arrived; the answer waits for the kill
    file_ticket()
    worker = workers.start(smtp_app)
    assert smtp.handler.arrived.wait(30), "the worker never sent"
    workers.kill(worker)
    smtp.handler.hold.set()

    # The job claimed its rows (the acknowledgement, the assignment) for a worker now gone:
    # the next sweep gives them back without waiting for the claim timeout.
    assert [row.status for row in outbox_rows()] == ["sending", "sending"]
    assert sweep.sweep(now=utcnow() + sweep.SWEEP_GRACE) == 2
    workers.run(smtp_app)

    first, second = smtp.to(desk.requester.email)
    [row] = outbox_rows("ticket_filed")
    assert first.message_id == second.message_id
    assert first.message_id.startswith(f"<outbox-{row.id}-")
    assert first.message_id.endswith("@hotro.example.vn>")
    assert (row.status, row.attempts, row.message_id) == ("sent", 2, first.message_id)
    assert len(smtp.to(desk.agent.email)) == 1  # claimed by the dead job too, but never sent


def test_the_same_send_job_run_twice_sends_once(
    smtp_app, smtp, desk, file_ticket, workers, outbox_rows
):
    file_ticket()
    ids = [row.id for row in outbox_rows()]
    queue = work_queue()
    # RQ does not deduplicate: the same job id enqueued twice runs twice.
    queue.enqueue(send_email, *ids, job_id="send-twice")
    queue.enqueue(send_email, *ids, job_id="send-twice")

    workers.burst()

    assert len(smtp.to(desk.requester.email)) == 1
    assert len(smtp.to(desk.agent.email)) == 1
    assert {row.status for row in outbox_rows()} == {OutboxStatus.SENT}
