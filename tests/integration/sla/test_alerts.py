"""Firing a timer does something only when it is due and still pending for its deadline."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from integration.sla import sweeping
from sqlalchemy import select

from helpdesk.sla.models import Timer
from helpdesk.sla.services.timers import Outcome
from helpdesk.tickets.services import deadline_claims, escalation

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def test_a_timer_fired_before_its_instant_does_nothing_and_stays_pending(file_ticket, db):
    ticket = file_ticket(at("2027-03-01 08:00"), priority=1)
    due = ticket.first_response_due

    outcome = escalation.fire_timer(
        ticket.id, "first_response", "breach", due, now=at("2027-03-01 08:59")
    )

    assert outcome == Outcome.EARLY
    assert ticket.first_response_breached_at is None
    assert db.session.get(Timer, (ticket.id, "first_response", "breach")) is not None


def test_a_timer_left_behind_by_a_bypassed_change_is_dropped_by_the_sweep(
    file_ticket, db, sla_mail
):
    ticket = file_ticket(at("2027-03-01 08:00"), priority=1)
    ticket.status = "closed"  # not through tickets.services: the timers stay behind
    db.session.commit()

    assert sweeping.sweep(now=at("2027-03-02 09:00")) == 0

    assert db.session.scalars(select(Timer).where(Timer.ticket_id == ticket.id)).all() == []
    assert sla_mail(ticket) == []


def test_of_two_runs_that_both_found_the_timer_only_one_claims_it(file_ticket, db):
    ticket = file_ticket(at("2027-03-01 08:00"), priority=1)
    due, now = ticket.first_response_due, at("2027-03-01 09:00")

    first = deadline_claims.claim(ticket.id, "first_response", "breach", due, now)
    second = deadline_claims.claim(ticket.id, "first_response", "breach", due, now)

    assert (first, second) == (True, False)


def test_a_claim_for_a_deadline_that_moved_fails(file_ticket, db):
    ticket = file_ticket(at("2027-03-01 08:00"), priority=1)

    assert not deadline_claims.claim(
        ticket.id, "first_response", "breach", at("2027-03-01 10:00"), at("2027-03-01 10:00")
    )
