"""The provincial coordinator: every ticket of its province in every queue (read, internal notes),
its province's queue worked as an agent works one, nothing of another province anywhere."""

from __future__ import annotations

import pytest
from integration.tickets.page_helpers import PASSWORD, fresh, page_of
from sqlalchemy import select
from support import csrf_token

from helpdesk.auth.models import User
from helpdesk.auth.services import create_token
from helpdesk.notifications.models import Outbox
from helpdesk.routing.models import Membership, MembershipProvince, Queue, Rule
from helpdesk.tickets.models import Message, Status


@pytest.fixture
def province_tickets(make_user, file_ticket):
    """Tickets of provinces 79 and 01 in a vendor queue, the IT queue and the provinces' own."""

    def file(province: str, category: str, subject: str):
        requester = make_user("requester", province_code=province, unit="UBND phường 1")
        return file_ticket(requester, province=province, category=category, subject=subject)

    return {
        "79-fpt": file("79", "payment", "GIRAFFE79 payment missing"),
        "79-it": file("79", "account", "GIRAFFE79 account locked"),
        "79-own": file("79", "dossier", "GIRAFFE79 dossier overdue"),
        "01-fpt": file("01", "payment", "OTTER01 payment missing"),
        "01-own": file("01", "dossier", "OTTER01 dossier overdue"),
    }


def queue_code(db, ticket) -> str:
    return db.session.get(Queue, ticket.queue_id).code


def numbers_in(html_or_json: str, tickets: dict) -> set[str]:
    return {name for name, ticket in tickets.items() if ticket.number in html_or_json}


def test_a_coordinator_sees_its_province_in_every_queue_and_nothing_of_another(
    db, browser, make_coordinator, province_tickets
):
    coordinator = make_coordinator("79")
    assert [queue_code(db, province_tickets[name]) for name in ("79-fpt", "79-it", "79-own")] == [
        "moj-fpt",
        "moj-it",
        "province-79",
    ]
    web = browser(coordinator)
    for name, ticket in province_tickets.items():
        status = web.get(f"/tickets/{ticket.number}").status_code
        assert status == (200 if name.startswith("79") else 404), name
    listed = web.get("/tickets/queue").get_data(as_text=True)
    assert numbers_in(listed, province_tickets) == {"79-fpt", "79-it", "79-own"}
    whole = web.get("/tickets/queue?queue=province").get_data(as_text=True)
    assert "Whole province (TP. Hồ Chí Minh)" in whole
    assert numbers_in(whole, province_tickets) == {"79-fpt", "79-it", "79-own"}
    found = web.get("/tickets/queue?q=payment+missing").get_data(as_text=True)
    assert numbers_in(found, province_tickets) == {"79-fpt"}
    api = {"Authorization": f"Bearer {create_token(coordinator)}"}
    listing = web.get("/api/v1/tickets?per_page=100", headers=api).get_json()
    assert {item["number"] for item in listing["items"]} == {
        province_tickets[name].number for name in ("79-fpt", "79-it", "79-own")
    }
    for name, ticket in province_tickets.items():
        status = web.get(f"/api/v1/tickets/{ticket.number}", headers=api).status_code
        assert status == (200 if name.startswith("79") else 404), name


@pytest.fixture
def both_coordinators(make_coordinator):
    return make_coordinator("79"), make_coordinator("01")


def test_a_coordinator_is_mailed_about_its_province_only(db, both_coordinators, province_tickets):
    """Coordinators of both provinces, made before the tickets are filed: each is told of its
    own province's dossier (queued to it, assigned to it), never of the other's tickets."""
    rows = db.session.scalars(select(Outbox).where(Outbox.user_id.is_not(None))).all()
    pairs = zip(both_coordinators, ("79", "01"), ("01", "79"), strict=True)
    for coordinator, province, other in pairs:
        told = {row.context.get("number") for row in rows if row.user_id == coordinator.id}
        assert province_tickets[f"{province}-own"].number in told
        assert not told & {t.number for n, t in province_tickets.items() if n.startswith(other)}


def test_a_coordinator_writes_notes_on_another_queues_ticket_but_does_not_work_it(
    db, browser, make_coordinator, province_tickets
):
    coordinator = make_coordinator("79")
    ticket = province_tickets["79-fpt"]  # in moj-fpt: read, noted, not worked
    web = browser(coordinator)
    html = page_of(web, ticket)
    assert 'id="visibility-internal"' in html and 'id="visibility-public"' not in html
    assert 'data-testid="staff-controls"' not in html
    token = csrf_token(html)
    version = str(ticket.version)
    note = web.post(
        f"/tickets/{ticket.number}/reply",
        data={
            "csrf_token": token,
            "visibility": "internal",
            "body": "Sở đã nhắc xã",
            "version": version,
        },
    )
    assert note.status_code == 302
    saved = db.session.scalars(select(Message).where(Message.ticket_id == ticket.id)).all()
    assert [(m.body, m.internal) for m in saved] == [("Sở đã nhắc xã", True)]
    refused = {
        "public reply": ("reply", {"visibility": "public", "body": "Xin chào"}),
        "note with a status": (
            "reply",
            {"visibility": "internal", "body": "x", "status": "resolved", "resolution": "x"},
        ),
        "status": ("status", {"status": "resolved", "status_reason": "x", "resolution": "x"}),
        "claim": ("claim", {}),
        "priority": ("priority", {"priority": "1"}),
        "escalate": ("escalate", {"escalate_reason": "x"}),
    }
    for name, (action, form) in refused.items():
        current = str(fresh(db, ticket).version)
        response = web.post(
            f"/tickets/{ticket.number}/{action}",
            data={"csrf_token": token, "version": current, **form},
        )
        assert response.status_code == 404, name
    api = {"Authorization": f"Bearer {create_token(coordinator)}"}
    url = f"/api/v1/tickets/{ticket.number}"
    assert web.patch(url, json={"status": "open"}, headers=api).status_code == 404
    assert web.post(f"{url}/messages", json={"body": "x"}, headers=api).status_code == 404
    noted = web.post(f"{url}/messages", json={"body": "y", "internal": True}, headers=api)
    assert noted.status_code == 201
    after = fresh(db, ticket)
    assert (after.status, after.assignee_id, after.priority) == (Status.NEW, None, 3)
    assert after.queue_id == ticket.queue_id
    public = db.session.scalars(
        select(Message).where(Message.ticket_id == ticket.id, Message.internal.is_(False))
    ).all()
    assert public == []


def test_a_coordinator_works_its_province_queue_as_an_agent(
    db, browser, make_coordinator, file_ticket, make_user
):
    coordinator = make_coordinator("79")
    requester = make_user("requester", province_code="79", unit="UBND phường 1")
    ticket = file_ticket(requester, province="79", category="training", subject="Tập huấn")
    assert queue_code(db, ticket) == "province-79"
    assert ticket.assignee_id == coordinator.id  # the queue's one member covering 79
    web = browser(coordinator)
    html = page_of(web, ticket)
    assert 'id="visibility-public"' in html and 'data-testid="staff-controls"' in html
    response = web.post(
        f"/tickets/{ticket.number}/reply",
        data={
            "csrf_token": csrf_token(html),
            "visibility": "public",
            "body": "Sở sẽ tổ chức tập huấn vào thứ Hai.",
            "status": "resolved",
            "resolution": "Lịch tập huấn đã gửi cho phường.",
            "version": str(ticket.version),
        },
    )
    assert response.status_code == 302
    assert fresh(db, ticket).status == Status.RESOLVED
    home = web.get("/").get_data(as_text=True)
    assert 'data-testid="home-province"' in home and 'data-testid="home-queues"' in home


def test_a_coordinators_home_counts_its_province_in_every_queue(
    db, browser, make_coordinator, province_tickets
):
    coordinator = make_coordinator("79")
    home = browser(coordinator).get("/").get_data(as_text=True)
    block = home.split('data-testid="home-province"')[1].split("</section>")[0]
    assert 'data-count="province-open"' in block
    assert '<span class="badge text-bg-secondary">3</span>' in block  # 79's three, not 01's


# ---------------------------------------------------------------- making coordinators


def test_the_command_line_makes_a_coordinator_a_member_of_its_province_queue(db, runner):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "079188000901@ht.com",
            "--role",
            "coordinator",
            "--province",
            "79",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "member of province-79, covering province 79" in result.output
    user = db.session.scalar(select(User).where(User.cccd == "079188000901"))
    assert coverage_of(db, user) == {"province-79": {"79"}}


def test_the_command_line_refuses_a_coordinator_without_a_province(db, runner):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "079188000902@ht.com",
            "--role",
            "coordinator",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 1
    assert "a coordinator works one province: give --province CODE" in result.output
    assert db.session.scalar(select(User).where(User.cccd == "079188000902")) is None


def coverage_of(db, user) -> dict[str, set[str]]:
    rows = db.session.execute(
        select(Queue.code, MembershipProvince.province_code)
        .join(Membership, Membership.queue_id == Queue.id)
        .outerjoin(MembershipProvince, MembershipProvince.membership_id == Membership.id)
        .where(Membership.user_id == user.id)
    )
    found: dict[str, set[str]] = {}
    for code, province in rows:
        found.setdefault(code, set()).update({province} - {None})
    return found


def test_the_accounts_pages_make_move_and_end_a_coordinators_membership(db, browser, make_user):
    admin = make_user("admin", language="en")
    web = browser(admin)
    form = {
        "cccd": "079188000903",
        "domain": "ht.com",
        "full_name": "Trần Đầu Mối",
        "email": "daumoi@example.vn",
        "role": "coordinator",
    }
    page = web.get("/accounts/new").get_data(as_text=True)
    refused = web.post("/accounts/new", data={**form, "csrf_token": csrf_token(page)})
    assert refused.status_code == 200
    assert "needs a province" in refused.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.cccd == "079188000903")) is None
    made = web.post(
        "/accounts/new", data={**form, "province": "79", "csrf_token": csrf_token(page)}
    )
    assert made.status_code == 302
    user = db.session.scalar(select(User).where(User.cccd == "079188000903"))
    assert coverage_of(db, user) == {"province-79": {"79"}}

    def change(role: str, province: str):
        url = f"/accounts/{user.id}/role"
        token = csrf_token(web.get(url).get_data(as_text=True))
        return web.post(url, data={"csrf_token": token, "role": role, "province": province})

    assert change("coordinator", "01").status_code == 302
    assert coverage_of(db, user) == {"province-01": {"01"}}
    assert change("coordinator", "").status_code == 200  # a coordinator needs a province
    assert coverage_of(db, user) == {"province-01": {"01"}}
    assert change("requester", "01").status_code == 302
    assert coverage_of(db, user) == {}
    assert fresh(db, user).role == "requester"


# ---------------------------------------------------------------- the province's own rules


def test_dossiers_go_to_the_province_first_unless_an_admin_deactivates_its_rule(
    db, make_user, file_ticket, runner
):
    def filed(province: str):
        requester = make_user("requester", province_code=province, unit="UBND phường 1")
        return queue_code(db, file_ticket(requester, province=province, category="dossier"))

    assert (filed("79"), filed("01")) == ("province-79", "province-01")
    explained = runner.invoke(
        args=["route", "explain", "--system", "moj", "--category", "dossier", "--province", "79"]
    )
    assert "queue: province-79" in explained.output
    assert "escalates to: moj-it" in explained.output
    rule = db.session.scalar(
        select(Rule).where(Rule.category_code == "dossier", Rule.province_code == "79")
    )
    assert rule.name == "Hồ sơ quá hạn — TP. Hồ Chí Minh → đầu mối tỉnh"
    rule.active = False
    db.session.commit()
    assert (filed("79"), filed("01")) == ("moj-it", "province-01")


def test_a_provincial_ticket_escalates_to_its_systems_it_queue(
    db, browser, make_coordinator, file_ticket, make_user
):
    coordinator = make_coordinator("79")
    requester = make_user("requester", province_code="79", unit="UBND phường 1")
    ticket = file_ticket(requester, province="79", category="dossier", system="moha")
    web = browser(coordinator)
    html = page_of(web, ticket)
    response = web.post(
        f"/tickets/{ticket.number}/escalate",
        data={
            "csrf_token": csrf_token(html),
            "escalate_reason": "Lỗi cấu hình quy trình, cần Bộ xử lý",
            "version": str(ticket.version),
        },
    )
    assert response.status_code == 302
    assert queue_code(db, fresh(db, ticket)) == "moha-it"
