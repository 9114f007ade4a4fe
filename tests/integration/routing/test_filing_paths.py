"""Tickets filed through the web form and the JSON API land in the queue the "which queue?"
tester predicts, go to the agent covering their province, and stay hidden from the others."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from support import csrf_token, post_form

from helpdesk.auth.services import create_token
from helpdesk.tickets.models import Ticket

PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - the make_user fixture's default
FACTS = {"system": "moj", "category": "payment", "province": "79", "priority": "2"}
TICKET = {
    "unit": "UBND phường Sài Gòn",
    "subject": "Tiền lệ phí chưa về tài khoản thụ hưởng",
    "description": "Hồ sơ nộp trực tuyến ngày 02/03 đã thanh toán nhưng chưa nhận tiền.",
    "dossier_code": "",
    "procedure_code": "",
}


@pytest.fixture
def open_as(app, client):
    """A browser of its own (the `client` fixture makes each request its own app context),
    logged in as the user."""

    def open_browser(user):
        browser = app.test_client()
        response = post_form(
            browser, "/auth/login", {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    return open_browser


@pytest.fixture
def team(queue, make_user, member):
    """Two FPT support officers: one for TP. Hồ Chí Minh, one for Hà Nội."""
    fpt = queue("moj-fpt")
    saigon, hanoi = make_user("agent"), make_user("agent")
    member(fpt, saigon, "79", "80")
    member(fpt, hanoi, "01")
    return {"saigon": saigon, "hanoi": hanoi}


def predicted_queue(browser) -> str:
    response = post_form(browser, "/admin/routing/tester", FACTS)
    match = re.search(r'data-testid="decision-queue">([^<]+)<', response.get_data(as_text=True))
    assert match, "the tester shows no decision"
    return match.group(1)


def newest_ticket(db) -> Ticket:
    return db.session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))


def test_ticket_filed_on_the_web_lands_where_the_tester_predicts(
    db, open_as, make_user, team, admin
):
    predicted = predicted_queue(open_as(admin))
    requester = make_user("requester", province_code="79")
    browser = open_as(requester)
    html = browser.get("/tickets/new").get_data(as_text=True)
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', html).group(1)
    response = browser.post(
        "/tickets/new",
        data={
            **FACTS,
            **TICKET,
            "submission_key": key,
            "csrf_token": csrf_token(html),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    ticket = newest_ticket(db)
    assert ticket.queue.code == predicted == "moj-fpt"
    assert ticket.assignee_id == team["saigon"].id
    assert open_as(team["saigon"]).get(f"/tickets/{ticket.number}").status_code == 200
    assert open_as(team["hanoi"]).get(f"/tickets/{ticket.number}").status_code == 404


def test_ticket_filed_through_the_api_lands_where_the_tester_predicts(
    db, client, open_as, make_user, team, admin
):
    predicted = predicted_queue(open_as(admin))
    token = create_token(make_user("requester", province_code="79"))
    body = {**FACTS, **TICKET, "priority": int(FACTS["priority"])}
    response = client.post(
        "/api/v1/tickets", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    number = response.json["number"]
    assert response.json["queue"] == predicted == "moj-fpt"
    assert response.json["assignee"] is not None

    assert newest_ticket(db).assignee_id == team["saigon"].id
    for agent, status in ((team["saigon"], 200), (team["hanoi"], 404)):
        agent_token = create_token(agent)
        seen = client.get(
            f"/api/v1/tickets/{number}", headers={"Authorization": f"Bearer {agent_token}"}
        )
        assert seen.status_code == status
