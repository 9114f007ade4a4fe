"""The API's side of the hotline and of "every message records its source": staff file a call
for an official (`requester`, `source: phone`, `callback_phone`); what the API files is
recorded as api; a ticket and each of its messages say where they came from.

Every answer is checked against the OpenAPI document (integration.tickets.test_api.Api)."""

from __future__ import annotations

import pytest
from integration.tickets.test_api import GOOD_TICKET, Api, error_of, ticket_count
from sqlalchemy import select

from helpdesk.auth.models import Status as AccountStatus
from helpdesk.auth.services import AccountDraft, create_account, create_token
from helpdesk.notifications.models import Outbox
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Message, Ticket

CALL = {**GOOD_TICKET, "source": "phone", "callback_phone": "0912 345 678"}


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def official(make_user):
    return make_user("requester", province_code="75", unit="UBND phường Trấn Biên")


def acknowledgements(db, user) -> list[Outbox]:
    query = select(Outbox).where(Outbox.template == "ticket_filed", Outbox.user_id == user.id)
    return list(db.session.scalars(query))


def test_staff_file_a_call_for_an_official_who_is_acknowledged(api, db, make_agent, official):
    agent = make_agent("moj-it")
    body = {**CALL, "requester": official.username}
    filed = api.post("/api/v1/tickets", create_token(agent), json=body, expect=201).get_json()
    assert (filed["source"], filed["callback_phone"]) == ("phone", "0912 345 678")
    assert filed["requester"] == official.masked_username
    assert filed["filed_by"] == agent.masked_username
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == filed["number"]))
    assert (ticket.requester_id, ticket.filed_by_id) == (official.id, agent.id)
    assert [row.to for row in acknowledgements(db, official)] == [official.email]
    assert acknowledgements(db, agent) == []
    # The official reads it as their own: where it came from, not who took it nor the number.
    mine = api.get(f"/api/v1/tickets/{filed['number']}", create_token(official), expect=200)
    assert mine.get_json()["source"] == "phone"
    assert not {"callback_phone", "filed_by"} & set(mine.get_json())


def test_a_staff_call_may_come_from_a_program_as_api(api, db, make_agent, official):
    body = {**GOOD_TICKET, "requester": official.username}
    filed = api.post("/api/v1/tickets", create_token(make_agent()), json=body, expect=201)
    assert (filed.get_json()["source"], filed.get_json()["callback_phone"]) == ("api", "")


def test_what_an_official_files_through_the_api_is_recorded_as_api(api, db, official):
    filed = api.post("/api/v1/tickets", create_token(official), json=GOOD_TICKET, expect=201)
    assert filed.get_json()["source"] == "api"
    assert "filed_by" not in filed.get_json()
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == filed.get_json()["number"]))
    assert (ticket.source, ticket.filed_by_id) == ("api", None)


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"requester": "001166000099@ht.com"}, {"requester"}),
        ({"source": "phone"}, {"source"}),
        ({"callback_phone": "0912345678"}, {"callback_phone"}),
        ({"source": "phone", "requester": "001166000099@ht.com"}, {"source", "requester"}),
    ],
)
def test_an_official_files_no_call_and_for_nobody_else(api, db, official, changes, refused):
    before = ticket_count(db)
    response = api.post(
        "/api/v1/tickets", create_token(official), json={**GOOD_TICKET, **changes}, expect=422
    )
    assert set(error_of(response)["fields"]) == refused
    assert ticket_count(db) == before


@pytest.mark.parametrize("source", ["web", "email", "fax", 3, None])
def test_staff_say_api_or_phone_and_nothing_else(api, db, make_agent, official, source):
    body = {**CALL, "requester": official.username, "source": source}
    response = api.post("/api/v1/tickets", create_token(make_agent()), json=body, expect=422)
    assert set(error_of(response)["fields"]) == {"source"}


def test_a_call_names_the_official_who_called(api, db, make_agent):
    response = api.post("/api/v1/tickets", create_token(make_agent()), json=CALL, expect=422)
    assert set(error_of(response)["fields"]) == {"requester"}


def test_staff_who_name_nobody_file_nothing_of_their_own_as_before(api, make_agent):
    api.post("/api/v1/tickets", create_token(make_agent()), json=GOOD_TICKET, expect=404)


@pytest.mark.parametrize(
    "whom", ["unknown", "malformed", "staff", "disabled", "waiting", "other province"]
)
def test_an_official_staff_may_not_file_for_is_not_found_and_no_more(
    api, db, make_user, make_agent, make_coordinator, official, whom
):
    taker = make_coordinator("79") if whom == "other province" else make_agent()
    name = {"unknown": "001166009999@ht.com", "malformed": "not a login name"}.get(whom)
    if whom == "staff":
        name = make_user("agent").username
    elif whom in ("disabled", "waiting"):
        account = make_user("requester", province_code="75")
        account.status = {
            "disabled": AccountStatus.DISABLED,
            "waiting": AccountStatus.PENDING_APPROVAL,
        }[whom]
        db.session.commit()
        name = account.username
    elif whom == "other province":
        name = official.username
    before = ticket_count(db)
    body = {**CALL, "requester": name}
    response = api.post("/api/v1/tickets", create_token(taker), json=body, expect=422)
    assert error_of(response)["fields"] == {
        "requester": "No official's account has that login name."
    }
    assert ticket_count(db) == before


def test_an_account_waiting_for_its_password_is_filed_for_and_told(api, db, make_agent):
    waiting = create_account(
        AccountDraft(
            username="075166000123@ht.com",
            full_name="Nguyễn Thị Chờ",
            email="cho@example.vn",
            province_code="75",
            unit="UBND phường Trấn Biên",
        )
    )
    assert not waiting.has_password
    body = {**CALL, "requester": waiting.username}
    api.post("/api/v1/tickets", create_token(make_agent()), json=body, expect=201)
    assert [row.to for row in acknowledgements(db, waiting)] == ["cho@example.vn"]


def test_every_message_says_where_it_came_from(api, db, make_agent, official, file_ticket):
    agent = make_agent()
    ticket = file_ticket(official)
    tickets.add_message(official, ticket, "Trả lời trên web.")
    token = create_token(agent)
    api.post(
        f"/api/v1/tickets/{ticket.number}/messages",
        token,
        json={"body": "Trả lời qua API."},
        expect=201,
    )
    shown = api.get(f"/api/v1/tickets/{ticket.number}", token, expect=200).get_json()
    assert [(m["body"], m["source"]) for m in shown["messages"]] == [
        ("Trả lời trên web.", "web"),
        ("Trả lời qua API.", "api"),
    ]
    assert shown["source"] == "web"
    stored = db.session.scalars(select(Message.source).where(Message.ticket_id == ticket.id))
    assert sorted(stored) == ["api", "web"]


def test_the_list_says_where_each_ticket_came_from_in_as_many_queries(
    api, db, make_user, make_agent, official, count_queries
):
    agent = make_agent()
    token = create_token(agent)
    api.post("/api/v1/tickets", token, json={**CALL, "requester": official.username}, expect=201)
    with count_queries() as one:
        api.get("/api/v1/tickets", token, expect=200)
    for _ in range(3):
        caller = make_user("requester", province_code="75")
        body = {**CALL, "requester": caller.username}
        api.post("/api/v1/tickets", token, json=body, expect=201)
    with count_queries() as four:
        listed = api.get("/api/v1/tickets", token, expect=200).get_json()
    assert len(four) == len(one)
    assert {item["filed_by"] for item in listed["items"]} == {agent.masked_username}
    assert {item["source"] for item in listed["items"]} == {"phone"}
