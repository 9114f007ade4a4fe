"""Reminders: the coordinators of each province that has not answered are mailed three working
days before the due date and on the due date, in the morning, each once however often the job
runs; none for a province that answered; the sender gets one summary after the due time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from integration.requests.helpers import DUE_AT, SENT_AT, tickets_of
from sqlalchemy import select

from helpdesk.notifications.models import Outbox
from helpdesk.notifications.rendering import render
from helpdesk.periodic import request_jobs
from helpdesk.requests import dates
from helpdesk.requests.reminders import send_reminders
from helpdesk.tickets import services as tickets
from helpdesk.worker import PERIODIC

# Due Friday 15 March 2030: three working days before is Tuesday the 12th; mornings at 07:30
# in Hà Nội (00:30 UTC).
BEFORE_MORNING = datetime(2030, 3, 12, 0, 30, tzinfo=UTC)
DUE_MORNING = datetime(2030, 3, 15, 0, 30, tzinfo=UTC)


def mail(db, template: str) -> list[Outbox]:
    query = select(Outbox).where(Outbox.template == template).order_by(Outbox.id)
    return list(db.session.scalars(query))


@pytest.fixture
def request_with_an_answer(db, admin, coordinators, send):
    """A request to 79, 01 and 75 (a coordinator each), 79 answered."""
    request = send(admin, provinces=["79", "01", "75"])
    ticket79 = next(t for t in tickets_of(db, request) if t.province_code == "79")
    tickets.respond(coordinators["79"], ticket79, "Đã gửi.", now=SENT_AT + timedelta(days=1))
    return request


def test_the_reminders_fall_three_working_days_before_and_on_the_due_date(db):
    assert dates.reminder_instants(date(2030, 3, 15)) == {
        "before": BEFORE_MORNING,
        "due": DUE_MORNING,
    }
    # Due on a Monday: the Wednesday before, over the weekend.
    assert dates.reminder_instants(date(2030, 3, 18))["before"] == datetime(
        2030, 3, 13, 0, 30, tzinfo=UTC
    )


def test_three_working_days_before_the_unanswered_provinces_are_reminded_once(
    db, coordinators, request_with_an_answer
):
    assert send_reminders(now=BEFORE_MORNING - timedelta(minutes=1)) == 0

    first = send_reminders(now=BEFORE_MORNING + timedelta(hours=1))
    again = send_reminders(now=BEFORE_MORNING + timedelta(hours=2))

    rows = mail(db, "request_reminder")
    assert (first, again) == (2, 0)
    assert {row.to for row in rows} == {coordinators["01"].email, coordinators["75"].email}
    assert all(row.key.startswith("request_reminder:") and ":before:" in row.key for row in rows)
    assert {row.context["reminder"] for row in rows} == {"before"}


def test_on_the_due_date_they_are_reminded_again_once(db, coordinators, request_with_an_answer):
    send_reminders(now=BEFORE_MORNING + timedelta(hours=1))

    assert send_reminders(now=DUE_MORNING + timedelta(minutes=30)) == 2
    assert send_reminders(now=DUE_MORNING + timedelta(hours=3)) == 0

    due = [row for row in mail(db, "request_reminder") if row.context["reminder"] == "due"]
    assert {row.to for row in due} == {coordinators["01"].email, coordinators["75"].email}
    message = render(due[0])
    assert "Request due today" in message.subject
    assert request_with_an_answer.number in message.body


def test_a_province_that_answered_meanwhile_is_not_reminded(
    db, coordinators, request_with_an_answer
):
    ticket01 = next(t for t in tickets_of(db, request_with_an_answer) if t.province_code == "01")
    tickets.respond(coordinators["01"], ticket01, "Đã gửi.", now=BEFORE_MORNING)

    send_reminders(now=DUE_MORNING + timedelta(minutes=30))

    assert {row.to for row in mail(db, "request_reminder")} == {coordinators["75"].email}


def test_a_request_sent_after_a_reminders_morning_does_not_get_that_reminder(
    db, admin, coordinators, send
):
    send(admin, provinces=["01"], now=BEFORE_MORNING + timedelta(hours=2))

    assert send_reminders(now=BEFORE_MORNING + timedelta(hours=3)) == 0
    assert send_reminders(now=DUE_MORNING + timedelta(hours=1)) == 1


def test_the_sender_gets_one_summary_after_the_due_time(db, admin, request_with_an_answer):
    send_reminders(now=DUE_AT - timedelta(minutes=1))
    assert mail(db, "request_summary") == []

    assert send_reminders(now=DUE_AT + timedelta(minutes=30)) == 1
    assert send_reminders(now=DUE_AT + timedelta(hours=1)) == 0

    (summary,) = mail(db, "request_summary")
    assert summary.to == admin.email
    assert (summary.context["answered"], summary.context["total"]) == (1, 3)
    assert sorted(summary.context["late"]) == ["Hà Nội", "Đồng Nai"]
    assert "1 of 3 provinces answered" in render(summary).subject


def test_the_reminders_run_every_hour():
    assert (request_jobs.send_reminders, 3600) in PERIODIC
