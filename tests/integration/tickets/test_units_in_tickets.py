"""Units in tickets: filing (form and API) sets the ticket's unit from a chosen code or a
matched name, the JSON carries it as {"code", "name"}, and the queue and the API filter by a
commune; its name is found by the search, without diacritics."""

from __future__ import annotations

import pytest
from integration.listed_units import CHON_THANH, MINH_DUC, SAI_GON, make_listed_units
from integration.tickets.page_helpers import GOOD_FORM, field_tag, fresh, post_page_form
from integration.tickets.test_api import Api
from integration.tickets.test_query_counts import statements_for
from sqlalchemy import func, select

from helpdesk.auth.models import UnitKind
from helpdesk.auth.services import create_token
from helpdesk.tickets.models import Ticket


@pytest.fixture
def listed(db):
    """Listed units of provinces 80, 79 and 01: code -> unit."""
    return make_listed_units(db)


@pytest.fixture
def official(make_user, listed):
    """An official of Phường Chơn Thành (province 80), reading in English."""
    return make_user("requester", province_code="80", unit_code=CHON_THANH, language="en")


@pytest.fixture
def api(client):
    return Api(client)


FORM = {**GOOD_FORM, "province": "80", "unit": "", "unit_code": ""}
TICKET = {**FORM, "priority": 3}
del TICKET["unit_code"]


def tickets_of(db) -> list[Ticket]:
    db.session.expire_all()
    return list(db.session.scalars(select(Ticket).order_by(Ticket.id)))


# ---------------------------------------------------------------- the filing form


def test_the_form_offers_the_officials_unit_with_its_code(browser, official):
    html = browser(official).get("/tickets/new").get_data(as_text=True)
    assert 'value="Phường Chơn Thành"' in field_tag(html, "unit")
    assert f'name="unit_code" id="unit_code" value="{CHON_THANH}"' in html
    assert 'data-province-select="province"' in field_tag(html, "unit")


def test_filing_with_a_chosen_unit_sets_the_tickets_unit(db, browser, make_user, listed):
    requester = make_user("requester", province_code="80", unit="Ban quản lý chợ")
    web = browser(requester)
    response = post_page_form(
        web, "/tickets/new", "/tickets/new", {**FORM, "unit": "Minh Đức", "unit_code": MINH_DUC}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [ticket] = tickets_of(db)
    assert (ticket.unit_id, ticket.unit) == (listed[MINH_DUC].id, "Xã Minh Đức")


def test_filing_with_a_typed_name_matches_it_or_keeps_it(db, browser, make_user, listed):
    web = browser(make_user("requester", province_code="80"))
    for typed in ("UBND phường Chơn Thành", "Văn phòng đăng ký đất đai"):
        response = post_page_form(web, "/tickets/new", "/tickets/new", {**FORM, "unit": typed})
        assert response.status_code == 302, response.get_data(as_text=True)
    matched, kept = tickets_of(db)
    assert (matched.unit_id, matched.unit) == (listed[CHON_THANH].id, "Phường Chơn Thành")
    assert (kept.unit_record.code, kept.unit_record.kind, kept.unit) == (
        None,
        UnitKind.UNLISTED,
        "Văn phòng đăng ký đất đai",
    )


def test_a_unit_code_of_another_province_is_refused_beside_the_unit(db, browser, official):
    web = browser(official)
    response = post_page_form(
        web, "/tickets/new", "/tickets/new", {**FORM, "unit": "Sài Gòn", "unit_code": SAI_GON}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a unit of the province from the list." in html
    assert 'aria-invalid="true"' in field_tag(html, "unit")
    assert 'value="Sài Gòn"' in field_tag(html, "unit")
    assert 'value="Không đăng nhập được tài khoản một cửa"' in html  # nothing lost
    assert tickets_of(db) == []


# ---------------------------------------------------------------- the API


def test_the_api_matches_a_unit_name_or_takes_a_code_and_answers_a_unit_object(
    api, db, official, listed
):
    token = create_token(official)
    by_name = api.post(
        "/api/v1/tickets", token, json={**TICKET, "unit": "ubnd phuong chon thanh"}, expect=201
    ).get_json()
    assert by_name["unit"] == {"code": CHON_THANH, "name": "Phường Chơn Thành"}
    by_code = api.post(
        "/api/v1/tickets", token, json={**TICKET, "unit_code": MINH_DUC}, expect=201
    ).get_json()
    assert by_code["unit"] == {"code": MINH_DUC, "name": "Xã Minh Đức"}
    kept = api.post(
        "/api/v1/tickets", token, json={**TICKET, "unit": "Tổ một cửa liên thông"}, expect=201
    ).get_json()
    assert kept["unit"] == {"code": None, "name": "Tổ một cửa liên thông"}
    none = api.post("/api/v1/tickets", token, json={**TICKET, "unit": ""}, expect=201).get_json()
    assert none["unit"] is None
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == by_code["number"]))
    assert ticket.unit_id == listed[MINH_DUC].id
    read = api.get(f"/api/v1/tickets/{by_name['number']}", token, expect=200).get_json()
    assert read["unit"] == {"code": CHON_THANH, "name": "Phường Chơn Thành"}


@pytest.mark.parametrize("code", [SAI_GON, "99999"])
def test_the_api_refuses_a_unit_code_of_another_province_or_unknown(api, db, official, code):
    token = create_token(official)
    response = api.post("/api/v1/tickets", token, json={**TICKET, "unit_code": code}, expect=422)
    assert set(response.get_json()["error"]["fields"]) == {"unit_code"}
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_the_api_lists_the_tickets_of_a_unit(api, make_user, make_agent, official, file_ticket):
    other = make_user("requester", province_code="80", unit_code=MINH_DUC)
    mine = file_ticket(official, province="80", unit="", unit_code=CHON_THANH)
    file_ticket(other, province="80", unit="Xã Minh Đức")
    file_ticket(other, province="80", unit="")
    token = create_token(make_agent())
    page = api.get(f"/api/v1/tickets?unit={CHON_THANH}", token, expect=200).get_json()
    assert [item["number"] for item in page["items"]] == [mine.number]
    assert page["items"][0]["unit"] == {"code": CHON_THANH, "name": "Phường Chơn Thành"}
    every = api.get("/api/v1/tickets", token, expect=200).get_json()["items"]
    assert sorted(str(item["unit"] and item["unit"]["code"]) for item in every) == [
        "None",
        CHON_THANH,
        MINH_DUC,
    ]
    refused = api.get("/api/v1/tickets?unit=99999", token, expect=422).get_json()
    assert set(refused["error"]["fields"]) == {"unit"}


# ---------------------------------------------------------------- the queue and the search


def test_the_queue_filters_by_a_unit_of_the_chosen_province(
    browser, make_user, make_agent, official, file_ticket
):
    other = make_user("requester", province_code="80", unit_code=MINH_DUC)
    mine = file_ticket(official, province="80", unit="", unit_code=CHON_THANH)
    theirs = file_ticket(other, province="80", unit="")
    web = browser(make_agent())
    html = web.get(f"/tickets/queue?province=80&unit={CHON_THANH}").get_data(as_text=True)
    assert f'data-number="{mine.number}"' in html
    assert f'data-number="{theirs.number}"' not in html
    assert f'<option selected value="{CHON_THANH}">Phường Chơn Thành</option>' in html
    assert f'<option value="{MINH_DUC}">Xã Minh Đức</option>' in html
    assert 'data-filter="unit"' in html
    # A link naming the unit alone (no province) filters too.
    alone = web.get(f"/tickets/queue?unit={CHON_THANH}").get_data(as_text=True)
    assert f'data-number="{mine.number}"' in alone
    assert f'data-number="{theirs.number}"' not in alone


def test_the_queue_shows_each_tickets_unit(browser, make_agent, official, file_ticket):
    ticket = file_ticket(official, province="80", unit="", unit_code=CHON_THANH)
    html = browser(make_agent()).get("/tickets/queue").get_data(as_text=True)
    row = html.split(f'data-number="{ticket.number}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="queue-place">Phường Chơn Thành</td>' in row


def test_the_queue_filtered_by_a_unit_costs_the_same_for_few_and_many_tickets(
    browser, make_agent, official, file_ticket, count_queries
):
    web = browser(make_agent())
    url = f"/tickets/queue?province=80&unit={CHON_THANH}"
    file_ticket(official, province="80", unit="", unit_code=CHON_THANH)
    few = statements_for(web, url, count_queries)
    for _ in range(6):
        file_ticket(official, province="80", unit="", unit_code=CHON_THANH)
    assert statements_for(web, url, count_queries) == few


def test_a_communes_name_is_found_without_diacritics(
    browser, make_agent, official, file_ticket, db
):
    ticket = file_ticket(official, province="80", unit="", unit_code=CHON_THANH)
    other = file_ticket(official, province="80", unit="Xã Minh Đức")
    staff = browser(make_agent()).get("/tickets/queue?q=chon+thanh").get_data(as_text=True)
    assert f'data-number="{ticket.number}"' in staff
    assert f'data-number="{other.number}"' not in staff
    mine = browser(official).get("/tickets/?q=CHON+THANH").get_data(as_text=True)
    assert ticket.number in mine
    assert other.number not in mine
    assert "Phường Chơn Thành" in mine  # the list shows the unit beside the province
    assert fresh(db, ticket).unit == "Phường Chơn Thành"
