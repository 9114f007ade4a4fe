"""After a breach the policy's escalation steps run once: tell the supervisor, raise the
priority, move the ticket to the next queue on its routing path."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from integration.sla import sweeping
from sqlalchemy import select

from helpdesk.routing.models import Queue
from helpdesk.sla import services
from helpdesk.sla.models import Policy
from helpdesk.sla.states import SlaState
from helpdesk.tickets.services import sla_state

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def escalating(db, priority: int, **steps) -> Policy:
    """Turn on escalation steps of the default policy of that priority."""
    policy = db.session.scalar(
        select(Policy).where(Policy.priority == priority, Policy.system_code.is_(None))
    )
    for name, value in steps.items():
        setattr(policy, name, value)
    db.session.commit()
    services.forget_cached()
    return policy


def test_a_breach_raises_the_priority_and_moves_the_ticket_to_the_next_queue(
    file_ticket, desk, db, sla_events, reload
):
    escalating(db, 2, raise_priority=True, transfer_to_next_queue=True)
    ticket = file_ticket(at("2027-03-01 08:00"), priority=2)  # first response due at 13:30
    national = db.session.scalar(select(Queue).where(Queue.code == "national"))

    assert sweeping.sweep(now=at("2027-03-01 13:30")) == 2  # the warning (quietly), the breach

    ticket = reload(ticket)
    assert ticket.priority == 1
    assert ticket.queue_id == national.id
    assert ticket.assignee_id is None  # the next tier assigns its own people
    steps = [(e.kind, e.data.get("step"), e.data.get("to_queue_id")) for e in sla_events(ticket)]
    assert steps == [
        ("sla_breached", None, None),
        ("escalated", "priority", None),
        ("escalated", None, national.id),
    ]
    # The breached first response stays breached; the resolution follows the new priority.
    assert sla_state.state(ticket, at("2027-03-01 13:30")) == SlaState.BREACHED
    critical = services.find_policy(1, "moj", "account")
    assert ticket.resolution_due == at("2027-03-02 13:30")
    assert ticket.sla_policy_id == critical.id


def test_escalation_runs_once_even_if_the_sweep_runs_again(file_ticket, db, sla_events, reload):
    escalating(db, 2, raise_priority=True, transfer_to_next_queue=True)
    ticket = file_ticket(at("2027-03-01 08:00"), priority=2)
    sweeping.sweep(now=at("2027-03-01 13:30"))

    assert sweeping.sweep(now=at("2027-03-01 13:31")) == 0

    assert len(sla_events(reload(ticket), "escalated")) == 2
    assert reload(ticket).priority == 1


def test_a_critical_ticket_is_not_raised_further(file_ticket, db, sla_events, reload):
    escalating(db, 1, raise_priority=True)
    ticket = file_ticket(at("2027-03-01 08:00"), priority=1)

    sweeping.sweep(now=at("2027-03-01 09:00"))

    assert reload(ticket).priority == 1
    assert sla_events(reload(ticket), "escalated") == []


def test_without_the_supervisor_step_only_the_assignee_is_told(file_ticket, desk, db, sla_mail):
    escalating(db, 1, notify_supervisor=False)
    ticket = file_ticket(at("2027-03-01 08:00"), priority=1)

    sweeping.sweep(now=at("2027-03-01 09:00"))

    assert sla_mail(ticket) == [("sla_breach", desk.agent.email)]


def test_an_unassigned_ticket_warns_the_supervisor_with_the_guard_mail(
    file_ticket, desk, db, sla_mail
):
    desk.queue.auto_assign = False
    db.session.commit()
    ticket = file_ticket(at("2027-03-01 08:00"), priority=1)
    assert ticket.assignee_id is None

    sweeping.sweep(now=at("2027-03-01 08:45"))

    assert sla_mail(ticket) == [("sla_unanswered", desk.supervisor.email)]
