"""SLA pages: who may see them, the unanswered-ticket guard, breached lists per queue, the
policy and calendar forms, the badge partial."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import render_template
from integration.sla import sweeping
from sqlalchemy import func, select
from support import post_form

from helpdesk.routing.models import Queue
from helpdesk.sla.models import Calendar, CalendarDay, Policy
from helpdesk.tickets import services as tickets

pytestmark = pytest.mark.usefixtures("english")  # assertions read English text

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SUPERVISOR_PAGES = ["/sla/unanswered", "/sla/breached"]
ADMIN_PAGES = ["/sla/policies", "/sla/policies/new", "/sla/calendars"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture
def lead(desk, db, make_user, login):
    """A supervisor with a password, leading the desk's queue, logged in."""
    user = make_user("supervisor")
    desk.queue.supervisor_id = user.id
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def admin(make_user, login):
    user = make_user("admin")
    login(user)
    return user


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("url", SUPERVISOR_PAGES + ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["requester", "agent", "observer"])
def test_other_roles_get_not_found(client, login, make_user, role):
    login(make_user(role))

    assert [client.get(url).status_code for url in SUPERVISOR_PAGES + ADMIN_PAGES] == [404] * 5


def test_supervisors_do_not_get_the_admin_pages(client, lead):
    assert [client.get(url).status_code for url in ADMIN_PAGES] == [404] * 3


# ---------------------------------------------------------------- supervisors


def test_the_guard_lists_unassigned_tickets_past_their_warning_point(
    client, lead, desk, db, file_ticket, frozen
):
    desk.queue.auto_assign = False
    db.session.commit()
    late = file_ticket(at("2027-03-01 08:00"), priority=1)  # warning at 08:45
    fresh = file_ticket(at("2027-03-01 08:30"), priority=1)  # warning at 09:15
    sweeping.sweep(now=at("2027-03-01 08:50"))
    frozen.set(at("2027-03-01 08:50"))

    html = page(client, "/sla/unanswered")

    assert late.number in html
    assert fresh.number not in html
    assert 'data-sla-state="warning"' in html


def test_the_guard_leaves_out_answered_and_other_queues_tickets(
    client, lead, desk, db, file_ticket, frozen
):
    answered = file_ticket(at("2027-03-01 08:00"), priority=1)
    tickets.add_message(desk.agent, answered, "Đã nhận.", now=at("2027-03-01 08:05"))
    elsewhere = file_ticket(at("2027-03-01 08:00"), priority=1, category="payment")  # vendor
    frozen.set(at("2027-03-01 10:00"))

    html = page(client, "/sla/unanswered")

    assert answered.number not in html
    assert elsewhere.number not in html
    assert "No ticket is waiting unanswered." in html


def test_the_breached_list_of_a_queue_costs_the_same_queries_for_more_tickets(
    client, lead, desk, file_ticket, count_queries, frozen
):
    file_ticket(at("2027-03-01 08:00"), priority=1)
    url = f"/sla/breached/{desk.queue.id}"
    frozen.set(at("2027-03-02 10:00"))
    with count_queries() as one:
        page(client, url)
    for _ in range(3):
        file_ticket(at("2027-03-01 08:00"), priority=2)
    frozen.set(at("2027-03-02 10:00"))

    with count_queries() as four:
        html = page(client, url)

    assert html.count('data-sla-state="breached"') == 4
    assert len(four) == len(one)


def test_the_breached_overview_counts_per_queue(client, lead, desk, file_ticket, frozen):
    file_ticket(at("2027-03-01 08:00"), priority=1)
    frozen.set(at("2027-03-01 09:00"))

    html = page(client, "/sla/breached")

    row = html[html.index('data-queue="moj-it"') :]
    assert '<span class="badge text-bg-danger">1</span>' in row[: row.index("</tr>")]


def test_a_queue_the_supervisor_does_not_oversee_is_not_found(client, lead, db):
    vendor = db.session.scalar(select(Queue).where(Queue.code == "moj-fpt"))

    assert client.get(f"/sla/breached/{vendor.id}").status_code == 404


# ---------------------------------------------------------------- admins


def test_an_admin_adds_a_policy_for_a_category(client, admin, db):
    calendar = db.session.scalar(select(Calendar).where(Calendar.name == "default"))
    form = {
        "name": "Thanh toán khẩn",
        "priority": "1",
        "system": "",
        "category": "payment",
        "first_response_minutes": "30",
        "resolution_minutes": "240",
        "warning_percent": "50",
        "calendar": str(calendar.id),
        "notify_supervisor": "y",
        "raise_priority": "",
        "active": "y",
    }

    response = post_form(client, "/sla/policies/new", form)

    assert response.status_code == 302, response.get_data(as_text=True)
    policy = db.session.scalar(select(Policy).where(Policy.name == "Thanh toán khẩn"))
    assert (policy.category_code, policy.first_response_minutes, policy.warning_percent) == (
        "payment",
        30,
        50,
    )
    assert "Thanh toán khẩn" in page(client, "/sla/policies")


def test_the_policy_list_writes_the_warning_point_the_readers_way(client, admin, db):
    """Seeded policies warn at 75 % of their time: `75 %` in Vietnamese, `75%` in English."""
    cells = re.compile(r'<td class="text-nowrap">([^<]*%)</td>')
    assert set(cells.findall(page(client, "/sla/policies"))) == {"75%"}
    client.set_cookie("lang", "vi")
    assert set(cells.findall(page(client, "/sla/policies"))) == {"75 %"}


def test_a_second_active_policy_for_the_same_scope_is_refused(client, admin, db):
    calendar = db.session.scalar(select(Calendar).where(Calendar.name == "default"))
    form = {
        "name": "Trùng",
        "priority": "3",
        "first_response_minutes": "60",
        "resolution_minutes": "600",
        "warning_percent": "75",
        "calendar": str(calendar.id),
        "active": "y",
    }

    response = post_form(client, "/sla/policies/new", form)

    assert response.status_code == 200
    assert "An active policy already covers" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Policy)) == 4


def test_an_admin_edits_a_policy(client, admin, db):
    policy = db.session.scalar(select(Policy).where(Policy.priority == 4))
    html = page(client, f"/sla/policies/{policy.id}")
    assert 'value="960"' in html

    response = post_form(
        client,
        f"/sla/policies/{policy.id}",
        {
            "name": policy.name,
            "priority": "4",
            "first_response_minutes": "900",
            "resolution_minutes": "4800",
            "warning_percent": "80",
            "calendar": str(policy.calendar_id),
            "transfer_to_next_queue": "y",
            "active": "y",
        },
    )

    assert response.status_code == 302
    db.session.refresh(policy)
    assert (policy.first_response_minutes, policy.warning_percent) == (900, 80)
    assert (policy.notify_supervisor, policy.transfer_to_next_queue) == (False, True)


def test_an_admin_declares_a_day_off_and_takes_it_back(client, admin, db):
    calendar = db.session.scalar(select(Calendar).where(Calendar.name == "default"))
    url = f"/sla/calendars/{calendar.id}"

    response = post_form(client, url, {"day": "2027-03-02", "working": "0", "note": "Bão"})

    assert response.status_code == 302
    assert db.session.get(CalendarDay, (calendar.id, date(2027, 3, 2))).working is False
    assert 'data-day="2027-03-02"' in page(client, url)

    response = post_form(client, f"{url}/days/2027-03-02/delete", {}, page=url)

    assert response.status_code == 302
    assert db.session.get(CalendarDay, (calendar.id, date(2027, 3, 2))) is None


def test_a_day_declared_twice_is_refused(client, admin, db):
    calendar = db.session.scalar(select(Calendar).where(Calendar.name == "default"))
    url = f"/sla/calendars/{calendar.id}"
    post_form(client, url, {"day": "2027-03-06", "working": "1"})

    response = post_form(client, url, {"day": "2027-03-06", "working": "0"})

    assert response.status_code == 200
    assert "already declared" in response.get_data(as_text=True)


# ---------------------------------------------------------------- the badge


@pytest.mark.parametrize(
    ("state", "minutes", "text"),
    [
        ("ok", 1025, "On time · 2 d 1 h 5 min left"),
        ("warning", 15, "Due soon · 15 min left"),
        ("breached", -75, "Overdue · 1 h 15 min late"),
        ("paused", 460, "Paused · 7 h 40 min left"),
        ("met", None, "Met"),
    ],
)
def test_the_badge_shows_the_state_and_the_business_time(app, db, state, minutes, text):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        html = render_template("sla/_badge.html", state=state, remaining_minutes=minutes)

    assert f'data-sla-state="{state}"' in html
    assert " ".join(html.split(">", 1)[1].split("<", 1)[0].split()) == text
