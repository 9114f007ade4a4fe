"""Deadlines through a ticket's life: the policy that applies, replies, pauses, resolution,
reopening, priority changes; the state of the clocks and the filter on it. Time via now=."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis
from rq import Queue as WorkQueue
from sqlalchemy import select

from helpdesk.sla import clock, services
from helpdesk.sla.models import Policy, Timer
from helpdesk.sla.states import SlaState
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import sla_state

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = "2027-03-01"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def default_calendar_id(db) -> int:
    return db.session.scalar(select(Policy.calendar_id).where(Policy.priority == 3))


def add_policy(db, **values) -> Policy:
    fields = {
        "name": "test",
        "priority": 3,
        "first_response_minutes": 100,
        "resolution_minutes": 1000,
        "warning_percent": 75,
        "calendar_id": default_calendar_id(db),
        **values,
    }
    policy = Policy(**fields)
    db.session.add(policy)
    db.session.commit()
    return policy


def pending(db, ticket) -> dict[tuple[str, str], datetime]:
    rows = db.session.scalars(select(Timer).where(Timer.ticket_id == ticket.id))
    return {(row.kind, row.stage): row.fire_at for row in rows}


# ---------------------------------------------------------------- policies


def test_the_most_specific_active_policy_applies(db):
    system = add_policy(db, system_code="moj", first_response_minutes=101)
    category = add_policy(db, category_code="account", first_response_minutes=102)
    both = add_policy(db, system_code="moj", category_code="account", first_response_minutes=103)
    add_policy(db, system_code="moj", category_code="payment", active=False)

    assert services.find_policy(3, "moj", "account").id == both.id
    assert services.find_policy(3, "moha", "account").id == category.id
    assert services.find_policy(3, "moj", "payment").id == system.id
    default = services.find_policy(3, "moha", "payment")
    assert (default.system_code, default.category_code, default.first_response_minutes) == (
        None,
        None,
        480,
    )


def test_filing_sets_both_deadlines_in_business_time(file_ticket):
    ticket = file_ticket(at(f"{MONDAY} 16:30"), priority=3)

    # 8 business hours: 30 minutes on Monday, then Tuesday until 16:30.
    assert ticket.first_response_due == at("2027-03-02 16:30")
    # 5 business days of 8 h.
    assert ticket.resolution_due == at("2027-03-08 16:30")
    assert ticket.sla_policy_id == services.find_policy(3, "moj", "account").id


def test_a_holiday_of_the_calendar_pushes_the_deadline(file_ticket, db):
    from helpdesk.sla.models import CalendarDay

    day_off = CalendarDay(
        calendar_id=default_calendar_id(db), day=at("2027-03-02 00:00").date(), working=False
    )
    db.session.add(day_off)
    db.session.commit()
    services.forget_cached()

    ticket = file_ticket(at(f"{MONDAY} 16:30"), priority=3)

    assert ticket.first_response_due == at("2027-03-03 16:30")


# ---------------------------------------------------------------- replies and statuses


def test_the_first_public_agent_reply_meets_the_first_response(file_ticket, desk, db):
    ticket = file_ticket(at(f"{MONDAY} 08:00"), priority=1)
    tickets.add_message(desk.agent, ticket, "Đã nhận.", internal=True, now=at(f"{MONDAY} 08:05"))
    assert ticket.first_responded_at is None

    tickets.add_message(desk.agent, ticket, "Chúng tôi đang xử lý.", now=at(f"{MONDAY} 08:10"))

    assert ticket.first_responded_at == at(f"{MONDAY} 08:10")
    assert set(pending(db, ticket)) == {("resolution", "warning"), ("resolution", "breach")}


def test_a_reply_after_the_deadline_is_recorded_as_a_breach(file_ticket, desk):
    ticket = file_ticket(at(f"{MONDAY} 08:00"), priority=1)

    tickets.add_message(desk.agent, ticket, "Xin lỗi vì chậm.", now=at(f"{MONDAY} 09:30"))

    assert ticket.first_response_breached_at == at(f"{MONDAY} 09:00")


def test_resolving_meets_the_clock_and_reopening_resumes_with_what_was_left(file_ticket, desk, db):
    ticket = file_ticket(at(f"{MONDAY} 08:00"), priority=1)  # resolution due Tuesday 08:00
    tickets.add_message(desk.agent, ticket, "Đã sửa.", now=at(f"{MONDAY} 08:10"))
    tickets.change_status(
        desk.agent, ticket, "resolved", now=at(f"{MONDAY} 10:00"), resolution="Đã xử lý xong."
    )

    assert sla_state.state(ticket, at("2027-03-05 10:00")) == SlaState.MET
    assert ticket.sla_remaining_minutes == 360  # 90 before lunch, 240 after, 30 on Tuesday
    assert pending(db, ticket) == {}

    tickets.reopen(desk.requester, ticket, reason="Vẫn lỗi.", now=at("2027-03-03 09:00"))

    assert ticket.status == "open"
    # 360 minutes from Wednesday 09:00: 150 before lunch, 210 after.
    assert ticket.resolution_due == at("2027-03-03 16:30")
    assert sla_state.state(ticket, at("2027-03-03 09:00")) == SlaState.OK


def test_a_ticket_resolved_late_stays_breached(file_ticket, desk):
    ticket = file_ticket(at(f"{MONDAY} 08:00"), priority=1)
    tickets.add_message(desk.agent, ticket, "Đang xử lý.", now=at(f"{MONDAY} 08:10"))

    tickets.change_status(
        desk.agent, ticket, "resolved", now=at("2027-03-02 09:00"), resolution="Đã xử lý xong."
    )

    assert ticket.resolution_breached_at == at("2027-03-02 08:00")
    assert sla_state.state(ticket, at("2027-03-02 09:00")) == SlaState.BREACHED


def test_waiting_on_the_requester_pauses_only_a_clock_with_time_left(file_ticket, desk):
    ticket = file_ticket(at(f"{MONDAY} 08:00"), priority=1)
    tickets.add_message(desk.agent, ticket, "Đang xử lý.", now=at(f"{MONDAY} 08:10"))

    tickets.change_status(desk.agent, ticket, "waiting_requester", now=at("2027-03-02 09:00"))

    assert ticket.sla_paused_at is None  # already overdue: the breach still comes
    assert ticket.resolution_due == at("2027-03-02 08:00")
    assert sla_state.state(ticket, at("2027-03-02 09:00")) == SlaState.BREACHED


# ---------------------------------------------------------------- priority changes


def test_a_priority_change_recomputes_the_deadlines_from_now(file_ticket, desk, db, timers):
    ticket = file_ticket(at(f"{MONDAY} 08:00"), priority=3)

    tickets.change_priority(desk.agent, ticket, 1, now=at(f"{MONDAY} 10:00"))

    assert ticket.first_response_due == at(f"{MONDAY} 11:00")
    # 480 minutes from 10:00: 90 before lunch, 240 after, 150 on Tuesday.
    assert ticket.resolution_due == at("2027-03-02 10:00")
    assert pending(db, ticket)[("first_response", "warning")] == at(f"{MONDAY} 10:45")
    assert at(f"{MONDAY} 11:00") in timers.scheduled().values()


def test_a_breached_deadline_survives_a_priority_change(file_ticket, desk):
    ticket = file_ticket(at(f"{MONDAY} 08:00"), priority=1)
    ticket.first_response_breached_at = at(f"{MONDAY} 09:00")

    tickets.change_priority(desk.agent, ticket, 4, now=at(f"{MONDAY} 09:30"))

    assert ticket.first_response_due == at(f"{MONDAY} 09:00")
    assert sla_state.state(ticket, at(f"{MONDAY} 09:30")) == SlaState.BREACHED
    low = services.find_policy(4, "moj", "account")
    assert ticket.resolution_due == clock.add(
        at(f"{MONDAY} 09:30"), low.resolution_minutes, services.calendar_for(low)
    )


# ---------------------------------------------------------------- state and filter


@pytest.fixture
def one_of_each(file_ticket, desk):
    """At Monday 09:30: a ticket in each SLA state."""
    ok = file_ticket(at(f"{MONDAY} 09:20"), priority=1)  # warning at 10:05
    warning = file_ticket(at(f"{MONDAY} 08:40"), priority=1)  # warning at 09:25, due 09:40
    breached = file_ticket(at(f"{MONDAY} 08:00"), priority=1)  # due at 09:00
    paused = file_ticket(at(f"{MONDAY} 08:00"), priority=1)
    tickets.add_message(desk.agent, paused, "Xin thêm thông tin.", now=at(f"{MONDAY} 08:05"))
    tickets.change_status(desk.agent, paused, "waiting_requester", now=at(f"{MONDAY} 08:10"))
    met = file_ticket(at(f"{MONDAY} 08:00"), priority=1)
    tickets.add_message(desk.agent, met, "Đã xong.", now=at(f"{MONDAY} 08:05"))
    tickets.change_status(
        desk.agent, met, "resolved", now=at(f"{MONDAY} 08:20"), resolution="Đã xử lý xong."
    )
    return {"ok": ok, "warning": warning, "breached": breached, "paused": paused, "met": met}


def test_each_ticket_has_its_state_and_remaining_time(one_of_each):
    now = at(f"{MONDAY} 09:30")

    assert {name: sla_state.state(t, now) for name, t in one_of_each.items()} == {
        name: name for name in one_of_each
    }
    assert sla_state.badge(one_of_each["warning"], now).remaining_minutes == 10
    assert sla_state.badge(one_of_each["breached"], now).remaining_minutes == -30
    assert sla_state.badge(one_of_each["paused"], now).remaining_minutes == 470
    assert sla_state.badge(one_of_each["met"], now).remaining_minutes is None


@pytest.mark.parametrize("state", SlaState)
def test_the_state_filter_selects_the_tickets_in_that_state(one_of_each, db, state):
    query = select(Ticket.id).where(sla_state.state_filter(state, at(f"{MONDAY} 09:30")))

    assert set(db.session.scalars(query)) == {one_of_each[state].id}


def test_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="unknown SLA state"):
        sla_state.state_filter("late", at(f"{MONDAY} 09:30"))


# ---------------------------------------------------------------- timers and Redis


def test_scheduling_timers_tolerates_redis_being_down(file_ticket, monkeypatch, timers, db):
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=None)
    monkeypatch.setattr(
        "helpdesk.worker.work_queue", lambda: WorkQueue("helpdesk", connection=dead)
    )

    ticket = file_ticket(at(f"{MONDAY} 08:00"), priority=1)

    assert ticket.id is not None and ticket.first_response_due == at(f"{MONDAY} 09:00")
    monkeypatch.undo()
    assert timers.scheduled() == {}
    assert len(pending(db, ticket)) == 4  # the sweep fires them: the timer rows are there
