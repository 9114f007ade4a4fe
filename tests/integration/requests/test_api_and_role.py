"""POST /api/v1/requests (the contract's answer and its 422s), and the role page's checkbox
that lets an observer send requests."""

from __future__ import annotations

from integration.tickets.page_helpers import post_page_form
from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.auth.services import create_token
from helpdesk.tickets.models import Ticket


def api(user) -> dict:
    return {"Authorization": f"Bearer {create_token(user)}"}


def test_a_request_sent_through_the_api_answers_its_tickets(db, client, admin, coordinators):
    response = client.post(
        "/api/v1/requests",
        json={
            "title": "Số tài khoản thụ hưởng",
            "body": "Gửi số tài khoản thụ hưởng của các sở.",
            "due": "2030-03-15",
            "provinces": ["79", "01"],
            "system": "moj",
        },
        headers=api(admin),
    )

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"number", "tickets"}
    assert response.headers["Location"].endswith(f"/api/v1/requests/{body['number']}")
    assert sorted(t["province"] for t in body["tickets"]) == ["01", "79"]
    numbers = {t["number"] for t in body["tickets"]}
    found = db.session.scalars(select(Ticket).where(Ticket.number.in_(numbers))).all()
    assert {(t.kind, t.system_code) for t in found} == {("request", "moj")}
    read = client.get(response.headers["Location"], headers=api(admin)).get_json()
    assert {row["state"] for row in read["provinces"]} == {"not_opened"}


def test_every_province_by_default_through_the_api(db, client, admin):
    body = {"title": "Báo cáo", "body": "Gửi báo cáo.", "due": "2030-03-15"}

    response = client.post("/api/v1/requests", json=body, headers=api(admin))

    assert response.status_code == 201
    assert len(response.get_json()["tickets"]) == 34


def test_the_api_names_each_bad_field(db, client, admin):
    response = client.post(
        "/api/v1/requests",
        json={"title": "", "body": 3, "due": "2001-01-01", "provinces": ["79", "00"], "x": 1},
        headers=api(admin),
    )

    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"title", "body", "due", "provinces", "x"}
    assert db.session.scalar(select(Ticket.id).where(Ticket.kind == "request")) is None


def test_an_admin_lets_an_observer_send_requests_on_the_role_page(db, browser, admin, make_user):
    observer = make_user("observer")
    agent = make_user("agent")
    client = browser(admin)
    page = f"/accounts/{observer.id}/role"
    assert 'name="sends_requests"' in client.get(page).get_data(as_text=True)

    response = post_page_form(
        client, page, page, {"role": "observer", "province": "", "sends_requests": "y"}
    )
    assert response.status_code == 302
    assert db.session.get(User, observer.id).sends_requests is True
    assert browser(observer).get("/requests/new").status_code == 200

    other = f"/accounts/{agent.id}/role"
    refused = post_page_form(
        client, other, other, {"role": "agent", "province": "", "sends_requests": "y"}
    )
    assert refused.status_code == 200  # the form again, the checkbox refused beside it
    assert "Only observers are given this right" in refused.get_data(as_text=True)
    assert db.session.get(User, agent.id).sends_requests is False
