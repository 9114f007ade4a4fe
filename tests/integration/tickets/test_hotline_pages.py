"""The hotline's pages: staff find the official who calls (CCCD, phone, name without
diacritics), file the ticket for them as a call, or make a waiting account first; the ticket
page tells staff, and only staff, where a ticket and each message came from."""

from __future__ import annotations

import re

import pytest
from integration.tickets.page_helpers import GOOD_FORM, hidden_value, is_invalid
from sqlalchemy import select
from support import csrf_token, post_form

from helpdesk.auth.models import Role, User
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.notifications.models import Outbox
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import calls

CALLER_CCCD = "075166123456"


@pytest.fixture
def caller(make_user):
    """An official of a ward of province 75 with a phone written with spaces."""
    return make_user(
        "requester",
        username=f"{CALLER_CCCD}@ht.com",
        full_name="Nguyễn Văn Ấn",
        phone="0912 345 678",
        province_code="75",
        unit="UBND phường Trấn Biên",
    )


def found_ids(client, q: str) -> list[int]:
    """The ids of the officials the search lists."""
    response = client.get("/tickets/phone", query_string={"q": q})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [int(part.split('"')[0]) for part in html.split('data-official="')[1:]]


def file_call(client, official, **fields):
    """Post the call's filing form as the page gives it (its CSRF token and submission key)."""
    url = f"/tickets/phone/{official.id}"
    html = client.get(url).get_data(as_text=True)
    data = {
        **GOOD_FORM,
        "callback_phone": "0987 654 321",
        "csrf_token": csrf_token(html),
        "submission_key": hidden_value(html, "submission_key"),
        **fields,
    }
    return client.post(url, data=data)


def acknowledgements(db, user) -> list[str]:
    query = select(Outbox.to).where(Outbox.template == "ticket_filed", Outbox.user_id == user.id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- finding the caller


@pytest.mark.parametrize(
    ("q", "found"),
    [
        (CALLER_CCCD, True),
        (f" {CALLER_CCCD[:6]} {CALLER_CCCD[6:]} ", True),  # spaces typed in the number
        (CALLER_CCCD[:11], False),  # a CCCD is found whole, never by a part
        ("0912345678", True),
        ("0912.345.678", True),
        ("+84 912 345 678", True),
        ("0912345679", False),
        ("nguyen van an", True),  # diacritics ignored
        ("NGUYỄN ấn", True),  # any case, any order
        ("an", True),
        ("guyen", False),  # words are matched from their start
        ("nguyen van binh", False),
    ],
)
def test_staff_find_the_caller_by_cccd_phone_or_name(browser, make_agent, caller, q, found):
    agent = browser(make_agent())
    assert (caller.id in found_ids(agent, q)) is found


def test_the_list_shows_masked_cccd_name_unit_and_province(browser, make_agent, caller):
    html = browser(make_agent()).get(f"/tickets/phone?q={CALLER_CCCD}").get_data(as_text=True)
    [row] = re.findall(r"<a [^>]*data-official=.*?</a>", html, flags=re.DOTALL)
    assert caller.masked_username in row and CALLER_CCCD not in row
    assert "Nguyễn Văn Ấn" in row and "Trấn Biên" in row and "Đồng Nai" in row


def test_only_active_officials_are_found(db, browser, make_user, make_agent, caller):
    staff = make_user("agent", full_name="Nguyễn Văn Ấn Hai")
    gone = make_user("requester", full_name="Nguyễn Văn Ấn Ba", province_code="75")
    gone.status = AccountStatus.DISABLED
    unit_admin = make_user("unit_admin", full_name="Nguyễn Văn Ấn Tư", province_code="75")
    db.session.commit()
    found = found_ids(browser(make_agent()), "nguyen van an")
    assert set(found) == {caller.id, unit_admin.id}
    assert staff.id not in found and gone.id not in found


def test_at_most_twenty_are_listed_in_as_many_queries_as_one(
    db, browser, make_user, make_agent, count_queries
):
    agent = browser(make_agent())
    make_user("requester", full_name="Trần Thị Mai", province_code="01")
    with count_queries() as one:
        assert len(found_ids(agent, "tran thi mai")) == 1
    for n in range(24):
        make_user("requester", full_name=f"Trần Thị Mai {n}", province_code="01")
    with count_queries() as many:
        response = agent.get("/tickets/phone?q=tran+thi+mai")
    assert len(found_ids(agent, "tran thi mai")) == 20
    assert 'data-testid="callers-more"' in response.get_data(as_text=True)
    assert len(many) == len(one)


def test_a_search_that_is_no_cccd_phone_or_name_says_so(browser, make_agent):
    html = browser(make_agent()).get("/tickets/phone?q=12-34").get_data(as_text=True)
    assert 'data-testid="caller-search-unusable"' in html


def test_a_coordinator_finds_and_files_for_its_province_only(
    db, browser, make_coordinator, make_user, caller
):
    coordinator = browser(make_coordinator("79"))
    own = make_user("requester", full_name="Nguyễn Văn Ấn Sài Gòn", province_code="79")
    assert found_ids(coordinator, "nguyen van an") == [own.id]
    assert found_ids(coordinator, CALLER_CCCD) == []
    assert coordinator.get(f"/tickets/phone/{caller.id}").status_code == 404
    assert file_call(coordinator, own, province="79", unit="").status_code == 302
    ticket = db.session.scalar(select(Ticket).where(Ticket.requester_id == own.id))
    assert (ticket.province_code, ticket.source) == ("79", "phone")
    refused = file_call(coordinator, own, province="75", unit="")
    assert refused.status_code == 422
    assert db.session.scalar(select(Ticket.id).where(Ticket.province_code == "75")) is None


@pytest.mark.parametrize("role", ["requester", "unit_admin", "observer"])
def test_officials_and_observers_get_404(browser, make_user, caller, role):
    client = browser(make_user(role, province_code="75"))
    for url in ("/tickets/phone", f"/tickets/phone/{caller.id}", "/tickets/phone/account"):
        assert client.get(url).status_code == 404, url
    assert file_call_refused(client, caller) == 404


def file_call_refused(client, official) -> int:
    """What a post of the call's form answers to someone who has no such form."""
    html = client.get("/auth/profile").get_data(as_text=True)
    data = {**GOOD_FORM, "csrf_token": csrf_token(html), "submission_key": "k" * 30}
    return client.post(f"/tickets/phone/{official.id}", data=data).status_code


def test_staff_see_the_link_officials_do_not(browser, make_agent, caller):
    assert 'data-testid="nav-take-call"' in browser(make_agent()).get("/").get_data(as_text=True)
    assert 'data-testid="nav-take-call"' not in browser(caller).get("/").get_data(as_text=True)


# ---------------------------------------------------------------- filing the call


def test_the_form_is_the_officials_own_with_the_number_to_call_back(browser, make_agent, caller):
    html = browser(make_agent()).get(f"/tickets/phone/{caller.id}").get_data(as_text=True)
    for name in ("system", "category", "province", "unit", "subject", "description"):
        assert f'name="{name}"' in html, name
    assert 'name="attachments"' in html and 'name="priority"' in html
    assert 'value="0912 345 678"' in html  # the callback number: the official's phone
    assert '<option selected value="75">' in html  # the official's province


def test_a_call_is_filed_for_the_official_who_is_acknowledged(db, browser, make_agent, caller):
    agent = make_agent()
    response = file_call(browser(agent), caller)
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket).where(Ticket.requester_id == caller.id))
    assert response.headers["Location"].endswith(f"/tickets/{ticket.number}")
    assert (ticket.source, ticket.callback_phone, ticket.filed_by_id) == (
        "phone",
        "0987 654 321",
        agent.id,
    )
    assert acknowledgements(db, caller) == [caller.email]
    assert acknowledgements(db, agent) == []


def test_the_call_form_needs_its_csrf_token(db, browser, make_agent, caller):
    client = browser(make_agent())
    html = client.get(f"/tickets/phone/{caller.id}").get_data(as_text=True)
    data = {**GOOD_FORM, "submission_key": hidden_value(html, "submission_key")}
    assert client.post(f"/tickets/phone/{caller.id}", data=data).status_code == 400
    assert db.session.scalar(select(Ticket.id)) is None


def test_a_call_filed_into_a_queue_the_taker_does_not_see_goes_back_to_the_search(
    db, browser, make_agent, caller
):
    response = file_call(browser(make_agent("moha-it")), caller)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tickets/phone")
    assert db.session.scalar(select(Ticket.requester_id)) == caller.id


def test_staff_read_where_the_ticket_and_its_messages_came_from_officials_do_not(
    db, browser, make_agent, caller
):
    agent = make_agent()
    staff = browser(agent, "vi")
    file_call(staff, caller)
    ticket = db.session.scalar(select(Ticket).where(Ticket.requester_id == caller.id))
    tickets.add_message(caller, ticket, "Gửi lại qua thư.", source="email")
    tickets.add_message(agent, ticket, "Trả lời qua API.", source="api")
    tickets.add_message(caller, ticket, "Trả lời trên web.")
    html = staff.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    header = html.split('data-testid="ticket-source"')[1].split("</p>")[0]
    assert f"Tiếp nhận qua điện thoại bởi {agent.full_name}, gọi lại: 0987 654 321" in header
    labels = [
        part.split(">")[1].split("<")[0] for part in html.split('data-testid="message-source"')[1:]
    ]
    assert labels == ["qua thư điện tử", "qua API"]
    own = browser(caller, "vi").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Trả lời trên web." in own
    assert 'data-testid="ticket-source"' not in own and 'data-testid="message-source"' not in own
    assert "0987 654 321" not in own
    # The history says who took the call and that the ticket was filed for the caller.
    assert "Đã tiếp nhận cuộc gọi và gửi yêu cầu thay cho người gọi." in html


# ---------------------------------------------------------------- a caller without an account


def test_a_caller_without_an_account_gets_a_waiting_one_and_the_ticket(db, browser, make_agent):
    agent = make_agent()
    client = browser(agent)
    html = client.get("/tickets/phone?q=079166555444").get_data(as_text=True)
    assert 'data-testid="no-caller"' in html
    form = client.get("/tickets/phone/account?q=079166555444").get_data(as_text=True)
    assert 'value="079166555444"' in form  # the number searched, written in
    response = post_form(
        client,
        "/tickets/phone/account",
        {
            "cccd": "079166555444",
            "domain": "ht.com",
            "full_name": "Lê Thị Gọi",
            "email": "goi@example.vn",
            "phone": "0901 222 333",
            "province": "79",
            "unit": "UBND phường Bến Thành",
        },
    )
    assert response.status_code == 302
    official = db.session.scalar(select(User).where(User.cccd == "079166555444"))
    assert response.headers["Location"].endswith(f"/tickets/phone/{official.id}")
    assert (official.role, official.status, official.has_password) == (
        Role.REQUESTER,
        AccountStatus.ACTIVE,
        False,
    )
    assert official.created_by_id == agent.id and official.email_verified_at is not None
    activation = select(Outbox.to).where(Outbox.template == "account_activate")
    assert list(db.session.scalars(activation)) == ["goi@example.vn"]
    assert file_call(client, official, province="79", unit="").status_code == 302
    assert acknowledgements(db, official) == ["goi@example.vn"]
    assert found_ids(client, "le thi goi") == [official.id]


def test_a_taken_cccd_is_refused_beside_the_field_and_nothing_is_made(
    db, browser, make_agent, make_user
):
    taken = make_user("agent", username="079166555444@ht.com")
    response = post_form(
        browser(make_agent()),
        "/tickets/phone/account",
        {
            "cccd": taken.cccd,
            "domain": "ht.com",
            "full_name": "Lê Thị Gọi",
            "email": "goi@example.vn",
            "phone": "0901 222 333",
            "province": "79",
            "unit": "UBND phường Bến Thành",
        },
    )
    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), "cccd")
    activations = select(Outbox.id).where(Outbox.template == "account_activate")
    assert db.session.scalar(activations) is None


def test_a_coordinator_makes_waiting_accounts_of_its_province_only(db, browser, make_coordinator):
    client = browser(make_coordinator("79"))
    form = client.get("/tickets/phone/account").get_data(as_text=True)
    assert 'value="75"' not in form and 'value="79"' in form
    response = post_form(
        client,
        "/tickets/phone/account",
        {
            "cccd": "075166555444",
            "domain": "ht.com",
            "full_name": "Lê Thị Khác",
            "email": "khac@example.vn",
            "phone": "0901 222 333",
            "province": "75",
            "unit": "UBND phường Trấn Biên",
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(User.id).where(User.cccd == "075166555444")) is None


# ---------------------------------------------------------------- the queue by source


def test_the_queue_filters_by_source(db, browser, make_agent, caller, file_ticket):
    agent = make_agent()
    by_call = calls.file_for(
        agent,
        caller,
        tickets.TicketDraft(**{**GOOD_FORM, "priority": 3}, source="phone", callback_phone=""),
    )
    by_web = file_ticket(caller)
    client = browser(agent)

    def listed(query: str) -> set[str]:
        html = client.get(f"/tickets/queue?{query}").get_data(as_text=True)
        return {number for number in (by_call.number, by_web.number) if number in html}

    assert listed("source=phone") == {by_call.number}
    assert listed("source=web") == {by_web.number}
    assert listed("source=email") == set()
    assert listed("source=fax") == listed("") == {by_call.number, by_web.number}
    narrowed = client.get("/tickets/queue?source=phone").get_data(as_text=True)
    assert 'data-filter="source"' in narrowed
