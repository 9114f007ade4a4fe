"""Requesters search their own tickets on /tickets/: words without diacritics, any status, the
number always finds its ticket, other people's tickets never."""

from __future__ import annotations

import re

import pytest

from helpdesk.tickets import services as tickets


@pytest.fixture
def admin(make_user):
    return make_user("admin", language="en")


def numbers_on(client, query: str) -> list[str]:
    response = client.get(f"/tickets/?{query}")
    assert response.status_code == 200
    return re.findall(r'data-number="([^"]+)"', response.get_data(as_text=True))


def status_of(html: str, number: str) -> str:
    """The status badge shown in the list item of that ticket."""
    found = re.search(rf'data-number="{number}">.*?data-status="(\w+)"', html, flags=re.DOTALL)
    assert found, number
    return found.group(1)


def test_words_find_my_tickets_without_diacritics_and_never_others(
    browser, requester, other_requester, file_ticket
):
    printer = file_ticket(requester, subject="Máy in không nhận lệnh", description="Lỗi máy in.")
    other = file_ticket(requester, subject="Không đăng nhập được")
    theirs = file_ticket(other_requester, subject="Máy in hỏng", description="Máy in hỏng.")
    client = browser(requester)
    assert numbers_on(client, "q=may+in") == [printer.number]
    assert numbers_on(client, "q=MÁY+IN") == [printer.number]
    assert theirs.number not in numbers_on(client, "q=hong")
    assert numbers_on(client, f"q={theirs.number}") == []
    assert set(numbers_on(client, "")) == {printer.number, other.number}


def test_description_words_find_a_ticket(browser, requester, file_ticket):
    ticket = file_ticket(requester, subject="Sự cố", description="Hồ sơ bị treo ở bước thẩm định.")
    file_ticket(requester, subject="Sự cố khác", description="Không liên quan.")
    assert numbers_on(browser(requester), "q=tham+dinh") == [ticket.number]


def test_a_number_finds_its_ticket_whatever_the_status_filter(
    browser, requester, admin, file_ticket
):
    ticket = file_ticket(requester)
    file_ticket(requester)
    tickets.change_status(admin, ticket, "resolved", resolution="Đã xử lý xong.")
    tickets.confirm_resolution(requester, ticket)
    client = browser(requester)
    assert numbers_on(client, f"q={ticket.number}") == [ticket.number]
    assert numbers_on(client, f"q={ticket.number.lower()}") == [ticket.number]
    assert numbers_on(client, f"status=open&q={ticket.number}") == [ticket.number]
    assert numbers_on(client, f"q={ticket.number.rsplit('-', 1)[1]}") == [ticket.number]


def test_closed_tickets_are_found_with_their_status_shown(browser, requester, admin, file_ticket):
    closed = file_ticket(requester, subject="Cổng dịch vụ công chậm")
    tickets.change_status(admin, closed, "resolved", resolution="Đã xử lý xong.")
    tickets.confirm_resolution(requester, closed)
    still_open = file_ticket(requester, subject="Cổng dịch vụ công lỗi")
    client = browser(requester)
    html = client.get("/tickets/?q=cong+dich+vu").get_data(as_text=True)
    found = re.findall(r'data-number="([^"]+)"', html)
    assert set(found) == {closed.number, still_open.number}
    assert status_of(html, closed.number) == "closed"
    assert status_of(html, still_open.number) == "new"
    assert 'data-testid="search-note"' in html
    assert numbers_on(client, "q=cong+dich+vu&status=closed") == [closed.number]
    assert numbers_on(client, "q=cong+dich+vu&status=open") == [still_open.number]


def test_the_search_box_keeps_what_was_typed_and_says_when_nothing_matches(
    browser, requester, file_ticket
):
    file_ticket(requester)
    html = browser(requester).get("/tickets/?q=kh%C3%B4ng+c%C3%B3+g%C3%AC").get_data(as_text=True)
    assert 'value="không có gì"' in html
    assert "None of your tickets matches “không có gì”." in html
