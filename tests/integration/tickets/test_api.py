"""The JSON API v1: bearer tokens, filing, reading, replying, working tickets, the token pages.

Every JSON answer goes through `Api.call`, which checks it against the schema the OpenAPI
document gives for that path, method and status (an undocumented status fails the test).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import csrf_token, post_form
from unit.api.openapi_check import assert_matches, resolve

from helpdesk import storage
from helpdesk.api import services as api_services
from helpdesk.api.openapi import document
from helpdesk.auth.models import ApiToken
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.auth.services import create_token
from helpdesk.routing import engine
from helpdesk.routing.models import Membership, MembershipProvince, Queue
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Message, Ticket
from helpdesk.timeutil import utcnow

DOCUMENT = document()
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
GOOD_TICKET = {
    "system": "moj",
    "category": "account",
    "province": "75",
    "unit": "UBND phường Trấn Biên",
    "subject": "Không đăng nhập được tài khoản một cửa",
    "description": "Cán bộ tiếp nhận không đăng nhập được từ sáng nay.",
    "dossier_code": "",
    "procedure_code": "",
    "priority": 3,
}


# ---------------------------------------------------------------- helpers


def operation_for(method: str, path: str) -> dict | None:
    """The document's operation for a request path under /api/v1 (None for unknown paths)."""
    path = path.split("?", 1)[0].removeprefix("/api/v1")
    for template, item in DOCUMENT["paths"].items():
        pattern = re.sub(r"\{[^/]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path):
            return item.get(method.lower())
    return None


def check_against_document(method: str, path: str, response) -> None:
    operation = operation_for(method, path)
    if operation is None:  # unknown URL or method: the app-wide handlers answer
        assert_matches(response.get_json(), "Error", DOCUMENT)
        return
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {path}: status {response.status_code} undocumented"
    if "$ref" in documented:
        documented = resolve(documented["$ref"], DOCUMENT)
    schema = documented["content"]["application/json"]["schema"]
    assert response.mimetype == "application/json"
    if "$ref" in schema:
        assert_matches(response.get_json(), schema["$ref"].rsplit("/", 1)[1], DOCUMENT)


class Api:
    """Calls the API like a client program: a bearer token, JSON in and out, no cookies."""

    def __init__(self, client) -> None:
        self.client = client

    def call(self, method, path, token=None, *, json=None, expect=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = self.client.open(path, method=method, json=json, headers=headers, **kwargs)
        check_against_document(method, path, response)
        if expect is not None:
            assert response.status_code == expect, response.get_data(as_text=True)
        return response

    def get(self, path, token=None, **kwargs):
        return self.call("GET", path, token, **kwargs)

    def post(self, path, token=None, **kwargs):
        return self.call("POST", path, token, **kwargs)

    def patch(self, path, token=None, **kwargs):
        return self.call("PATCH", path, token, **kwargs)


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def requester(make_user):
    return make_user("requester", province_code="75")


@pytest.fixture
def make_agent(db, make_user):
    """An agent who is a member of the queue, covering the given provinces (none given: every
    province, stated with the membership's flag)."""

    def make(queue_code: str = "moj-it", provinces: tuple[str, ...] = (), role: str = "agent"):
        user = make_user(role)
        queue = db.session.scalar(select(Queue).where(Queue.code == queue_code))
        membership = Membership(queue_id=queue.id, user_id=user.id, all_provinces=not provinces)
        membership.coverage = [MembershipProvince(province_code=code) for code in provinces]
        db.session.add(membership)
        db.session.commit()
        return user

    return make


@pytest.fixture
def file_ticket(db):
    """File a ticket through the service, as the web form does."""

    def file(requester, **fields):
        values = {**GOOD_TICKET, **fields}
        return tickets.create_ticket(requester, tickets.TicketDraft(**values))

    return file


def ticket_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


# ---------------------------------------------------------------- authentication

API_CALLS = [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/tickets"),
    ("POST", "/api/v1/tickets"),
    ("GET", "/api/v1/tickets/HT-2026-000001"),
    ("PATCH", "/api/v1/tickets/HT-2026-000001"),
    ("POST", "/api/v1/tickets/HT-2026-000001/messages"),
    ("POST", "/api/v1/incidents"),
    ("POST", "/api/v1/incidents/HT-2026-000001/tickets"),
    ("POST", "/api/v1/incidents/HT-2026-000001/updates"),
    ("POST", "/api/v1/requests"),
    ("GET", "/api/v1/requests/HT-2026-000001"),
]


@pytest.mark.parametrize(("method", "path"), API_CALLS)
def test_every_endpoint_answers_401_with_a_bearer_challenge_without_a_token(api, method, path):
    response = api.call(method, path, json={}, expect=401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(response)["code"] == "unauthorized"


OPEN_ROUTES = (
    "api.openapi_document",
    "api.list_units",
    "api.list_directory",
    "api.list_articles",
    "api.list_suggestions",
)


def test_every_api_route_but_the_document_is_covered_by_the_401_check(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        # Routes that need no token (each answers 401 to a bad one:
        # tests/integration/auth/test_units_api.py, tests/integration/directory/,
        # tests/integration/help/test_articles_api.py, test_suggestions.py).
        if rule.endpoint.startswith("api.") and rule.endpoint not in OPEN_ROUTES
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    checked = {(m, re.sub(r"HT-2026-000001", "<number>", p)) for m, p in API_CALLS}
    assert routes == checked


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer hd_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "hd_no-scheme",
        "Bearer " + "x" * 300,
    ],
)
def test_an_invalid_token_answers_401(api, requester, authorization):
    create_token(requester)
    response = api.get("/api/v1/me", headers={"Authorization": authorization}, expect=401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_answers_401_at_once(api, requester, db):
    token = create_token(requester)
    api.get("/api/v1/me", token, expect=200)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == requester.id))
    api_services.revoke_token(requester, row.id)
    response = api.get("/api/v1/me", token, expect=401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_of_a_disabled_account_answers_401(api, requester, db):
    token = create_token(requester)
    requester.status = AccountStatus.DISABLED
    db.session.commit()
    api.get("/api/v1/me", token, expect=401)


def test_a_web_session_does_not_authenticate_the_api(api, requester, login):
    assert login(requester).status_code == 302
    api.get("/api/v1/me", expect=401)


def test_the_api_needs_no_csrf_token(api, requester):
    token = create_token(requester)
    api.post("/api/v1/tickets", token, json=GOOD_TICKET, expect=201)


def test_an_account_that_must_change_its_password_is_refused(api, make_user):
    user = make_user("requester", must_change_password=True)
    response = api.get("/api/v1/me", create_token(user), expect=403)
    assert error_of(response)["code"] == "forbidden"


def test_a_tokens_use_is_written_at_most_once_a_minute(db, requester):
    token = create_token(requester)
    start = utcnow()

    def last_used():
        db.session.expire_all()
        return db.session.scalar(select(ApiToken.last_used_at))

    api_services.authenticate(token, now=start)
    assert last_used() == start
    api_services.authenticate(token, now=start + timedelta(seconds=59))
    assert last_used() == start
    api_services.authenticate(token, now=start + timedelta(seconds=61))
    assert last_used() == start + timedelta(seconds=61)


def test_the_api_is_rate_limited_per_token(app, api, requester, monkeypatch):
    monkeypatch.setitem(app.config, "HELPDESK_API_RATE_LIMIT", "3/minute")
    token, other = create_token(requester), create_token(requester)
    for _ in range(3):
        api.get("/api/v1/me", token, expect=200)
    response = api.get("/api/v1/me", token, expect=429)
    assert error_of(response)["code"] == "too_many_requests"
    api.get("/api/v1/me", other, expect=200)


# ---------------------------------------------------------------- /me


def test_me_shows_the_account_with_its_cccd_masked(api, make_user):
    user = make_user("requester", username="001166661234@ht.com", province_code="75")
    response = api.get("/api/v1/me", create_token(user), expect=200)
    body = response.get_json()
    assert body["username"] == "********1234@ht.com"
    assert "001166661234" not in response.get_data(as_text=True)
    assert (body["role"], body["province"], body["full_name"]) == (
        "requester",
        "75",
        user.full_name,
    )


def test_me_masks_the_cccd_even_for_admins(api, make_user):
    admin = make_user("admin", username="001166664321@ht.com")
    response = api.get("/api/v1/me", create_token(admin), expect=200)
    assert "001166664321" not in response.get_data(as_text=True)


# ---------------------------------------------------------------- filing


@pytest.mark.parametrize("category", ["account", "payment"])
def test_filing_answers_201_and_routes_the_ticket_to_the_queue_routing_chooses(
    api, db, requester, category
):
    from helpdesk.routing import services as routing

    token = create_token(requester)
    response = api.post(
        "/api/v1/tickets", token, json={**GOOD_TICKET, "category": category}, expect=201
    )
    body = response.get_json()
    decision = routing.decide(engine.Facts("moj", category, "75", 3))
    assert body["queue"] == db.session.get(Queue, decision.queue_id).code
    assert response.headers["Location"] == f"/api/v1/tickets/{body['number']}"
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == body["number"]))
    assert (ticket.requester_id, ticket.subject) == (requester.id, GOOD_TICKET["subject"])
    assert body["status"] == "new" and body["messages"] == []
    assert body["created_at"].endswith("+00:00")
    api.get(response.headers["Location"], token, expect=200)


def test_priority_is_normal_when_left_out(api, requester):
    body = {k: v for k, v in GOOD_TICKET.items() if k != "priority"}
    response = api.post("/api/v1/tickets", create_token(requester), json=body, expect=201)
    assert response.get_json()["priority"] == 3


@pytest.mark.parametrize(
    ("changes", "bad_fields"),
    [
        ({"priority": "high"}, {"priority"}),
        ({"priority": 2.0}, {"priority"}),
        ({"priority": True}, {"priority"}),
        ({"priority": 9}, {"priority"}),
        ({"subject": 123}, {"subject"}),
        ({"subject": ["a"], "description": {"a": 1}}, {"subject", "description"}),
        ({"subject": "Tiền chưa về\x00"}, {"subject"}),
        ({"description": "dòng một\x00dòng hai"}, {"description"}),
        ({"subject": "x" * 201}, {"subject"}),
        ({"system": "nope"}, {"system"}),
        ({"category": "nope", "province": "99"}, {"category", "province"}),
        ({"system": "\x00"}, {"system"}),
        ({"system": None, "subject": "  "}, {"system", "subject"}),
        ({"attachments": []}, {"attachments"}),
        ({"submission_key": 5}, {"submission_key"}),
        ({"submission_key": "k" * 65}, {"submission_key"}),
        ({"priority": "high", "colour": "red"}, {"priority", "colour"}),
    ],
)
def test_filing_a_bad_ticket_answers_422_naming_each_field_and_saves_nothing(
    api, db, requester, changes, bad_fields
):
    before = ticket_count(db)
    response = api.post(
        "/api/v1/tickets", create_token(requester), json={**GOOD_TICKET, **changes}, expect=422
    )
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == bad_fields
    assert ticket_count(db) == before


def test_filing_without_the_required_fields_names_each_of_them(api, db, requester):
    response = api.post("/api/v1/tickets", create_token(requester), json={}, expect=422)
    assert set(error_of(response)["fields"]) == {
        "system",
        "category",
        "province",
        "subject",
        "description",
    }
    assert ticket_count(db) == 0


@pytest.mark.parametrize(
    "request_body",
    [
        {"data": "system=moj&subject=x", "content_type": "application/x-www-form-urlencoded"},
        {"data": "{not json", "content_type": "application/json"},
        {"data": "[1, 2]", "content_type": "application/json"},
        {"data": "null", "content_type": "application/json"},
        {"data": '"text"', "content_type": "application/json"},
        {"data": b"\xff\xfe", "content_type": "application/json"},
    ],
)
def test_a_body_that_is_not_a_json_object_answers_400(api, db, requester, request_body):
    response = api.post("/api/v1/tickets", create_token(requester), expect=400, **request_body)
    assert error_of(response)["code"] == "bad_request"
    assert ticket_count(db) == 0


def test_a_retry_with_the_same_submission_key_returns_the_same_ticket(api, db, requester):
    token = create_token(requester)
    body = {**GOOD_TICKET, "submission_key": "client-42"}
    first = api.post("/api/v1/tickets", token, json=body, expect=201).get_json()
    again = api.post("/api/v1/tickets", token, json=body, expect=201).get_json()
    assert again["number"] == first["number"]
    assert ticket_count(db) == 1


def test_the_idempotency_key_header_works_like_the_submission_key(api, db, requester):
    token = create_token(requester)
    headers = {"Idempotency-Key": "retry-7"}
    first = api.post("/api/v1/tickets", token, json=GOOD_TICKET, headers=headers, expect=201)
    again = api.post("/api/v1/tickets", token, json=GOOD_TICKET, headers=headers, expect=201)
    assert again.get_json()["number"] == first.get_json()["number"]
    other = api.post("/api/v1/tickets", token, json=GOOD_TICKET, expect=201)
    assert other.get_json()["number"] != first.get_json()["number"]
    assert ticket_count(db) == 2


def test_another_requester_reusing_a_key_files_a_ticket_of_their_own(api, make_user, requester):
    body = {**GOOD_TICKET, "submission_key": "same"}
    mine = api.post("/api/v1/tickets", create_token(requester), json=body, expect=201)
    someone = make_user("requester")
    theirs = api.post("/api/v1/tickets", create_token(someone), json=body, expect=201)
    assert mine.get_json()["number"] != theirs.get_json()["number"]


def test_a_header_and_body_key_that_differ_answer_422(api, db, requester):
    response = api.post(
        "/api/v1/tickets",
        create_token(requester),
        json={**GOOD_TICKET, "submission_key": "a"},
        headers={"Idempotency-Key": "b"},
        expect=422,
    )
    assert set(error_of(response)["fields"]) == {"submission_key"}
    assert ticket_count(db) == 0


def test_agents_do_not_file_tickets_through_the_api(api, db, make_agent):
    api.post("/api/v1/tickets", create_token(make_agent()), json=GOOD_TICKET, expect=404)
    assert ticket_count(db) == 0


# ---------------------------------------------------------------- who sees what


def test_a_requester_gets_404_for_another_requesters_ticket_as_for_a_missing_one(
    api, make_user, requester, file_ticket
):
    theirs = file_ticket(make_user("requester"))
    token = create_token(requester)

    def answers(number: str) -> list:
        url = f"/api/v1/tickets/{number}"
        return [
            api.get(url, token, expect=404).get_json(),
            api.post(url + "/messages", token, json={"body": "Xin chào"}, expect=404).get_json(),
            api.patch(url, token, json={"status": "open"}, expect=404).get_json(),
        ]

    assert answers(theirs.number) == answers("HT-1999-000001")
    assert theirs.messages == [] and theirs.status == "new"


def test_a_malformed_ticket_number_answers_404(api, requester):
    api.get("/api/v1/tickets/HT%00x", create_token(requester), expect=404)


def test_internal_notes_reach_agents_but_never_the_requester(
    api, requester, make_agent, file_ticket
):
    agent = make_agent()
    ticket = file_ticket(requester)
    tickets.add_message(agent, ticket, "Trả lời công khai cho cán bộ")
    tickets.add_message(
        agent,
        ticket,
        "Ghi chú nội bộ: lỗi do cấu hình",
        internal=True,
        uploads=(storage.Upload("noi-bo.png", PNG),),
    )
    url = f"/api/v1/tickets/{ticket.number}"

    seen = api.get(url, create_token(agent), expect=200).get_json()
    assert [(m["body"], m["internal"]) for m in seen["messages"]] == [
        ("Trả lời công khai cho cán bộ", False),
        ("Ghi chú nội bộ: lỗi do cấu hình", True),
    ]
    assert [a["filename"] for a in seen["attachments"]] == ["noi-bo.png"]
    attachment = seen["attachments"][0]
    assert attachment["url"] == f"/tickets/{ticket.number}/attachments/{attachment['id']}"

    response = api.get(url, create_token(requester), expect=200)
    shown = response.get_json()
    assert [(m["body"], m["internal"]) for m in shown["messages"]] == [
        ("Trả lời công khai cho cán bộ", False)
    ]
    assert shown["attachments"] == []
    assert "nội bộ" not in response.get_data(as_text=True)


def test_an_agent_outside_the_queue_or_the_province_gets_404(
    api, requester, make_agent, file_ticket
):
    ticket = file_ticket(requester, province="75")
    url = f"/api/v1/tickets/{ticket.number}"
    other_queue = make_agent("moha-it")
    other_province = make_agent("moj-it", provinces=("01",))
    covering = make_agent("moj-it", provinces=("75",))
    for outsider in (other_queue, other_province):
        token = create_token(outsider)
        api.get(url, token, expect=404)
        api.post(url + "/messages", token, json={"body": "x"}, expect=404)
        api.patch(url, token, json={"status": "open"}, expect=404)
        assert api.get("/api/v1/tickets", token, expect=200).get_json()["total"] == 0
    api.get(url, create_token(covering), expect=200)


def test_login_names_are_masked_for_agents_and_whole_for_admins(
    api, make_user, make_agent, file_ticket
):
    requester = make_user("requester", username="001166665555@ht.com")
    agent = make_agent()
    ticket = file_ticket(requester)
    tickets.assign(agent, ticket, agent)
    url = f"/api/v1/tickets/{ticket.number}"
    as_agent = api.get(url, create_token(agent), expect=200).get_json()
    assert as_agent["requester"] == "********5555@ht.com"
    assert as_agent["assignee"] == agent.masked_username
    as_admin = api.get(url, create_token(make_user("admin")), expect=200).get_json()
    assert as_admin["requester"] == "001166665555@ht.com"
    as_requester = api.get(url, create_token(requester), expect=200).get_json()
    assert as_requester["requester"] == "********5555@ht.com"


# ---------------------------------------------------------------- messages


def test_a_requester_replies_and_gets_201_with_the_message(api, db, requester, file_ticket):
    ticket = file_ticket(requester)
    response = api.post(
        f"/api/v1/tickets/{ticket.number}/messages",
        create_token(requester),
        json={"body": "Bổ sung: lỗi vẫn còn"},
        expect=201,
    )
    body = response.get_json()
    assert (body["body"], body["internal"]) == ("Bổ sung: lỗi vẫn còn", False)
    assert body["author"] == requester.masked_username
    assert db.session.get(Message, body["id"]).ticket_id == ticket.id


def test_a_requester_asking_for_an_internal_note_gets_422_and_nothing_is_saved(
    api, db, requester, file_ticket
):
    ticket = file_ticket(requester)
    response = api.post(
        f"/api/v1/tickets/{ticket.number}/messages",
        create_token(requester),
        json={"body": "bí mật", "internal": True},
        expect=422,
    )
    assert set(error_of(response)["fields"]) == {"internal"}
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_an_agent_adds_an_internal_note(api, db, requester, make_agent, file_ticket):
    agent = make_agent()
    ticket = file_ticket(requester)
    response = api.post(
        f"/api/v1/tickets/{ticket.number}/messages",
        create_token(agent),
        json={"body": "Đã chuyển nhà cung cấp kiểm tra", "internal": True},
        expect=201,
    )
    message = db.session.get(Message, response.get_json()["id"])
    assert message.internal is True


@pytest.mark.parametrize(
    ("payload", "bad_fields"),
    [
        ({"body": 5}, {"body"}),
        ({"body": ""}, {"body"}),
        ({"body": "a\x00b"}, {"body"}),
        ({"body": "ok", "internal": "yes"}, {"internal"}),
        ({"body": "ok", "to": "x"}, {"to"}),
    ],
)
def test_a_bad_message_answers_422(api, db, requester, file_ticket, payload, bad_fields):
    ticket = file_ticket(requester)
    response = api.post(
        f"/api/v1/tickets/{ticket.number}/messages",
        create_token(requester),
        json=payload,
        expect=422,
    )
    assert set(error_of(response)["fields"]) == bad_fields
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


# ---------------------------------------------------------------- PATCH


def test_a_requester_cannot_patch_their_own_ticket(api, db, requester, file_ticket):
    ticket = file_ticket(requester)
    token, change = create_token(requester), {"status": "resolved", "priority": 1}
    own = api.patch(f"/api/v1/tickets/{ticket.number}", token, json=change, expect=404)
    missing = api.patch("/api/v1/tickets/HT-1999-000001", token, json=change, expect=404)
    assert own.get_json() == missing.get_json()
    db.session.refresh(ticket)
    assert (ticket.status, ticket.priority) == ("new", 3)


def test_an_agent_changes_status_priority_and_assignee(api, db, requester, make_agent, file_ticket):
    agent, colleague = make_agent(), make_agent()
    ticket = file_ticket(requester)
    response = api.patch(
        f"/api/v1/tickets/{ticket.number}",
        create_token(agent),
        json={"status": "open", "priority": 1, "assignee": colleague.username},
        expect=200,
    )
    body = response.get_json()
    assert (body["status"], body["priority"]) == ("open", 1)
    assert body["assignee"] == colleague.masked_username
    db.session.refresh(ticket)
    assert (ticket.status, ticket.priority, ticket.assignee_id) == ("open", 1, colleague.id)
    assert body["version"] == ticket.version


def test_an_agent_unassigns_with_null(api, db, requester, make_agent, file_ticket):
    agent = make_agent()
    ticket = file_ticket(requester)
    tickets.assign(agent, ticket, agent)
    api.patch(
        f"/api/v1/tickets/{ticket.number}",
        create_token(agent),
        json={"assignee": None},
        expect=200,
    )
    db.session.refresh(ticket)
    assert ticket.assignee_id is None


def test_a_transfer_needs_a_reason_and_moves_the_ticket(
    api, db, requester, make_agent, file_ticket
):
    agent = make_agent()
    ticket = file_ticket(requester)
    url, token = f"/api/v1/tickets/{ticket.number}", create_token(agent)
    response = api.patch(url, token, json={"queue": "moj-fpt"}, expect=422)
    assert set(error_of(response)["fields"]) == {"reason"}
    body = api.patch(
        url, token, json={"queue": "moj-fpt", "reason": "Lỗi phần mềm của nhà cung cấp"}, expect=200
    ).get_json()
    assert body["queue"] == "moj-fpt"


def test_a_forbidden_status_transition_answers_422_and_changes_nothing(
    api, db, requester, make_agent, file_ticket
):
    agent = make_agent()
    ticket = file_ticket(requester)
    response = api.patch(
        f"/api/v1/tickets/{ticket.number}",
        create_token(agent),
        json={"priority": 1, "status": "closed"},
        expect=422,
    )
    assert set(error_of(response)["fields"]) == {"status"}
    db.session.refresh(ticket)
    assert (ticket.status, ticket.priority) == ("new", 3)  # all or nothing


@pytest.mark.parametrize(
    ("payload", "bad_fields"),
    [
        ({"status": "done"}, {"status"}),
        ({"status": ["open"]}, {"status"}),
        ({"priority": "1"}, {"priority"}),
        ({"priority": 1.0}, {"priority"}),
        ({"queue": "nowhere"}, {"queue"}),
        ({"queue": "\x00"}, {"queue"}),
        ({"assignee": "001199999999@ht.com"}, {"assignee"}),
        ({"assignee": 7}, {"assignee"}),
        ({"version": "1"}, {"version"}),
        ({"subject": "new"}, {"subject"}),
    ],
)
def test_a_bad_patch_answers_422_naming_the_field(
    api, db, requester, make_agent, file_ticket, payload, bad_fields
):
    agent = make_agent()
    ticket = file_ticket(requester)
    version = ticket.version
    response = api.patch(
        f"/api/v1/tickets/{ticket.number}", create_token(agent), json=payload, expect=422
    )
    assert set(error_of(response)["fields"]) == bad_fields
    db.session.refresh(ticket)
    assert ticket.version == version


def test_assigning_someone_outside_the_queue_answers_422(
    api, db, requester, make_agent, file_ticket
):
    agent, outsider = make_agent(), make_agent("moha-it")
    ticket = file_ticket(requester)
    response = api.patch(
        f"/api/v1/tickets/{ticket.number}",
        create_token(agent),
        json={"assignee": outsider.username},
        expect=422,
    )
    assert set(error_of(response)["fields"]) == {"assignee"}


def test_a_stale_version_answers_409_and_changes_nothing(
    api, db, requester, make_agent, file_ticket
):
    agent = make_agent()
    ticket = file_ticket(requester)
    url, token = f"/api/v1/tickets/{ticket.number}", create_token(agent)
    version = api.get(url, token, expect=200).get_json()["version"]
    api.patch(url, token, json={"status": "open", "version": version}, expect=200)
    response = api.patch(url, token, json={"priority": 1, "version": version}, expect=409)
    assert error_of(response)["code"] == "conflict"
    db.session.refresh(ticket)
    assert (ticket.status, ticket.priority) == ("open", 3)


# ---------------------------------------------------------------- lists


def test_the_list_is_paginated(api, requester, file_ticket):
    numbers = {file_ticket(requester, subject=f"Yêu cầu {i}").number for i in range(5)}
    token = create_token(requester)
    seen = []
    for page in (1, 2, 3):
        body = api.get(f"/api/v1/tickets?per_page=2&page={page}", token, expect=200).get_json()
        assert (body["page"], body["per_page"], body["total"], body["pages"]) == (page, 2, 5, 3)
        seen += [item["number"] for item in body["items"]]
    assert len(seen) == 5 and set(seen) == numbers
    beyond = api.get("/api/v1/tickets?per_page=2&page=4", token, expect=200).get_json()
    assert beyond["items"] == [] and beyond["total"] == 5


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=-1", "page"),
        ("status=done", "status"),
        ("queue=nowhere", "queue"),
        ("province=99", "province"),
        ("category=nope", "category"),
        ("system=%00", "system"),
        ("q=a%00b", "q"),
    ],
)
def test_bad_list_parameters_answer_422(api, requester, query, bad):
    response = api.get(f"/api/v1/tickets?{query}", create_token(requester), expect=422)
    assert set(error_of(response)["fields"]) == {bad}


def test_the_list_filters_by_status_queue_province_category_and_system(
    api, db, make_user, make_agent, file_ticket
):
    requester = make_user("requester")
    agent = make_agent("moj-it")
    admin = make_user("admin")
    account = file_ticket(requester, category="account", province="75")
    hanoi = file_ticket(requester, category="permission", province="01")
    payment = file_ticket(requester, category="payment", province="75")  # the vendor's queue
    moha = file_ticket(requester, system="moha", category="account", province="75")
    tickets.change_status(agent, hanoi, "waiting_requester")
    token = create_token(admin)

    def numbers(query: str) -> set[str]:
        body = api.get(f"/api/v1/tickets?{query}", token, expect=200).get_json()
        return {item["number"] for item in body["items"]}

    assert numbers("status=waiting_requester") == {hanoi.number}
    assert numbers("status=open") == {account.number, hanoi.number, payment.number, moha.number}
    assert numbers("status=new") == {account.number, payment.number, moha.number}
    assert numbers("province=01") == {hanoi.number}
    assert numbers("category=payment") == {payment.number}
    assert numbers("system=moha") == {moha.number}
    assert numbers("queue=moj-it") == {account.number, hanoi.number}
    assert numbers("queue=moj-fpt") == {payment.number}
    assert numbers("system=moj&province=75&status=new") == {account.number, payment.number}


def test_a_requester_lists_only_their_own_tickets(api, make_user, requester, file_ticket):
    mine = file_ticket(requester)
    file_ticket(make_user("requester"))
    body = api.get("/api/v1/tickets", create_token(requester), expect=200).get_json()
    assert [item["number"] for item in body["items"]] == [mine.number]
    assert body["total"] == 1


def test_listing_costs_the_same_queries_for_many_tickets_as_for_few(
    api, make_user, make_agent, file_ticket, count_queries
):
    agent = make_agent()
    token = create_token(agent)
    api.get("/api/v1/tickets", token, expect=200)  # the token's use is written once a minute

    def statements() -> int:
        with count_queries() as seen:
            api.get("/api/v1/tickets", token, expect=200)
        return len(seen)

    file_ticket(make_user("requester"))
    few = statements()
    for _ in range(4):
        file_ticket(make_user("requester"))
    assert statements() == few


# ---------------------------------------------------------------- errors and the document


def test_unknown_api_urls_and_methods_answer_json_errors(api, requester):
    token = create_token(requester)
    assert error_of(api.get("/api/v1/nowhere", token, expect=404))["code"] == "not_found"
    response = api.call("DELETE", "/api/v1/tickets", token, expect=405)
    assert error_of(response)["code"] == "method_not_allowed"


def test_the_openapi_document_is_public_and_lists_every_api_route(api, app):
    served = api.get("/api/v1/openapi.json", expect=200).get_json()
    assert served == DOCUMENT
    documented = {
        (method.upper(), "/api/v1" + path.replace("{number}", "<number>"))
        for path, item in served["paths"].items()
        for method in item
        if method != "parameters"
    }
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented


def test_api_answers_are_not_cached(api, requester):
    response = api.get("/api/v1/me", create_token(requester), expect=200)
    assert response.headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- the token pages


def test_the_token_pages_need_a_login(client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_token_made_on_the_page_is_shown_once_and_works(api, client, login, requester, db):
    login(requester)
    response = post_form(client, "/account/tokens/", {"name": "Báo cáo của xã"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = re.search(r'data-testid="new-token">([^<]+)<', response.get_data(as_text=True))[1]
    assert api.get("/api/v1/me", token, expect=200).get_json()["full_name"] == requester.full_name
    listing = client.get("/account/tokens/").get_data(as_text=True)
    assert "Báo cáo của xã" in listing and token[:10] in listing and token not in listing
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == requester.id))
    assert row.token_hash != token and token not in row.token_hash


def test_a_token_needs_a_name(client, login, requester, db):
    login(requester)
    response = post_form(client, "/account/tokens/", {"name": ""})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_creating_a_token_without_the_csrf_token_is_refused(client, login, requester, db):
    login(requester)
    response = client.post("/account/tokens/", data={"name": "no csrf"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoking_on_the_page_ends_the_token_at_once(api, client, login, requester, db):
    token = create_token(requester)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == requester.id))
    login(requester)
    response = post_form(client, f"/account/tokens/{row.id}/revoke", {}, page="/account/tokens/")
    assert response.status_code == 302
    api.get("/api/v1/me", token, expect=401)
    listing = client.get("/account/tokens/")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert row.prefix in html and f"/account/tokens/{row.id}/revoke" not in html


def test_nobody_revokes_another_accounts_token(api, client, login, make_user, requester, db):
    token = create_token(make_user("requester"))
    theirs = db.session.scalar(select(ApiToken.id))
    login(requester)
    html = client.get("/account/tokens/").get_data(as_text=True)
    response = client.post(
        f"/account/tokens/{theirs}/revoke", data={"csrf_token": csrf_token(html)}
    )
    assert response.status_code == 404
    api.get("/api/v1/me", token, expect=200)
