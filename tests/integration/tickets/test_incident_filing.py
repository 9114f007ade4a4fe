"""What officials see of incidents while filing: GET /api/v1/suggestions's `incidents` (open
incidents of the system matching the subject, for the caller's province, with their latest
public update; never another person's ticket), and joining one from the filing form ("this is
my problem too": the official's own ticket, attached to the incident, with what they typed)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from integration.tickets.page_helpers import PNG, hidden_value
from sqlalchemy import func, select
from support import csrf_token

from helpdesk.api.schemas import instant
from helpdesk.notifications.models import Outbox
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import EventKind, Message, Ticket
from helpdesk.timeutil import utcnow

TITLE = "Tiền lệ phí không về tài khoản thụ hưởng"
TYPED = "tai khoang thu huong khong ve tien le phi"  # no diacritics, reordered, one typo
FIELDS = ("number", "title", "latest_update", "updated_at", "expected_at")


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-fpt")


@pytest.fixture
def official(make_user):
    return make_user("requester", province_code="75", unit="UBND xã Phú Lý", language="vi")


def ask(client, subject=TYPED, **params):
    query = {"system": "moj", "category": "payment", "subject": subject, **params}
    return client.get("/api/v1/suggestions", query_string=query)


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["number"] for item in response.get_json()["incidents"]]


def ticket_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def latest_message_at(db, ticket):
    query = select(Message.created_at).where(Message.ticket_id == ticket.id)
    return db.session.scalar(query.order_by(Message.id.desc()).limit(1))


# ---------------------------------------------------------------- the suggestions


def test_a_mistyped_subject_finds_the_incident_with_its_latest_public_update(
    db, client, agent, official, browser
):
    incident = tickets.declare(agent, title=TITLE, system="moj")
    tickets.post_update(agent, incident, "Đã ghi nhận sự cố.")
    expected = utcnow().replace(microsecond=0) + timedelta(hours=4)
    tickets.post_update(agent, incident, "Đang khắc phục cổng thanh toán.", expected_at=expected)
    updated = latest_message_at(db, incident)
    note = Message(ticket_id=incident.id, author_id=agent.id, body="Lỗi phía ngân hàng.")
    note.internal = True  # a note staff keep for themselves, written after the update
    db.session.add(note)
    db.session.commit()
    bare = tickets.declare(agent, title="Tiền lệ phí chưa về tài khoản thụ hưởng", system="moj")
    tickets.declare(agent, title="Không đăng nhập được bằng VNeID", system="moj")

    response = ask(browser(official))

    found = {item["number"]: item for item in response.get_json()["incidents"]}
    assert set(found) == {incident.number, bare.number}  # the same words: as good a match
    assert all(set(item) == set(FIELDS) for item in found.values())
    assert found[incident.number] == {
        "number": incident.number,
        "title": TITLE,
        "latest_update": "Đang khắc phục cổng thanh toán.",  # not the internal note
        "updated_at": instant(updated),
        "expected_at": instant(expected),
    }
    assert found[bare.number]["latest_update"] is None
    assert found[bare.number]["updated_at"] == instant(bare.created_at)
    assert found[bare.number]["expected_at"] is None
    assert numbers(ask(client, system="moha")) == []
    assert numbers(ask(client, subject="ti ê")) == []  # too short to match anything


def test_incidents_never_hold_another_persons_ticket(
    db, client, agent, official, make_user, file_ticket
):
    other = make_user("requester", province_code="75", unit="UBND xã An Viễn")
    alone = file_ticket(other, subject=TITLE, category="payment")
    attached = file_ticket(
        other, subject="Biên lai điện tử không phát hành được", category="payment"
    )
    assert numbers(ask(client)) == []  # an ordinary ticket that matches is not an incident

    incident = tickets.declare(
        agent, title="Sự cố cổng thanh toán", system="moj", numbers=[attached.number]
    )
    response = ask(client, subject="khong phat hanh duoc bien lai")  # its attached ticket's words

    assert numbers(response) == [incident.number]
    body = response.get_data(as_text=True)
    for ticket in (alone, attached):
        assert ticket.number not in body
    assert "Biên lai" not in body and "UBND" not in body


def test_a_scoped_incident_is_suggested_for_its_provinces_only(
    db, client, agent, official, make_user, browser
):
    incident = tickets.declare(agent, title=TITLE, system="moj", provinces=["75"])
    elsewhere = browser(make_user("requester", province_code="01", unit="UBND xã Đông Anh"))
    here = browser(official)

    assert numbers(ask(here)) == [incident.number]  # the account's province
    assert numbers(ask(elsewhere)) == []
    assert numbers(ask(elsewhere, province="75")) == [incident.number]  # the province chosen
    assert numbers(ask(here, province="01")) == []
    assert numbers(ask(client)) == [incident.number]  # nobody signed in: no province filter
    assert numbers(ask(client, province="")) == [incident.number]


@pytest.mark.parametrize("province", ["99", "7 5", "x" * 300])
def test_an_unknown_province_is_refused_naming_it(client, province):
    response = ask(client, province=province)
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"province"}


# ---------------------------------------------------------------- joining from the filing form


def open_form(client) -> dict:
    html = client.get("/tickets/new").get_data(as_text=True)
    return {"csrf_token": csrf_token(html), "submission_key": hidden_value(html, "submission_key")}


def join(client, number: str, **fields):
    data = {
        **open_form(client),
        "system": "",
        "category": "",
        "province": "75",
        "unit": "UBND xã Phú Lý",
        "subject": "",
        "description": "",
        "priority": "2",
        **fields,
        "incident": number,
    }
    data["attachments"] = [(io.BytesIO(PNG), "man-hinh.png")]
    return client.post("/tickets/new", data=data, content_type="multipart/form-data")


def test_joining_files_the_officials_own_ticket_attached_and_acknowledged(
    db, agent, official, browser
):
    incident = tickets.declare(agent, title=TITLE, system="moj", provinces=["75"])
    web = browser(official, "vi")

    description = "Từ 8 giờ sáng, 12 hồ sơ chưa nhận được tiền."
    response = join(web, incident.number, category="account", description=description)

    assert response.status_code == 302, response.get_data(as_text=True)
    ticket = db.session.scalars(select(Ticket).where(Ticket.requester_id == official.id)).one()
    assert response.headers["Location"].endswith(f"/tickets/{ticket.number}")
    assert ticket.parent_id == incident.id
    assert (ticket.system_code, ticket.category_code) == ("moj", incident.category_code)
    assert ticket.subject == TITLE  # none typed: the incident's title
    assert ticket.description == description
    assert (ticket.province_code, ticket.priority) == ("75", 2)
    assert ticket.unit.endswith("Phú Lý")  # as typed, matched to the listed ward
    assert [a.filename for a in ticket.attachments] == ["man-hinh.png"]
    assert ticket.first_response_due is not None  # its own SLA
    assert ticket.events[-1].kind == EventKind.LINKED
    assert ticket.events[-1].data == {"parent": incident.number}
    acknowledged = db.session.scalars(
        select(Outbox).where(Outbox.template == "ticket_filed", Outbox.user_id == official.id)
    ).all()
    assert len(acknowledged) == 1
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Đã gửi yêu cầu {ticket.number}. Yêu cầu đã được gắn vào sự cố đã biết" in page


def test_joining_keeps_the_typed_subject_and_else_says_the_standard_sentence(
    db, agent, official, browser
):
    incident = tickets.declare(agent, title=TITLE, system="moj")
    web = browser(official, "vi")

    response = join(web, incident.number, system="moha", subject="Phú Lý cũng chưa nhận tiền")

    assert response.status_code == 302, response.get_data(as_text=True)
    ticket = db.session.scalars(select(Ticket).where(Ticket.requester_id == official.id)).one()
    assert ticket.subject == "Phú Lý cũng chưa nhận tiền"
    assert ticket.description == "Đơn vị tôi cũng gặp sự cố này."
    assert ticket.system_code == "moj"  # the incident's system, whatever was chosen
    assert ticket.parent_id == incident.id


def test_a_closed_or_unknown_incident_says_so_and_loses_nothing(
    db, agent, official, browser, file_ticket
):
    incident = tickets.declare(agent, title=TITLE, system="moj")
    tickets.post_update(agent, incident, "Đã khắc phục xong.", resolve=True)
    ordinary = file_ticket(official, subject=TITLE)
    web = browser(official, "vi")
    before = ticket_count(db)

    for number in (incident.number, "HT-2026-999999", ordinary.number, "x" * 40):
        response = join(
            web, number, subject="Chưa nhận được tiền", description="Mười hồ sơ chưa có tiền."
        )

        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "Sự cố này không còn mở: yêu cầu của bạn chưa được gửi." in html
        assert 'value="Chưa nhận được tiền"' in html
        assert "Mười hồ sơ chưa có tiền." in html
        assert 'value="UBND xã Phú Lý"' in html
    assert ticket_count(db) == before


def test_joining_still_checks_the_officials_own_fields(db, agent, official, browser):
    incident = tickets.declare(agent, title=TITLE, system="moj")
    before = ticket_count(db)

    response = join(browser(official, "vi"), incident.number, province="", subject="x" * 300)

    assert response.status_code == 422
    assert ticket_count(db) == before


def test_the_same_joining_form_sent_twice_files_one_ticket(db, agent, official, browser):
    incident = tickets.declare(agent, title=TITLE, system="moj")
    web = browser(official, "vi")
    hidden = open_form(web)

    first = join(web, incident.number, **hidden)
    second = join(web, incident.number, **hidden)

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    attached = select(func.count()).where(Ticket.parent_id == incident.id)
    assert db.session.scalar(attached) == 1
