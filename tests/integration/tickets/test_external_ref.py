"""A ticket's number in another desk: staff set and clear it on the ticket page and through
PATCH; the history says so; staff see it in the page and the JSON (with the followers), the
requester never; staff's search finds the ticket by it."""

from __future__ import annotations

import re

import pytest
from integration.tickets.page_helpers import fresh, page_of, post_page_form
from unit.api.openapi_check import assert_matches

from helpdesk.api.openapi import document
from helpdesk.auth.services import create_token
from helpdesk.tickets.models import EventKind
from helpdesk.tickets.services import followers, references

DOCUMENT = document()


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-it", ("75",))


@pytest.fixture
def ticket(requester, agent, file_ticket):
    return file_ticket(requester)


def patch(client, token: str, number: str, body: dict):
    return client.patch(
        f"/api/v1/tickets/{number}", json=body, headers={"Authorization": f"Bearer {token}"}
    )


def get_json(client, token: str, path: str):
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_staff_set_and_clear_it_on_the_ticket_page(db, browser, agent, requester, ticket):
    client = browser(agent)
    page = f"/tickets/{ticket.number}"

    response = post_page_form(client, page, f"{page}/external-ref", {"external_ref": " SD-7781 "})

    assert response.status_code == 302
    assert fresh(db, ticket).external_ref == "SD-7781"
    html = page_of(client, ticket)
    assert re.search(r'data-testid="external-ref">SD-7781<', html)
    assert 'data-panel="external_ref"' in html
    assert "SD-7781" not in page_of(browser(requester), ticket)

    bad = post_page_form(client, page, f"{page}/external-ref", {"external_ref": "x" * 101})
    assert bad.status_code == 422
    response = post_page_form(client, page, f"{page}/external-ref", {"external_ref": ""})
    assert response.status_code == 302
    ticket = fresh(db, ticket)
    assert ticket.external_ref == ""
    changes = [e.data for e in ticket.events if e.kind == EventKind.EXTERNAL_REF_CHANGED]
    assert changes == [{"old": "", "new": "SD-7781"}, {"old": "SD-7781", "new": ""}]


def test_a_requester_cannot_set_it(db, browser, requester, ticket):
    client = browser(requester)
    page = f"/tickets/{ticket.number}"
    response = post_page_form(client, page, f"{page}/external-ref", {"external_ref": "X-1"})
    assert response.status_code == 404
    assert fresh(db, ticket).external_ref == ""


def test_patch_sets_it_and_staff_json_shows_it_with_the_followers(
    db, client, agent, requester, make_user, ticket
):
    colleague = make_user("requester", province_code="75", unit="UBND phường Trấn Biên")
    followers.add_follower(requester, ticket, colleague)
    staff_token, requester_token = create_token(agent), create_token(requester)

    response = patch(client, staff_token, ticket.number, {"external_ref": "JIRA-4521"})

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert_matches(body, "TicketDetail", DOCUMENT)
    assert body["external_ref"] == "JIRA-4521"
    assert body["followers"] == [
        {"name": colleague.full_name, "username": colleague.masked_username}
    ]
    listed = get_json(client, staff_token, "/api/v1/tickets")
    assert_matches(listed, "TicketList", DOCUMENT)
    assert listed["items"][0]["external_ref"] == "JIRA-4521"
    assert listed["items"][0]["followers"][0]["username"] == colleague.masked_username
    for seen in (
        get_json(client, requester_token, f"/api/v1/tickets/{ticket.number}"),
        get_json(client, requester_token, "/api/v1/tickets")["items"][0],
    ):
        assert "external_ref" not in seen and "followers" not in seen
    assert patch(client, requester_token, ticket.number, {"external_ref": "X"}).status_code == 404

    refused = patch(client, staff_token, ticket.number, {"external_ref": "a\u202eb"})
    assert refused.status_code == 422
    assert "external_ref" in refused.get_json()["error"]["fields"]
    assert patch(client, staff_token, ticket.number, {"external_ref": 7}).status_code == 422
    assert patch(client, staff_token, ticket.number, {"external_ref": None}).status_code == 200
    assert fresh(db, ticket).external_ref == ""


def test_staff_search_finds_the_ticket_by_it(db, browser, agent, ticket, file_ticket, requester):
    other = file_ticket(requester)
    references.change_external_ref(agent, ticket, "VNPT-2026-88812")
    client = browser(agent)

    for words in ("VNPT-2026-88812", "88812"):
        html = client.get(f"/tickets/queue?q={words}").get_data(as_text=True)
        found = set(re.findall(r'<tr data-number="([^"]+)"', html))
        assert found == {ticket.number}, words
    assert other.number != ticket.number
