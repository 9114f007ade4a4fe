"""Search: Vietnamese without diacritics and in any case, numbers, messages, internal notes for
staff only, no leaks across permissions, LIKE's own characters taken literally.

Each test runs twice: through `tickets.services.list_tickets` and through GET /api/v1/tickets.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.auth.services import create_token
from helpdesk.routing.models import Membership, MembershipProvince, Queue
from helpdesk.tickets import services as tickets

BASE = {
    "system": "moj",
    "category": "account",
    "province": "75",
    "subject": "Yêu cầu hỗ trợ",
    "description": "Cán bộ cần hỗ trợ.",
}


@pytest.fixture(params=["service", "api"])
def search(request, client):
    """search(user, q) -> the numbers of the tickets the user finds."""
    tokens: dict[int, str] = {}

    def through_service(user, q: str) -> set[str]:
        found = tickets.list_tickets(user, tickets.TicketFilters(q=q), per_page=100)
        return {ticket.number for ticket in found.items}

    def through_api(user, q: str) -> set[str]:
        if user.id not in tokens:
            tokens[user.id] = create_token(user)
        response = client.get(
            "/api/v1/tickets",
            query_string={"q": q, "per_page": 100},
            headers={"Authorization": f"Bearer {tokens[user.id]}"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return {item["number"] for item in response.get_json()["items"]}

    return through_service if request.param == "service" else through_api


@pytest.fixture
def file_ticket(db):
    def file(requester, **fields):
        return tickets.create_ticket(requester, tickets.TicketDraft(**{**BASE, **fields}))

    return file


@pytest.fixture
def make_agent(db, make_user):
    def make(queue_code: str = "moj-it", provinces: tuple[str, ...] = ()):
        user = make_user("agent")
        queue = db.session.scalar(select(Queue).where(Queue.code == queue_code))
        membership = Membership(queue_id=queue.id, user_id=user.id, all_provinces=not provinces)
        membership.coverage = [MembershipProvince(province_code=code) for code in provinces]
        db.session.add(membership)
        db.session.commit()
        return user

    return make


@pytest.fixture
def desk(make_user, make_agent, file_ticket):
    """Two requesters with look-alike tickets; an agent who wrote a reply and a note."""
    a, b = make_user("requester"), make_user("requester")
    agent = make_agent("moj-it", provinces=("75",))
    dong_nai = file_ticket(a, subject="Lỗi tiếp nhận hồ sơ tại Đồng Nai")
    payment = file_ticket(a, subject="Tiền thanh toán trực tuyến chưa về tài khoản")
    theirs = file_ticket(b, subject="Đồng Nai: thanh toán bị lỗi")
    tickets.add_message(agent, dong_nai, "Đã cấp lại biên lai điện tử cho đơn vị.")
    tickets.add_message(agent, payment, "Nhà cung cấp đang đối soát giao dịch", internal=True)
    return {
        "a": a,
        "b": b,
        "agent": agent,
        "dong_nai": dong_nai.number,
        "payment": payment.number,
        "theirs": theirs.number,
    }


@pytest.mark.parametrize(
    "query", ["dong nai", "DONG NAI", "Đồng Nai", "ĐỒNG NAI", "  dong   nai ", "nai dong"]
)
def test_words_are_found_without_diacritics_and_in_any_case(search, desk, query):
    assert search(desk["a"], query) == {desk["dong_nai"]}


@pytest.mark.parametrize("query", ["thanh toan", "THANH TOÁN", "truc tuyen", "thanh toán"])
def test_thanh_toan_finds_thanh_toan_with_its_accents(search, desk, query):
    assert search(desk["a"], query) == {desk["payment"]}


def test_every_word_must_match(search, desk):
    assert search(desk["b"], "dong nai thanh toan") == {desk["theirs"]}
    assert search(desk["a"], "dong nai thanh toan") == set()


@pytest.mark.parametrize("shape", [str, str.lower])
def test_a_ticket_is_found_by_its_number(search, desk, shape):
    assert search(desk["a"], shape(desk["payment"])) == {desk["payment"]}


def test_words_of_a_public_reply_are_found_by_requester_and_agent(search, desk):
    assert search(desk["a"], "bien lai dien tu") == {desk["dong_nai"]}
    assert search(desk["agent"], "BIÊN LAI") == {desk["dong_nai"]}


def test_internal_note_words_are_found_by_staff_only(search, desk):
    assert search(desk["agent"], "nha cung cap doi soat") == {desk["payment"]}
    assert search(desk["a"], "nha cung cap doi soat") == set()
    assert search(desk["a"], "doi soat") == set()


def test_a_requester_never_finds_another_requesters_tickets(search, desk):
    assert search(desk["a"], "dong nai") == {desk["dong_nai"]}
    assert search(desk["b"], "dong nai") == {desk["theirs"]}
    assert search(desk["a"], desk["theirs"]) == set()
    assert desk["theirs"] not in search(desk["a"], "")


def test_agents_find_only_their_queues_and_provinces(search, desk, make_agent, file_ticket):
    hanoi = file_ticket(desk["b"], subject="Đồng Nai chuyển hồ sơ ra Hà Nội", province="01")
    assert search(desk["agent"], "dong nai") == {desk["dong_nai"], desk["theirs"]}
    other_province = make_agent("moj-it", provinces=("01",))
    assert search(other_province, "dong nai") == {hanoi.number}
    assert search(make_agent("moha-it"), "dong nai") == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("100%", {"percent"}),
        ("%", {"percent"}),
        ("tthc_01", {"underscore"}),
        ("_", {"underscore"}),
        ("\\", {"backslash"}),
        ("giam 1000", {"plain"}),
    ],
)
def test_like_characters_in_the_query_are_literal(search, make_user, file_ticket, query, expected):
    requester = make_user("requester")
    numbers = {
        "percent": file_ticket(requester, subject="Giảm 100% lệ phí").number,
        "plain": file_ticket(requester, subject="Giảm 1000 đồng lệ phí").number,
        "underscore": file_ticket(requester, subject="Thủ tục mã TTHC_01").number,
        "lookalike": file_ticket(requester, subject="Thủ tục mã TTHCX01").number,
        "backslash": file_ticket(requester, subject="Đường dẫn C:\\hoso").number,
    }
    assert search(requester, query) == {numbers[name] for name in expected}


def test_a_ticket_is_found_by_the_digits_of_its_number(search, desk):
    assert search(desk["a"], desk["payment"].rsplit("-", 1)[1]) == {desk["payment"]}


@pytest.fixture
def through_the_index(monkeypatch):
    """PostgreSQL finds every branch's matches through the full-text indexes, not by reading."""
    from helpdesk.tickets.services import postgres as listing

    monkeypatch.setattr(listing, "SEARCH_HEAD", 1)
    monkeypatch.setattr(listing, "SEARCH_SCAN", 1)


def test_messages_and_notes_count_the_same_through_the_index(search, desk, through_the_index):
    assert search(desk["a"], "bien lai dien tu") == {desk["dong_nai"]}
    assert search(desk["agent"], "nha cung cap doi soat") == {desk["payment"]}
    assert search(desk["a"], "doi soat") == set()
    assert search(desk["agent"], "dong nai") == {desk["dong_nai"], desk["theirs"]}
    assert search(desk["b"], desk["dong_nai"]) == set()


@pytest.mark.parametrize(("head", "scan"), [(2, 2), (4, 100), (100, 2), (100, 100)])
def test_a_search_pages_its_matches_in_queue_order_whichever_way_it_reads(
    monkeypatch, make_user, make_agent, file_ticket, head, scan
):
    # Read in queue order, the first `head` tickets may hold the page, part of it or none of
    # it; the count reads the branch or asks the index: every way gives the same pages.
    from helpdesk.tickets.services import postgres as listing

    monkeypatch.setattr(listing, "SEARCH_HEAD", head)
    monkeypatch.setattr(listing, "SEARCH_SCAN", scan)
    requester, agent = make_user("requester"), make_agent("moj-it", provinces=("75",))
    filed = [file_ticket(requester, subject=f"Hồ sơ số {n} bị trả lại") for n in range(9)]
    filed[3] = file_ticket(requester, subject="Đã thanh toán hai lần")
    tickets.add_message(agent, filed[6], "Đã thanh toán lại cho công dân.")
    tickets.add_message(agent, filed[8], "Chờ thanh toán", internal=True)
    matching = {filed[n].number for n in (3, 6, 8)}
    queue = tickets.list_tickets(agent, tickets.TicketFilters(), per_page=100).items
    expected = [ticket.number for ticket in queue if ticket.number in matching]

    def listed(page: int):
        found = tickets.list_tickets(
            agent, tickets.TicketFilters(q="thanh toan"), page=page, per_page=2, count_limit=10
        )
        return [ticket.number for ticket in found.items], found.total, found.has_next

    assert listed(1) == (expected[:2], 3, True)
    assert listed(2) == (expected[2:], 3, False)
