"""Incidents through the JSON API: staff declare one with tickets attached, attach more (an
answer per number), post updates that reach every attached ticket; a ticket's JSON says which
incident it is attached to, and an incident's (to staff) which tickets are attached to it.

Every answer is checked against the OpenAPI document (`Api.call`)."""

from __future__ import annotations

import pytest
from integration.tickets.test_api import Api, error_of
from sqlalchemy import func, select

from helpdesk.auth.services import create_token
from helpdesk.notifications.models import Outbox
from helpdesk.tickets.models import Message, Status, Ticket

TITLE = "Tiền lệ phí không về tài khoản thụ hưởng"
UPDATE = "Đang khắc phục cổng thanh toán."


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def agent(make_agent):
    """An agent of the payment queue of `moj`, covering every province."""
    return make_agent("moj-fpt")


@pytest.fixture
def filed(officials, file_ticket):
    """A payment ticket of each official (they go to moj-fpt)."""
    return [
        file_ticket(
            official,
            subject=TITLE,
            category="payment",
            province=official.province_code,
            unit=official.unit.name,
        )
        for official in officials
    ]


def declared(api, token, **body) -> dict:
    return api.post(
        "/api/v1/incidents", token, json={"title": TITLE, **body}, expect=201
    ).get_json()


def ticket_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def fresh(db, ticket: Ticket) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


# ---------------------------------------------------------------- declaring


def test_declaring_with_tickets_answers_201_with_the_incident_and_its_tickets(
    api, db, agent, filed
):
    token = create_token(agent)
    numbers = [ticket.number for ticket in filed]
    response = api.post(
        "/api/v1/incidents",
        token,
        json={
            "title": TITLE,
            "system": "moj",
            "provinces": ["75", "01"],
            "tickets": [numbers[0].lower(), *numbers[1:]],
            "description": "Cổng thanh toán không trả kết quả.",
        },
        expect=201,
    )
    incident = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/tickets/{incident['number']}")
    assert (incident["kind"], incident["incident"]) == ("incident", None)
    assert incident["subject"] == TITLE
    assert incident["description"] == "Cổng thanh toán không trả kết quả."
    assert incident["tickets"] == numbers
    assert incident["provinces"] == ["01", "75"]
    assert incident["expected_at"] is None
    assert incident["queue"] == "moj-fpt"
    assert incident["category"] == "payment"
    for ticket in filed:
        assert fresh(db, ticket).parent.number == incident["number"]
    shown = api.get(f"/api/v1/tickets/{filed[0].number}", token, expect=200).get_json()
    assert (shown["kind"], shown["incident"]) == ("ticket", incident["number"])
    assert "tickets" not in shown  # a ticket that is no incident has none attached


def test_a_bad_declaration_answers_422_naming_every_field_and_saves_nothing(api, db, agent):
    before = ticket_count(db)
    body = {"title": "  ", "system": "nope", "provinces": ["99"], "tickets": "HT-2026-000001"}
    response = api.post("/api/v1/incidents", create_token(agent), json=body, expect=422)
    assert set(error_of(response)["fields"]) == {"title", "system", "provinces", "tickets"}
    body = {"title": TITLE, "system": "moj", "category": "nope", "colour": "red"}
    response = api.post("/api/v1/incidents", create_token(agent), json=body, expect=422)
    assert set(error_of(response)["fields"]) == {"category", "colour"}
    assert ticket_count(db) == before


def test_a_ticket_the_agent_may_not_work_answers_422_on_tickets_and_nothing_is_saved(
    api, db, agent, filed, file_ticket, other_requester
):
    elsewhere = file_ticket(other_requester)  # an account problem: moj-it's, unseen by agent
    before = ticket_count(db)
    body = {"system": "moj", "tickets": [filed[0].number, elsewhere.number]}
    response = api.post(
        "/api/v1/incidents", create_token(agent), json={"title": TITLE, **body}, expect=422
    )
    error = error_of(response)
    assert list(error["fields"]) == ["tickets"]
    assert elsewhere.number in error["fields"]["tickets"]
    assert filed[0].number not in error["fields"]["tickets"]
    assert ticket_count(db) == before
    assert fresh(db, filed[0]).parent_id is None


def test_a_body_that_is_not_json_answers_400(api, db, agent):
    response = api.post(
        "/api/v1/incidents",
        create_token(agent),
        data="title=x&system=moj",
        content_type="application/x-www-form-urlencoded",
        expect=400,
    )
    assert error_of(response)["code"] == "bad_request"


def test_an_officials_token_is_refused_as_a_ticket_that_does_not_exist(
    api, db, agent, officials, filed
):
    incident = declared(api, create_token(agent), system="moj")
    token = create_token(officials[0])
    before = ticket_count(db)
    body = {"title": TITLE, "system": "moj", "tickets": [filed[0].number]}
    assert error_of(api.post("/api/v1/incidents", token, json=body, expect=404))["fields"] == {}
    url = f"/api/v1/incidents/{incident['number']}"
    api.post(url + "/tickets", token, json={"tickets": [filed[0].number]}, expect=404)
    api.post(url + "/updates", token, json={"body": UPDATE}, expect=404)
    assert ticket_count(db) == before
    assert fresh(db, filed[0]).parent_id is None


# ---------------------------------------------------------------- attaching


def test_attaching_answers_for_each_number(api, db, agent, officials, filed, file_ticket):
    token = create_token(agent)
    incident = declared(api, token, system="moj")
    other_system = file_ticket(
        officials[1], category="payment", system="moha", unit=officials[1].unit.name
    )
    asked = [filed[0].number, other_system.number, incident["number"], "HT-2026-999999"]
    response = api.post(
        f"/api/v1/incidents/{incident['number']}/tickets",
        token,
        json={"tickets": asked},
        expect=200,
    )
    body = response.get_json()
    assert set(body["results"]) == set(asked)
    assert body["results"][filed[0].number] == "ok"
    assert all(body["results"][number] != "ok" for number in asked[1:])
    assert body["incident"]["tickets"] == [filed[0].number]
    assert fresh(db, other_system).parent_id is None


def test_attaching_to_a_ticket_that_is_no_incident_answers_404(api, agent, filed):
    token = create_token(agent)
    url = f"/api/v1/incidents/{filed[0].number}/tickets"
    api.post(url, token, json={"tickets": [filed[1].number]}, expect=404)
    api.post(
        f"/api/v1/incidents/{filed[0].number}/updates", token, json={"body": UPDATE}, expect=404
    )
    api.post("/api/v1/incidents/HT-1999-000001/tickets", token, json={"tickets": []}, expect=404)


def test_attaching_needs_a_list_of_numbers(api, agent):
    token = create_token(agent)
    incident = declared(api, token, system="moj")
    url = f"/api/v1/incidents/{incident['number']}/tickets"
    for body in ({"tickets": "HT-2026-000001"}, {}, {"tickets": [1]}, {"tickets": [], "x": 1}):
        response = api.post(url, token, json=body, expect=422)
        assert set(error_of(response)["fields"]) <= {"tickets", "x"}


# ---------------------------------------------------------------- updates


def test_an_update_reaches_every_ticket_once_written_through_the_api(
    api, db, agent, officials, filed
):
    token = create_token(agent)
    incident = declared(api, token, system="moj", tickets=[t.number for t in filed])
    response = api.post(
        f"/api/v1/incidents/{incident['number']}/updates",
        token,
        json={"body": UPDATE, "expected_at": "2026-03-02T15:00:00+07:00"},
        expect=201,
    )
    body = response.get_json()
    assert body["tickets"] == 3
    assert body["incident"]["expected_at"] == "2026-03-02T08:00:00+00:00"
    assert [(m["body"], m["source"]) for m in body["incident"]["messages"]] == [(UPDATE, "api")]
    rows = db.session.scalars(select(Outbox).where(Outbox.template == "incident_update")).all()
    assert sorted(row.user_id for row in rows) == sorted(official.id for official in officials)
    for ticket in filed:
        written = db.session.scalars(
            select(Message).where(Message.ticket_id == ticket.id, Message.author_id == agent.id)
        ).all()
        assert [(m.body, m.source, m.internal) for m in written] == [(UPDATE, "api", False)]
        shown = api.get(f"/api/v1/tickets/{ticket.number}", create_token(ticket.requester))
        assert [m["source"] for m in shown.get_json()["messages"]] == ["api"]


def test_resolving_through_an_update_resolves_the_tickets_with_it(api, db, agent, filed):
    token = create_token(agent)
    incident = declared(api, token, system="moj", tickets=[t.number for t in filed])
    url = f"/api/v1/incidents/{incident['number']}/updates"
    done = "Đã khắc phục; tiền đã về tài khoản."
    body = api.post(url, token, json={"body": done, "resolve": True}, expect=201).get_json()
    assert body["incident"]["status"] == Status.RESOLVED
    for ticket in filed:
        ticket = fresh(db, ticket)
        assert (ticket.status, ticket.resolution) == (Status.RESOLVED, done)
    response = api.post(url, token, json={"body": "Thêm một cập nhật."}, expect=422)
    assert error_of(response)["code"] == "invalid"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"body": "   "}, {"body"}),
        ({}, {"body"}),
        ({"body": UPDATE, "resolve": "yes"}, {"resolve"}),
        ({"body": UPDATE, "expected_at": "2026-03-02T15:00:00"}, {"expected_at"}),  # no offset
        ({"body": UPDATE, "expected_at": "ngày mai"}, {"expected_at"}),
        ({"body": UPDATE, "expected_at": "9999-12-31T23:59:59-23:59"}, {"expected_at"}),
        ({"body": 7, "source": "web"}, {"body", "source"}),
    ],
)
def test_a_bad_update_answers_422_naming_the_fields_and_writes_nothing(
    api, db, agent, filed, body, named
):
    token = create_token(agent)
    incident = declared(api, token, system="moj", tickets=[filed[0].number])
    url = f"/api/v1/incidents/{incident['number']}/updates"
    response = api.post(url, token, json=body, expect=422)
    assert set(error_of(response)["fields"]) == named
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


# ---------------------------------------------------------------- the ticket's JSON


def test_a_requester_sees_the_incident_number_but_never_the_incident(api, agent, officials, filed):
    incident = declared(api, create_token(agent), system="moj", tickets=[filed[0].number])
    token = create_token(officials[0])
    own = api.get(f"/api/v1/tickets/{filed[0].number}", token, expect=200).get_json()
    assert (own["kind"], own["incident"]) == ("ticket", incident["number"])
    listed = api.get("/api/v1/tickets", token, expect=200).get_json()["items"]
    assert [(item["number"], item["incident"]) for item in listed] == [
        (filed[0].number, incident["number"])
    ]
    assert not {"tickets", "provinces", "expected_at"} & (set(own) | set(listed[0]))
    api.get(f"/api/v1/tickets/{incident['number']}", token, expect=404)


def test_staff_see_only_the_attached_tickets_they_may_see(api, make_agent, agent, filed):
    incident = declared(api, create_token(agent), system="moj", tickets=[t.number for t in filed])
    in_75 = make_agent("moj-fpt", provinces=("75",))
    shown = api.get(f"/api/v1/tickets/{incident['number']}", create_token(in_75), expect=200)
    assert shown.get_json()["tickets"] == [filed[0].number, filed[1].number]


def test_reading_an_incident_costs_the_same_queries_for_many_tickets_as_for_few(
    api, db, agent, make_user, file_ticket, count_queries
):
    token = create_token(agent)
    incident = declared(api, token, system="moj", provinces=["75"])
    url = f"/api/v1/incidents/{incident['number']}/tickets"

    def attach_and_read(how_many: int) -> int:
        numbers = [
            file_ticket(make_user("requester", province_code="75"), category="payment").number
            for _ in range(how_many)
        ]
        api.post(url, token, json={"tickets": numbers}, expect=200)
        db.session.expire_all()
        with count_queries() as seen:
            answer = api.get(f"/api/v1/tickets/{incident['number']}", token, expect=200)
        assert set(numbers) <= set(answer.get_json()["tickets"])
        return len(seen)

    assert attach_and_read(2) == attach_and_read(12)


def test_listing_costs_the_same_queries_with_many_incidents_as_with_few(
    api, db, agent, make_user, file_ticket, count_queries
):
    token = create_token(agent)
    api.get("/api/v1/tickets", token, expect=200)  # the token's use is written once a minute

    def one_more_incident(attached: int) -> None:
        numbers = [
            file_ticket(make_user("requester", province_code="75"), category="payment").number
            for _ in range(attached)
        ]
        declared(api, token, system="moj", provinces=["75"], tickets=numbers)

    def statements() -> int:
        db.session.expire_all()
        with count_queries() as seen:
            items = api.get("/api/v1/tickets", token, expect=200).get_json()["items"]
        assert {item["kind"] for item in items} == {"ticket", "incident"}
        return len(seen)

    one_more_incident(1)
    few = statements()
    for attached in (2, 3, 4):
        one_more_incident(attached)
    assert statements() == few


def test_a_requesters_list_costs_the_same_queries_whatever_incidents_their_tickets_are_in(
    api, db, agent, officials, file_ticket, count_queries
):
    staff, token = create_token(agent), create_token(officials[0])
    api.get("/api/v1/tickets", token, expect=200)  # the token's use is written once a minute

    def one_more_ticket_in_an_incident() -> None:
        ticket = file_ticket(officials[0], category="payment", unit=officials[0].unit.name)
        declared(api, staff, system="moj", tickets=[ticket.number])

    def statements() -> int:
        db.session.expire_all()
        with count_queries() as seen:
            items = api.get("/api/v1/tickets", token, expect=200).get_json()["items"]
        assert all(item["incident"] for item in items)
        return len(seen)

    one_more_ticket_in_an_incident()
    few = statements()
    for _ in range(4):
        one_more_ticket_in_an_incident()
    assert statements() == few
