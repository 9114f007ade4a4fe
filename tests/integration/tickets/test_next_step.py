"""The requester's ticket page says what happens next: the deadlines in plain words, the team
that has the ticket (never a person's name), and the progress line with the current step."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from helpdesk.i18n import due_phrase
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.timeutil import utcnow

HIDDEN_AGENT = "Trần Thị Ẩn Danh"
NOTE_WRITER = "Lê Văn Ghi Chú"


@pytest.fixture
def official(make_user):
    """A requester reading the pages in Vietnamese."""
    return make_user("requester", province_code="75", unit="UBND phường Trấn Biên", language="vi")


@pytest.fixture
def agent(make_agent, db):
    user = make_agent("moj-it", ("75",))
    user.full_name = HIDDEN_AGENT
    db.session.commit()
    return user


def block(html: str, testid: str) -> str:
    """The element marked with that data-testid, up to its closing tag (sections and lists
    here hold no element of their own kind)."""
    found = re.search(rf'<(section|ol)[^>]*data-testid="{testid}".*?</\1>', html, flags=re.DOTALL)
    assert found, f"no {testid} on the page"
    return re.sub(r"\s+", " ", found.group(0))


def current_step(html: str) -> str:
    progress = block(html, "progress")
    steps = re.findall(r'<li [^>]*data-step="(\w+)"([^>]*)>', progress)
    assert len(steps) == 5
    current = [step for step, attributes in steps if 'aria-current="step"' in attributes]
    assert len(current) == 1, progress
    return current[0]


def page(client, ticket) -> str:
    response = client.get(f"/tickets/{ticket.number}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def said(app, instant, language: str = "vi") -> str:
    with app.test_request_context(), force_locale(language):
        return due_phrase(instant, utcnow())


def set_deadlines(db, ticket: Ticket, *, first_response=None, resolution=None) -> Ticket:
    ticket.first_response_due = first_response
    ticket.resolution_due = resolution
    db.session.commit()
    return ticket


def test_a_new_ticket_says_when_the_team_will_respond_and_who_has_it(
    app, db, browser, official, file_ticket
):
    ticket = file_ticket(official)
    now = utcnow()
    set_deadlines(
        db, ticket, first_response=now + timedelta(hours=3), resolution=now + timedelta(days=3)
    )
    html = page(browser(official), ticket)
    next_step = block(html, "next-step")
    first = said(app, ticket.first_response_due)
    assert f"Bộ phận hỗ trợ sẽ phản hồi trước {first}." in next_step
    assert f"Dự kiến giải quyết xong trước {said(app, ticket.resolution_due)}." in next_step
    assert f"Bộ phận xử lý: {ticket.queue.name}" in next_step
    assert current_step(html) == "filed"
    assert "Đã gửi" in block(html, "progress") and "Đã tiếp nhận" in block(html, "progress")


def test_tomorrow_and_later_days_are_written_the_vietnamese_way(
    app, db, browser, official, file_ticket
):
    ticket = file_ticket(official)
    later = utcnow() + timedelta(days=9)
    set_deadlines(db, ticket, first_response=later, resolution=later + timedelta(days=1))
    next_step = block(page(browser(official), ticket), "next-step")
    local = later.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert f"trước {local:%H:%M} thứ " in next_step or f"trước {local:%H:%M} Chủ nhật" in next_step
    assert f"{local:%d/%m/%Y}" in next_step


def test_in_english_the_block_speaks_english(app, db, browser, requester, file_ticket):
    ticket = file_ticket(requester)
    set_deadlines(db, ticket, first_response=utcnow() + timedelta(hours=2))
    next_step = block(page(browser(requester), ticket), "next-step")
    first = said(app, ticket.first_response_due, "en")
    assert f"The support team will respond before {first}." in next_step
    assert "Bộ phận" not in next_step


def test_once_answered_it_says_so_and_gives_the_resolution_deadline(
    app, db, browser, official, agent, file_ticket
):
    ticket = file_ticket(official)
    tickets.add_message(agent, ticket, "Chúng tôi đang kiểm tra.")
    set_deadlines(
        db,
        ticket,
        first_response=utcnow() - timedelta(hours=1),
        resolution=utcnow() + timedelta(days=2),
    )
    html = page(browser(official), ticket)
    next_step = block(html, "next-step")
    assert "Bộ phận hỗ trợ đã phản hồi." in next_step
    assert "sẽ phản hồi trước" not in next_step
    assert f"Dự kiến giải quyết xong trước {said(app, ticket.resolution_due)}." in next_step
    assert current_step(html) in ("received", "in_progress")


def test_an_open_ticket_is_in_progress_and_a_late_answer_is_not_hidden(
    app, db, browser, official, agent, make_user, file_ticket
):
    ticket = file_ticket(official)
    tickets.change_status(make_user("admin"), ticket, "open")
    set_deadlines(db, ticket, first_response=utcnow() - timedelta(minutes=30))
    html = page(browser(official), ticket)
    next_step = block(html, "next-step")
    assert f"Thời hạn phản hồi ({said(app, ticket.first_response_due)}) đã qua" in next_step
    assert current_step(html) == "in_progress"


def test_waiting_on_the_requester_says_the_clock_is_paused_and_what_to_do(
    db, browser, official, agent, file_ticket
):
    ticket = file_ticket(official)
    tickets.add_message(agent, ticket, "Anh/chị gửi giúp ảnh chụp màn hình lỗi.")
    tickets.change_status(agent, ticket, "waiting_requester")
    html = page(browser(official), ticket)
    next_step = block(html, "next-step")
    assert "đang chờ bạn trả lời" in next_step and "tạm dừng" in next_step
    assert "trả lời bên dưới" in next_step
    assert 'href="#reply"' in next_step and 'id="reply"' in html
    assert "Dự kiến giải quyết" not in next_step
    assert current_step(html) == "in_progress"


def test_a_resolved_ticket_can_be_confirmed_or_reopened_until_a_date(
    app, db, browser, official, make_user, file_ticket
):
    ticket = file_ticket(official)
    tickets.change_status(make_user("admin"), ticket, "resolved", resolution="Đã xử lý xong.")
    html = page(browser(official), ticket)
    next_step = block(html, "next-step")
    until = ticket.resolved_at + timedelta(days=7)
    assert "đã đánh dấu vấn đề là đã được giải quyết" in next_step
    assert f"mở lại yêu cầu nếu chưa, cho đến {said(app, until)}." in next_step
    assert current_step(html) == "resolved"


def test_a_closed_ticket_has_nothing_pending(db, browser, official, make_user, file_ticket):
    ticket = file_ticket(official)
    tickets.change_status(make_user("admin"), ticket, "resolved", resolution="Đã xử lý xong.")
    tickets.confirm_resolution(official, ticket)
    html = page(browser(official), ticket)
    next_step = block(html, "next-step")
    assert "Yêu cầu đã đóng; không còn việc gì đang chờ." in next_step
    assert "Bộ phận xử lý" not in next_step
    assert current_step(html) == "closed"


def test_the_requester_never_sees_the_name_of_who_holds_it_or_writes_notes(
    db, browser, official, agent, make_agent, file_ticket
):
    writer = make_agent("moj-it", ("75",))
    writer.full_name = NOTE_WRITER
    db.session.commit()
    ticket = file_ticket(official)
    tickets.assign(agent, ticket, agent)
    tickets.add_message(writer, ticket, "Ghi chú nội bộ.", internal=True)
    html = page(browser(official), ticket)
    assert HIDDEN_AGENT not in html and NOTE_WRITER not in html
    assert ticket.queue.name in block(html, "next-step")
    assert current_step(html) == "received"
    staff_html = page(browser(agent), ticket)  # staff still see who holds it, and no block
    assert HIDDEN_AGENT in staff_html and NOTE_WRITER in staff_html
    assert 'data-testid="next-step"' not in staff_html
    assert current_step(staff_html) == "received"
