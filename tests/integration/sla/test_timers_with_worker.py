"""Deadline timers end to end: tickets filed through tickets.services, timers scheduled in RQ,
fired by a real RQ worker at controlled instants (see conftest.py for how time is driven)."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from helpdesk.extensions import redis_connection
from helpdesk.notifications.models import Outbox, OutboxStatus
from helpdesk.sla.jobs import fire_deadline, sweep_deadlines
from helpdesk.sla.states import SlaState
from helpdesk.tickets import services as tickets
from helpdesk.tickets.services import sla_state
from helpdesk.worker import enqueue

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


# A critical ticket filed on Monday 1 March 2027 at 08:00 (policy: 1 h / 8 h, warning at 75%):
# first response warned at 08:45, due at 09:00; resolution warned at 15:30 (3 h 30 before
# lunch, 2 h 30 after), due on Tuesday at 08:00 (7 h 30 on Monday, 30 min on Tuesday).
FILED = at("2027-03-01 08:00")


def test_timers_are_scheduled_at_the_warning_points_and_deadlines(file_ticket, timers):
    ticket = file_ticket(FILED, priority=1)

    assert sorted(timers.scheduled().values()) == [
        at("2027-03-01 08:45"),
        at("2027-03-01 09:00"),
        at("2027-03-01 15:30"),
        at("2027-03-02 08:00"),
    ]
    assert f"sla-{ticket.id}-first_response-breach-{at('2027-03-01 09:00').timestamp():.0f}" in (
        timers.scheduled()
    )


def test_warning_then_breach_fire_once_each_and_reach_assignee_and_supervisor(
    file_ticket, desk, timers, frozen, sla_mail, sla_events, reload, db, app
):
    ticket = file_ticket(FILED, priority=1)
    assert ticket.assignee_id == desk.agent.id

    frozen.set(at("2027-03-01 08:44"))
    assert timers.release(frozen.now) == []

    frozen.set(at("2027-03-01 08:45"))
    assert len(timers.release(frozen.now)) == 1
    timers.work()
    ticket = reload(ticket)
    assert ticket.first_response_warned_at == at("2027-03-01 08:45")
    assert ticket.first_response_breached_at is None
    assert sla_state.state(ticket, frozen.now) == SlaState.WARNING
    # Still unanswered past the warning point: the supervisor is told as well.
    assert sla_mail(ticket) == [
        ("sla_warning", desk.agent.email),
        ("sla_unanswered", desk.supervisor.email),
    ]

    # The same timer run again (a retried job, a duplicate) records and mails nothing more.
    due = ticket.first_response_due.isoformat()
    assert fire_deadline(ticket.id, "first_response", "warning", due) == "moved"

    frozen.set(at("2027-03-01 09:00"))
    assert len(timers.release(frozen.now)) == 1
    timers.work()
    ticket = reload(ticket)
    assert ticket.first_response_breached_at == at("2027-03-01 09:00")
    assert sla_state.state(ticket, frozen.now) == SlaState.BREACHED
    assert sla_mail(ticket)[2:] == [
        ("sla_breach", desk.agent.email),
        ("sla_breach", desk.supervisor.email),
    ]
    assert [(e.kind, e.data["clock"], e.created_at) for e in sla_events(ticket)] == [
        ("sla_warning", "first_response", at("2027-03-01 08:45")),
        ("sla_breached", "first_response", at("2027-03-01 09:00")),
    ]
    assert sla_events(ticket, "sla_breached")[0].data["supervisor_id"] == desk.supervisor.id
    # The worker also ran the send jobs: every SLA message went out.
    rows = db.session.scalars(select(Outbox).where(Outbox.key.like(f"sla:{ticket.id}:%"))).all()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    folder = Path(app.config["HELPDESK_OUTBOX_FOLDER"])
    for row in rows:
        sent = email.message_from_bytes(
            (folder / f"{row.id:08d}-{row.template}.eml").read_bytes(), policy=email.policy.default
        )
        assert sent["Subject"].startswith(f"[{ticket.number}] "), sent["Subject"]
        assert sent["To"] == row.to


def test_a_reply_before_the_deadline_cancels_the_warning_and_the_breach(
    file_ticket, desk, timers, frozen, sla_mail, reload
):
    ticket = file_ticket(FILED, priority=1)
    tickets.add_message(desk.agent, ticket, "Chúng tôi đang kiểm tra.", now=at("2027-03-01 08:30"))

    frozen.set(at("2027-03-01 09:00"))
    assert len(timers.release(frozen.now)) == 2  # the old jobs still run, and find nothing to do
    timers.work()

    ticket = reload(ticket)
    assert ticket.first_responded_at == at("2027-03-01 08:30")
    assert ticket.first_response_warned_at is None
    assert ticket.first_response_breached_at is None
    assert sla_mail(ticket) == []
    assert sla_state.state(ticket, frozen.now) == SlaState.OK


def test_a_ticket_waiting_on_the_requester_does_not_breach(
    file_ticket, desk, timers, frozen, sla_mail, reload
):
    ticket = file_ticket(FILED, priority=1)
    tickets.add_message(desk.agent, ticket, "Xin gửi ảnh chụp lỗi.", now=at("2027-03-01 08:10"))
    tickets.change_status(desk.agent, ticket, "waiting_requester", now=at("2027-03-01 08:20"))

    frozen.set(at("2027-03-03 10:00"))  # Wednesday, long past the Tuesday 08:00 deadline
    timers.release(frozen.now)
    enqueue(sweep_deadlines)
    timers.work()

    ticket = reload(ticket)
    assert ticket.resolution_warned_at is None
    assert ticket.resolution_breached_at is None
    assert sla_mail(ticket) == []
    assert sla_state.state(ticket, frozen.now) == SlaState.PAUSED
    assert ticket.sla_remaining_minutes == 460  # 08:20 -> Tuesday 08:00 in business minutes


def test_the_requesters_reply_resumes_the_resolution_clock_with_what_was_left(
    file_ticket, desk, frozen, reload
):
    ticket = file_ticket(FILED, priority=1)
    tickets.add_message(desk.agent, ticket, "Xin gửi ảnh chụp lỗi.", now=at("2027-03-01 08:10"))
    tickets.change_status(desk.agent, ticket, "waiting_requester", now=at("2027-03-01 08:20"))

    tickets.add_message(desk.requester, ticket, "Ảnh đây ạ.", now=at("2027-03-03 10:00"))

    ticket = reload(ticket)
    assert ticket.status == "open"
    assert ticket.sla_paused_at is None
    # 460 minutes from Wednesday 10:00: 90 before lunch, 240 after, 130 on Thursday.
    assert ticket.resolution_due == at("2027-03-04 09:40")


def test_after_a_redis_flush_the_sweep_breaches_the_overdue_ticket_in_one_run(
    file_ticket, desk, timers, frozen, sla_mail, reload
):
    ticket = file_ticket(FILED, priority=1)
    redis_connection.client.flushdb()  # the suite's own Redis db: every scheduled timer is lost
    assert timers.scheduled() == {}

    frozen.set(at("2027-03-01 09:00"))
    enqueue(sweep_deadlines)
    timers.work()

    ticket = reload(ticket)
    assert ticket.first_response_breached_at == at("2027-03-01 09:00")
    # The warning point passed as well, but the breach is what people are told.
    assert sla_mail(ticket) == [
        ("sla_breach", desk.agent.email),
        ("sla_breach", desk.supervisor.email),
    ]
