"""The resolution summary through the JSON API: `PATCH` with `status: resolved` needs
`resolution` (422 naming it, nothing saved), and every ticket's JSON carries it ("" for none),
for staff and for the requester alike. Every answer is checked against the OpenAPI document."""

from __future__ import annotations

import pytest
from integration.tickets.test_api import Api, error_of
from sqlalchemy import func, select

from helpdesk.auth.services import create_token
from helpdesk.notifications.models import Outbox
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Event, Status, Ticket

OUTCOME = "Đã đối soát lại giao dịch; tiền đã về tài khoản thụ hưởng."


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-it", ("75",))


@pytest.fixture
def official(make_user):
    return make_user("requester", province_code="75", unit="UBND phường Trấn Biên")


@pytest.fixture
def ticket(official, file_ticket):
    return file_ticket(official)


def fresh(db, ticket: Ticket) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


def saved_rows(db) -> tuple[int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) for model in (Event, Outbox)
    )


@pytest.mark.parametrize(
    "body",
    [
        {"status": "resolved"},
        {"status": "resolved", "resolution": ""},
        {"status": "resolved", "resolution": "   "},
        {"status": "resolved", "resolution": None},
        {"status": "resolved", "resolution": 7},
        {"status": "resolved", "resolution": "x" * 2001},
        {"status": "resolved", "priority": 1},  # all or nothing: the priority stays too
    ],
)
def test_resolving_without_a_resolution_answers_422_naming_it(db, api, agent, ticket, body):
    before, version = saved_rows(db), ticket.version
    response = api.patch(
        f"/api/v1/tickets/{ticket.number}", create_token(agent), json=body, expect=422
    )
    assert set(error_of(response)["fields"]) == {"resolution"}
    current = fresh(db, ticket)
    assert (current.status, current.priority, current.version) == ("new", 3, version)
    assert current.resolution == ""
    assert saved_rows(db) == before


def test_a_resolution_without_the_status_resolved_is_refused(db, api, agent, ticket):
    response = api.patch(
        f"/api/v1/tickets/{ticket.number}",
        create_token(agent),
        json={"status": "open", "resolution": OUTCOME},
        expect=422,
    )
    assert set(error_of(response)["fields"]) == {"resolution"}
    assert fresh(db, ticket).status == "new"


def test_resolving_with_a_resolution_saves_it_and_every_reader_gets_it(
    db, api, agent, official, ticket
):
    token = create_token(agent)
    response = api.patch(
        f"/api/v1/tickets/{ticket.number}",
        token,
        json={"status": "resolved", "resolution": f"  {OUTCOME}  "},
        expect=200,
    )
    assert (response.get_json()["status"], response.get_json()["resolution"]) == (
        "resolved",
        OUTCOME,
    )
    assert fresh(db, ticket).resolution == OUTCOME
    [mail] = db.session.scalars(
        select(Outbox).where(Outbox.user_id == official.id, Outbox.template == "ticket_resolved")
    )
    assert mail.context["resolution"] == OUTCOME

    mine = create_token(official)
    one = api.get(f"/api/v1/tickets/{ticket.number}", mine, expect=200).get_json()
    listed = api.get("/api/v1/tickets", mine, expect=200).get_json()["items"]
    assert one["resolution"] == OUTCOME
    assert [(item["number"], item["resolution"]) for item in listed] == [(ticket.number, OUTCOME)]


def test_an_open_or_reopened_ticket_says_an_empty_resolution(db, api, agent, official, ticket):
    mine = create_token(official)
    assert api.get(f"/api/v1/tickets/{ticket.number}", mine).get_json()["resolution"] == ""
    tickets.change_status(agent, ticket, Status.RESOLVED, resolution=OUTCOME)
    tickets.reopen(official, fresh(db, ticket), reason="")
    reopened = api.get(f"/api/v1/tickets/{ticket.number}", mine, expect=200).get_json()
    assert (reopened["status"], reopened["resolution"]) == ("open", "")
