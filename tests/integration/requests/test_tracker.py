"""A request's tracker, on the web and in the API: each province's state (not opened, in
progress, answered, late; an answer after the due time marked late), its answer's files; who
reads it (a coordinator its own province's line only); a constant number of statements."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from integration.requests.helpers import PNG, tickets_of
from support import csrf_token

from helpdesk import storage
from helpdesk.auth.services import create_token
from helpdesk.tickets import services as tickets
from helpdesk.timeutil import to_local, utcnow


def local_today():
    return to_local(utcnow(), "Asia/Ho_Chi_Minh").date()


def by_province(db, request) -> dict:
    return {ticket.province_code: ticket for ticket in tickets_of(db, request)}


def row_of(html: str, province: str) -> str:
    match = re.search(rf'<tr data-province="{province}"[^>]*>.*?</tr>', html, re.S)
    assert match, f"no line for province {province}"
    return match.group(0)


@pytest.fixture
def past_due(admin, coordinators, send):
    """A request due five days ago to 79, 01 and 75: 79 answered in time with a file, 01 after
    the due time, 75 not at all."""
    now = utcnow()
    request = send(
        admin,
        provinces=["79", "01", "75"],
        now=now - timedelta(days=20),
        due=local_today() - timedelta(days=5),
    )
    return request


def answer(db, request, province, coordinator, *, when, files=(), body="Đã gửi danh sách."):
    ticket = by_province(db, request)[province]
    uploads = tuple(storage.Upload(name, PNG) for name in files)
    tickets.respond(coordinator, ticket, body, uploads=uploads, now=when)


def test_the_tracker_shows_each_province_late_or_answered_in_time(
    db, client, login, admin, coordinators, past_due
):
    now = utcnow()
    answer(db, past_due, "79", coordinators["79"], when=now - timedelta(days=15), files=["ds.png"])
    answer(db, past_due, "01", coordinators["01"], when=now - timedelta(days=1))
    login(admin)

    html = client.get(f"/requests/{past_due.number}").get_data(as_text=True)

    assert 'data-state="answered"' in row_of(html, "79") and "data-late" not in row_of(html, "79")
    assert 'data-state="answered" data-late' in row_of(html, "01")
    assert 'data-state="late" data-late' in row_of(html, "75")
    assert "ds.png" in row_of(html, "79")
    assert "ds.png" not in row_of(html, "01")


def test_the_tracker_shows_not_opened_and_in_progress_before_the_due_date(
    db, client, login, admin, coordinators, send
):
    request = send(admin, provinces=["79", "01", "75"], now=utcnow() - timedelta(hours=1))
    answer(db, request, "79", coordinators["79"], when=utcnow())
    tickets.claim(coordinators["01"], by_province(db, request)["01"])
    login(admin)

    html = client.get(f"/requests/{request.number}").get_data(as_text=True)

    assert 'data-state="answered"' in row_of(html, "79")
    assert 'data-state="in_progress"' in row_of(html, "01")
    assert 'data-state="not_opened"' in row_of(html, "75")
    counts = re.search(r'data-testid="request-counts".*?</ul>', html, re.S).group(0)
    assert re.search(r'data-state="answered">[^<]*: 1<', counts)


def test_the_api_marks_the_late_provinces(db, client, admin, coordinators, past_due):
    answer(db, past_due, "01", coordinators["01"], when=utcnow() - timedelta(days=1))
    headers = {"Authorization": f"Bearer {create_token(admin)}"}

    response = client.get(f"/api/v1/requests/{past_due.number}", headers=headers)

    assert response.status_code == 200
    body = response.get_json()
    assert body["number"] == past_due.number and body["system"] is None
    assert body["due"] == (local_today() - timedelta(days=5)).isoformat()
    states = {row["province"]: (row["state"], row["late"]) for row in body["provinces"]}
    assert states == {"79": ("late", True), "01": ("answered", True), "75": ("late", True)}
    answered = next(row for row in body["provinces"] if row["province"] == "01")
    assert answered["answered_at"].endswith("+00:00")
    assert answered["ticket"] == by_province(db, past_due)["01"].number


def test_a_coordinator_reads_its_own_province_only(
    db, browser, admin, coordinators, make_coordinator, past_due
):
    page = browser(coordinators["79"]).get(f"/requests/{past_due.number}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-province="79"' in html
    assert 'data-province="01"' not in html and 'data-province="75"' not in html
    listed = browser(coordinators["79"]).get("/requests/").get_data(as_text=True)
    assert past_due.number in listed
    elsewhere = browser(make_coordinator("48"))
    assert elsewhere.get(f"/requests/{past_due.number}").status_code == 404
    assert past_due.number not in elsewhere.get("/requests/").get_data(as_text=True)


def test_those_the_requests_are_not_for_are_told_they_do_not_exist(
    db, browser, client, make_user, make_agent, admin, past_due
):
    refused = [
        make_user("requester", province_code="79"),
        make_agent("moj-fpt"),  # a vendor's agent
        make_agent("", role="supervisor"),  # of no queue
    ]
    pages = [
        "/requests/",
        "/requests/new",
        f"/requests/{past_due.number}",
        f"/requests/{past_due.number}/answers.xlsx",
        f"/requests/{past_due.number}/files.zip",
    ]
    for user in refused:
        reader = browser(user)
        assert {url: reader.get(url).status_code for url in pages} == dict.fromkeys(pages, 404)
        assert 'href="/requests/"' not in reader.get("/").get_data(as_text=True)
        headers = {"Authorization": f"Bearer {create_token(user)}"}
        got = client.get(f"/api/v1/requests/{past_due.number}", headers=headers)
        sent = client.post(
            "/api/v1/requests",
            json={"title": "x", "body": "y", "due": "2030-03-15"},
            headers=headers,
        )
        assert (got.status_code, sent.status_code) == (404, 404), user.role


def test_an_observer_without_the_right_reads_its_systems_requests_and_sends_none(
    db, browser, make_user, admin, send
):
    about_moj = send(admin, provinces=["79"], system="moj")
    about_moh = send(admin, provinces=["79"], system="moh")
    observer = make_user("observer", systems=("moj",))
    reader = browser(observer)

    listed = reader.get("/requests/").get_data(as_text=True)

    assert about_moj.number in listed and about_moh.number not in listed
    assert reader.get(f"/requests/{about_moh.number}").status_code == 404
    assert reader.get(f"/requests/{about_moj.number}").status_code == 200
    assert reader.get("/requests/new").status_code == 404
    assert 'href="/requests/"' in reader.get("/").get_data(as_text=True)


def test_the_ministry_it_staff_read_their_systems_requests(db, browser, make_agent, admin, send):
    about_moj = send(admin, provinces=["79"], system="moj")
    about_moh = send(admin, provinces=["79"], system="moh")
    reader = browser(make_agent("moj-it"))

    listed = reader.get("/requests/").get_data(as_text=True)

    assert about_moj.number in listed and about_moh.number not in listed
    assert reader.get("/requests/new").status_code == 200
    assert 'href="/requests/"' in reader.get("/").get_data(as_text=True)


def test_the_tracker_costs_as_many_statements_for_34_provinces_as_for_3(
    db, browser, make_user, admin, send, count_queries
):
    answering = make_user("admin")  # works every queue; not the sender
    few = send(admin, provinces=["79", "01", "75"], now=utcnow() - timedelta(hours=1))
    every = send(admin, now=utcnow() - timedelta(hours=1))
    for request in (few, every):
        for ticket in tickets_of(db, request):
            tickets.respond(answering, ticket, "Số liệu", uploads=(storage.Upload("a.png", PNG),))
    reader = browser(admin)

    def statements(request) -> int:
        reader.get(f"/requests/{request.number}")  # warm
        with count_queries() as seen:
            response = reader.get(f"/requests/{request.number}")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('data-testid="answer-file"') == len(
            tickets_of(db, request)
        )
        return len(seen)

    assert statements(few) == statements(every)


def test_the_request_ticket_page_shows_its_request(db, browser, admin, coordinators, send):
    request = send(admin, provinces=["79"], now=utcnow() - timedelta(hours=1))
    (ticket,) = tickets_of(db, request)

    html = browser(coordinators["79"], "vi").get(f"/tickets/{ticket.number}").get_data(as_text=True)

    box = re.search(r'data-testid="ticket-request".*?</div>\s*</div>', html, re.S).group(0)
    assert request.number in box and request.title in box
    assert f'href="/requests/{request.number}"' in box
    assert "Mọi hệ thống" in html  # a request about every system


def test_a_request_is_sent_from_the_form_with_its_template(db, browser, admin, coordinators):
    client = browser(admin)
    page = client.get("/requests/new").get_data(as_text=True)
    due = (local_today() + timedelta(days=30)).isoformat()
    response = client.post(
        "/requests/new",
        data={
            "csrf_token": csrf_token(page),
            "title": "Danh sách tài khoản quản trị",
            "body": "Điền vào biểu mẫu.",
            "due": due,
            "provinces": ["79", "01"],
            "system": "moj",
            "template": (io.BytesIO(PNG), "bieu-mau.png"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    number = response.headers["Location"].rsplit("/", 1)[1]
    html = client.get(f"/requests/{number}").get_data(as_text=True)
    assert "bieu-mau.png" in html
    assert {'data-province="79"', 'data-province="01"'} <= set(
        re.findall(r'data-province="\d+"', html)
    )
    template = client.get(f"/requests/{number}/template")
    assert template.get_data() == PNG
    template.close()


def test_the_form_names_each_bad_field(db, browser, admin):
    client = browser(admin)
    page = client.get("/requests/new").get_data(as_text=True)

    response = client.post(
        "/requests/new",
        data={"csrf_token": csrf_token(page), "title": "x", "body": "y", "due": "2001-01-01"},
    )

    assert response.status_code == 422
    assert "The due date has passed" in response.get_data(as_text=True)
