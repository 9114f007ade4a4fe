"""What a request may carry: numbers within the database's integers, API bodies within a size
and a depth, text without NUL, lone surrogates, controls or text-direction overrides. Each
input that ended in a 500 gets its clear 4xx here."""

from __future__ import annotations

import io
import json
import re
from types import SimpleNamespace

import flask_wtf
import pytest
from integration.tickets.page_helpers import GOOD_FORM, PNG, is_invalid
from sqlalchemy import func, select
from support import csrf_token, post_form
from werkzeug.routing import IntegerConverter

from helpdesk import errors, inputs, storage
from helpdesk.api.services import issue_token
from helpdesk.auth import services as accounts
from helpdesk.routing.models import Membership, MembershipProvince, Queue, Rule
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Attachment, Event, Message, Ticket

HUGE = "9" * 25
PASSWORD = "Mật-khẩu-dài-2026"
OVERRIDE = "Nguyễn Văn \u202eA"  # U+202E: what follows reads right to left


@pytest.fixture
def people(db, make_user):
    """A requester of province 75 with a ticket (and its file), an agent of moj-it covering
    75, an admin and an observer; all read pages in English."""
    requester = make_user("requester", province_code="75", unit="UBND phường Trấn Biên")
    agent = make_user("agent", language="en")
    queue = db.session.scalar(select(Queue).where(Queue.code == "moj-it"))
    membership = Membership(queue_id=queue.id, user_id=agent.id)
    membership.coverage = [MembershipProvince(province_code="75")]
    db.session.add(membership)
    db.session.commit()
    draft = tickets.TicketDraft(
        **{**GOOD_FORM, "priority": 3}, attachments=(storage.Upload("anh.png", PNG),)
    )
    ticket = tickets.create_ticket(requester, draft)
    return SimpleNamespace(
        requester=requester,
        agent=agent,
        admin=make_user("admin", language="en"),
        observer=make_user("observer", language="en"),
        ticket=ticket,
    )


def api(client, method: str, path: str, user, body: bytes | dict | None = None):
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {"Authorization": f"Bearer {issue_token(user, name='t')}"}
    return client.open(
        path, method=method, data=data, headers=headers, content_type="application/json"
    )


def error_of(response) -> dict:
    assert set(response.get_json()) == {"error"}
    return response.get_json()["error"]


# ---------------------------------------------------------------- numbers


def test_every_integer_in_a_route_stops_at_the_database_integer(app):
    bounded = [
        converter
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if isinstance(converter, IntegerConverter)
    ]
    assert bounded and all(isinstance(c, inputs.IdConverter) for c in bounded)
    assert {c.max for c in bounded} == {2**31 - 1}


@pytest.mark.parametrize("attachment_id", [HUGE, str(2**31)])
def test_a_file_number_past_the_database_integer_is_not_found(people, browser, attachment_id):
    path = f"/tickets/{people.ticket.number}/attachments/{attachment_id}"
    assert browser(people.requester, "en").get(path).status_code == 404


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("requester", "/tickets/"),
        ("agent", "/tickets/queue"),
        ("admin", "/accounts/"),
        ("admin", "/accounts/pending"),
        ("admin", "/admin/outbox/"),
        ("admin", "/admin/routing/rules"),
    ],
)
def test_a_page_number_past_the_database_integer_is_not_found(people, browser, role, path):
    client = browser(getattr(people, role), "en")
    assert client.get(f"{path}?page={HUGE}").status_code == 404
    assert client.get(f"{path}?page=2147483647").status_code == 200  # the last there may be
    assert client.get(f"{path}?page=x").status_code == 200  # not a number: the first page


def bulk(client, data: dict, query: str = ""):
    token = csrf_token(client.get("/tickets/queue").get_data(as_text=True))
    return client.post(f"/tickets/queue/bulk{query}", data={**data, "csrf_token": token})


@pytest.mark.parametrize("assignee", ["²", HUGE, "-1", "abc"])
def test_a_bulk_assignment_to_a_value_not_offered_is_refused(db, people, browser, assignee):
    client = browser(people.agent, "en")
    data = {"numbers": people.ticket.number, "action": "assign", "assignee": assignee}
    response = bulk(client, data)
    assert response.status_code == 302
    assert "Choose an agent." in client.get(response.location).get_data(as_text=True)
    assert db.session.get(Ticket, people.ticket.id).assignee_id != -1


def test_a_canned_reply_number_past_the_database_integer_inserts_nothing(people, browser):
    page = f"/tickets/{people.ticket.number}"
    form = {"body": "Chào anh", "canned": HUGE, "insert_canned": "1"}
    response = post_form(browser(people.agent, "en"), f"{page}/reply", form, page=page)
    assert response.status_code == 200
    assert "Chào anh</textarea>" in response.get_data(as_text=True)


def test_a_bulk_action_keeps_only_the_queues_filters_in_its_way_back(people, browser):
    client = browser(people.agent, "en")
    query = "?endpoint=x&_external=1&status=all&page=2"
    response = bulk(client, {"numbers": people.ticket.number, "action": "claim"}, query)
    assert response.status_code == 302
    assert response.location == "/tickets/queue?status=all&page=2"


@pytest.mark.parametrize("query", ["?endpoint=x", "?kind=x", "?_anchor=x&system=moj"])
def test_the_report_page_keeps_its_export_links_to_its_own_filters(people, browser, query):
    response = browser(people.observer, "en").get(f"/reports/{query}")
    assert response.status_code == 200
    links = re.findall(r'href="(/reports/export[^"]*)"', response.get_data(as_text=True))
    kept = "?system=moj" if "system" in query else ""
    assert links == [f"/reports/export.csv{kept}", f"/reports/export.xlsx{kept}"]


@pytest.mark.parametrize("target", ["/a\r\nX-Injected: 1", "/a\nb", "/\u202egnp.exe"])
def test_a_return_path_with_a_control_character_goes_home(client, db, target):
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    data = {"csrf_token": token, "language": "en", "next": target}
    response = client.post("/language", data=data)
    assert response.status_code == 302 and response.location == "/"


def test_the_login_ignores_a_next_path_with_a_newline(client, people):
    form = {"username": people.agent.username, "password": PASSWORD}
    response = post_form(client, "/auth/login?next=/a%0d%0aX-Injected:%201", form)
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize(
    "query", ["start=9999-12-20&end=9999-12-31", "start=0001-01-01&end=0001-01-05"]
)
@pytest.mark.parametrize("path", ["/reports/", "/reports/export.csv", "/reports/export.xlsx"])
def test_report_dates_at_the_calendars_ends_count_as_not_given(people, browser, path, query):
    response = browser(people.observer, "en").get(f"{path}?{query}")
    assert response.status_code == 200
    response.close()


# ---------------------------------------------------------------- NUL in query strings


@pytest.mark.parametrize(
    ("role", "path", "name"),
    [
        ("admin", "/accounts/?q=a%00b", "q"),
        ("observer", "/reports/?system=%00", "system"),
        ("agent", "/tickets/queue?q=%00", "q"),
    ],
)
def test_a_nul_in_a_query_string_is_refused_naming_the_parameter(people, browser, role, path, name):
    response = browser(getattr(people, role), "en").get(path)
    assert response.status_code == 422
    assert f"The field {name} contains a character that is not allowed." in response.get_data(
        as_text=True
    )


def test_a_nul_in_an_api_query_string_answers_the_api_error_shape(client, people):
    response = api(client, "GET", "/api/v1/me?x=%00", people.agent)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {
        "x": "The field x contains a character that is not allowed."
    }


# ---------------------------------------------------------------- JSON bodies


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("POST", "/api/v1/tickets", "requester"),
        ("PATCH", "/api/v1/tickets/{number}", "agent"),
        ("POST", "/api/v1/tickets/{number}/messages", "requester"),
    ],
)
def test_a_body_nested_10000_deep_answers_400_before_it_is_parsed(
    client, people, method, path, role
):
    path = path.format(number=people.ticket.number)
    response = api(client, method, path, getattr(people, role), b"[" * 10000 + b"]" * 10000)
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    assert "16" in error_of(response)["message"]


def test_a_body_past_256_kb_answers_413(client, people):
    body = {**GOOD_FORM, "description": "x" * 300_000}
    response = api(client, "POST", "/api/v1/tickets", people.requester, body)
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_a_lone_surrogate_is_refused_naming_its_field(client, db, people):
    body = json.dumps({**GOOD_FORM, "subject": "\ud800"}).encode()  # JSON escapes it: \ud800
    response = api(client, "POST", "/api/v1/tickets", people.requester, body)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"subject"}
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_a_lone_surrogate_in_a_field_name_is_refused_with_the_name_escaped(client, people):
    response = api(client, "POST", "/api/v1/tickets", people.requester, b'{"a\\udfff": 1}')
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"a\\udfff"}


def test_a_nul_deep_in_a_body_is_refused_naming_the_top_field(client, people):
    body = {"status": "open", "assignee": None, "reason": "x", "queue": "moj-it", "x": ["\x00"]}
    response = api(client, "PATCH", f"/api/v1/tickets/{people.ticket.number}", people.agent, body)
    assert response.status_code == 422
    assert "x" in error_of(response)["fields"]


def test_the_depth_check_reads_past_brackets_inside_strings():
    assert inputs.json_depth(b'{"a": "[[[[[[", "b": [1, ["\\"]"]]}') == 3
    assert inputs.json_depth(b"[" * 10000) == 10000


# ---------------------------------------------------------------- text that cannot trick a reader


def test_a_subject_with_a_text_direction_override_is_refused_beside_its_field(db, people, browser):
    client = browser(people.requester, "en")
    html = client.get("/tickets/new").get_data(as_text=True)
    key = html.split('name="submission_key"')[1].split('value="')[1].split('"')[0]
    form = {**GOOD_FORM, "subject": "Lỗi \u202eexe.pdf", "submission_key": key}
    response = client.post("/tickets/new", data={**form, "csrf_token": csrf_token(html)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert is_invalid(html, "subject") and not is_invalid(html, "description")
    assert "Subject contains invisible control or text-direction characters" in html
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_a_reply_keeps_its_newlines_but_not_an_isolate(db, people, browser):
    client = browser(people.requester, "en")
    page = f"/tickets/{people.ticket.number}"
    refused = post_form(client, f"{page}/reply", {"body": "Dòng 1\n\u2066Dòng 2"}, page=page)
    assert refused.status_code == 422 and is_invalid(refused.get_data(as_text=True), "body")
    kept = post_form(client, f"{page}/reply", {"body": "Dòng 1\r\n\tDòng 2"}, page=page)
    assert kept.status_code == 302
    assert db.session.scalar(select(Message.body)) == "Dòng 1\n\tDòng 2"


def test_a_transfer_reason_with_an_override_is_refused(db, people, browser):
    client = browser(people.agent, "en")
    page = f"/tickets/{people.ticket.number}"
    target = db.session.scalar(select(Queue.id).where(Queue.code == "national"))
    form = {"queue": str(target), "transfer_reason": "Sai \u202enhóm"}
    response = post_form(client, f"{page}/transfer", form, page=page)
    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), "transfer_reason")
    assert db.session.get(Ticket, people.ticket.id).queue.code == "moj-it"


def test_a_full_name_with_an_override_is_refused_on_the_profile(db, people, browser):
    response = post_form(
        browser(people.agent, "en"),
        "/auth/profile",
        {"full_name": OVERRIDE, "email": people.agent.email, "language": "en"},
    )
    assert is_invalid(response.get_data(as_text=True), "full_name")
    assert "\u202e" not in db.session.get(type(people.agent), people.agent.id).full_name


@pytest.mark.parametrize(("field", "value"), [("full_name", OVERRIDE), ("unit", "UBND\u2067 xã")])
def test_names_with_overrides_are_refused_by_the_account_service(db, field, value):
    draft = accounts.AccountDraft(
        username="079090123456@ht.com",
        role="requester",
        password=PASSWORD,
        email="a@example.vn",
        full_name="Trần Văn B",
        province_code="79",
        unit="UBND phường Bến Nghé",
    )
    with pytest.raises(errors.Invalid) as refused:
        accounts.create_account(accounts.AccountDraft(**{**vars(draft), field: value}))
    assert set(refused.value.fields) == {field}


def test_an_uploaded_file_name_loses_its_override(db, people):
    tickets.add_message(
        people.requester,
        people.ticket,
        "Ảnh",
        internal=False,
        uploads=(storage.Upload("\u202egnp.exe", PNG),),
    )
    names = set(db.session.scalars(select(Attachment.filename)))
    assert names == {"anh.png", "_gnp.exe"}


def test_the_api_refuses_overrides_in_text_fields(client, db, people):
    body = {**GOOD_FORM, "priority": 3, "subject": "Lỗi \u202eexe.pdf"}
    response = api(client, "POST", "/api/v1/tickets", people.requester, body)
    assert response.status_code == 422 and set(error_of(response)["fields"]) == {"subject"}


@pytest.mark.parametrize("reason", ["x" * 1001, "Lý do \u202e", "a\x00b"])
def test_the_api_reason_has_the_webs_limit_and_rules(client, db, people, reason):
    path = f"/api/v1/tickets/{people.ticket.number}"
    response = api(client, "PATCH", path, people.agent, {"status": "open", "reason": reason})
    assert response.status_code == 422 and set(error_of(response)["fields"]) == {"reason"}
    assert db.session.get(Ticket, people.ticket.id).status == "new"
    kept = api(client, "PATCH", path, people.agent, {"status": "open", "reason": "x" * 1000})
    assert kept.status_code == 200
    latest = db.session.scalar(select(Event.data).order_by(Event.id.desc()).limit(1))
    assert latest["reason"] == "x" * 1000


def test_a_rule_name_with_a_nul_or_an_override_is_a_bad_line(db, people):
    from helpdesk.routing.services.rules_csv import import_rules

    before = db.session.scalar(select(func.count()).select_from(Rule))
    data = "name,system,category,queue\na\x00b,moj,sms,moj-it\n\u202ex,moj,postal,moj-it\n"
    result = import_rules(people.admin, data.encode())
    assert [problem.line for problem in result.problems] == [2, 3]
    assert db.session.scalar(select(func.count()).select_from(Rule)) == before


def test_a_nul_in_an_admin_form_is_refused_beside_its_field(db, people, browser):
    from helpdesk.sla.models import Calendar, Policy

    policy = db.session.scalars(select(Policy).order_by(Policy.id)).first()
    calendar = db.session.scalars(select(Calendar.id)).first()
    form = {
        "name": "a\x00b",
        "priority": "3",
        "first_response_minutes": "60",
        "resolution_minutes": "480",
        "warning_percent": "75",
        "calendar": str(calendar),
        "active": "y",
    }
    path = f"/sla/policies/{policy.id}"
    response = post_form(browser(people.admin, "en"), path, form)
    assert is_invalid(response.get_data(as_text=True), "name")
    assert "\x00" not in db.session.get(Policy, policy.id).name


def test_every_form_of_the_app_checks_its_text_fields(app):
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    forms = [
        cls for cls in subclasses(flask_wtf.FlaskForm) if cls.__module__.startswith("helpdesk")
    ]
    unchecked = [cls.__qualname__ for cls in forms if not issubclass(cls, inputs.FlaskForm)]
    assert forms and unchecked == []


def test_an_upload_field_file_is_not_read_as_text(db, people, browser):
    page = f"/tickets/{people.ticket.number}"
    data = {"body": "Ảnh", "attachments": (io.BytesIO(PNG), "\u202egnp.exe")}
    response = post_form(
        browser(people.requester, "en"),
        f"{page}/reply",
        data,
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
