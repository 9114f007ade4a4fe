"""The requester's side: my tickets, the ticket page, replies, confirming, reopening, rating,
and what never reaches a requester (other people's tickets, internal notes)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from integration.tickets.page_helpers import (
    PNG,
    download,
    fresh,
    is_invalid,
    page_of,
    post_page_form,
)
from sqlalchemy import func, select

from helpdesk import storage
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Message
from helpdesk.timeutil import utcnow

# A different image (GIF), so its file is not the PNG filed with the ticket.
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"  # noqa: E501


@pytest.fixture
def admin(make_user):
    return make_user("admin", language="en")


@pytest.fixture
def resolve(db, admin):
    """Mark a ticket resolved (by an admin), `days_ago` days ago."""

    def mark(ticket, *, days_ago: float = 0):
        return tickets.change_status(
            admin,
            ticket,
            "resolved",
            now=utcnow() - timedelta(days=days_ago),
            resolution="Đã xử lý xong.",
        )

    return mark


# ---------------------------------------------------------------- my tickets


def test_my_tickets_lists_only_my_own(browser, requester, other_requester, file_ticket):
    mine = file_ticket(requester, subject="Của tôi")
    theirs = file_ticket(other_requester, subject="Của người khác")
    html = browser(requester).get("/tickets/").get_data(as_text=True)
    assert f'data-number="{mine.number}"' in html
    assert theirs.number not in html


def test_my_tickets_filters_by_status(browser, requester, file_ticket, resolve):
    still_open = file_ticket(requester)
    resolved = resolve(file_ticket(requester))
    client = browser(requester)
    pages = {
        status: client.get(f"/tickets/?status={status}").get_data(as_text=True)
        for status in ("open", "resolved", "closed", "all")
    }
    assert still_open.number in pages["open"] and resolved.number not in pages["open"]
    assert resolved.number in pages["resolved"] and still_open.number not in pages["resolved"]
    assert still_open.number not in pages["closed"] and resolved.number not in pages["closed"]
    assert still_open.number in pages["all"] and resolved.number in pages["all"]


def test_my_tickets_are_paginated(browser, requester, file_ticket):
    numbers = [file_ticket(requester, subject=f"Vấn đề {n}").number for n in range(21)]
    client = browser(requester)
    first = client.get("/tickets/").get_data(as_text=True)
    second = client.get("/tickets/?page=2").get_data(as_text=True)
    assert numbers[-1] in first and numbers[0] not in first  # newest first, 20 a page
    assert numbers[0] in second
    assert 'href="/tickets/?page=2&amp;status=all"' in first


def test_staff_are_sent_from_my_tickets_to_the_queue(browser, make_agent):
    response = browser(make_agent()).get("/tickets/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/tickets/queue"


# ---------------------------------------------------------------- what a requester may see


def test_a_requester_gets_404_for_another_requesters_ticket_and_attachment(
    browser, requester, other_requester, file_ticket
):
    theirs = file_ticket(other_requester, attachments=[("anh.png", PNG)])
    client = browser(requester)
    assert client.get(f"/tickets/{theirs.number}").status_code == 404
    url = f"/tickets/{theirs.number}/attachments/{theirs.attachments[0].id}"
    assert download(client, url).status_code == 404
    assert download(browser(other_requester), url).status_code == 200


def test_an_attachment_is_not_found_under_another_tickets_number(browser, requester, file_ticket):
    with_file = file_ticket(requester, attachments=[("anh.png", PNG)])
    other = file_ticket(requester)
    url = f"/tickets/{other.number}/attachments/{with_file.attachments[0].id}"
    assert download(browser(requester), url).status_code == 404


def test_attachments_are_served_as_downloads_the_browser_may_not_interpret(
    browser, requester, file_ticket
):
    ticket = file_ticket(requester, attachments=[("<b>ảnh</b>.png", PNG)])
    url = f"/tickets/{ticket.number}/attachments/{ticket.attachments[0].id}"
    response = download(browser(requester), url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_a_malformed_ticket_number_is_404(browser, requester):
    client = browser(requester)
    assert client.get("/tickets/HT-2026%00-1").status_code == 404
    assert client.get("/tickets/" + "9" * 40).status_code == 404


def test_internal_notes_and_their_files_never_reach_the_requester(
    browser, requester, file_ticket, make_agent
):
    agent = make_agent("moj-it", ("75",))
    ticket = file_ticket(requester)
    tickets.add_message(agent, ticket, "Trả lời công khai cho cán bộ.")
    note = tickets.add_message(
        agent,
        ticket,
        "Ghi chú nội bộ: lỗi do cấu hình của nhà cung cấp.",
        internal=True,
        uploads=(storage.Upload("nhat-ky.gif", GIF),),
    )
    url = f"/tickets/{ticket.number}/attachments/{note.attachments[0].id}"
    client = browser(requester)
    html = page_of(client, ticket)
    assert "Trả lời công khai cho cán bộ." in html
    assert "Ghi chú nội bộ" not in html
    assert "nhat-ky.gif" not in html
    assert url not in html
    assert download(client, url).status_code == 404
    staff_client = browser(agent)
    assert "Ghi chú nội bộ" in page_of(staff_client, ticket)
    assert download(staff_client, url).status_code == 200


# ---------------------------------------------------------------- replies


def test_a_requester_replies_with_an_attachment(db, browser, requester, file_ticket):
    ticket = file_ticket(requester)
    client = browser(requester)
    page = f"/tickets/{ticket.number}"
    response = post_page_form(
        client,
        page,
        f"{page}/reply",
        {"body": "Bổ sung ảnh chụp màn hình.", "attachments": [(io.BytesIO(GIF), "bo-sung.gif")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    html = page_of(client, ticket)
    assert "Bổ sung ảnh chụp màn hình." in html
    assert "bo-sung.gif" in html
    (message,) = fresh(db, ticket).messages
    assert not message.internal


def test_an_empty_reply_is_refused_beside_the_box(db, browser, requester, file_ticket):
    ticket = file_ticket(requester)
    page = f"/tickets/{ticket.number}"
    response = post_page_form(browser(requester), page, f"{page}/reply", {"body": "  "})
    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), "body")
    assert fresh(db, ticket).messages == []


def test_a_reply_with_a_nul_character_is_refused_and_saves_nothing(
    db, browser, requester, file_ticket
):
    ticket = file_ticket(requester)
    page = f"/tickets/{ticket.number}"
    response = post_page_form(browser(requester), page, f"{page}/reply", {"body": "a\x00b"})
    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), "body")
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_a_long_reply_is_accepted(db, browser, requester, file_ticket):
    ticket = file_ticket(requester)
    page = f"/tickets/{ticket.number}"
    body = "Mô tả chi tiết. " * 100  # 1,600 characters
    response = post_page_form(browser(requester), page, f"{page}/reply", {"body": body})
    assert response.status_code == 302
    assert fresh(db, ticket).messages[0].body == body.strip()


def test_a_requester_cannot_add_an_internal_note(db, browser, requester, file_ticket):
    ticket = file_ticket(requester)
    page = f"/tickets/{ticket.number}"
    response = post_page_form(browser(requester), page, f"{page}/note", {"note": "Bí mật"})
    assert response.status_code == 404
    assert fresh(db, ticket).messages == []


# ---------------------------------------------------------------- after the resolution


def test_the_page_from_the_mail_link_changes_nothing(db, browser, requester, file_ticket, resolve):
    ticket = resolve(file_ticket(requester))
    version = fresh(db, ticket).version
    html = page_of(browser(requester), ticket)
    assert 'data-testid="requester-actions"' in html
    ticket = fresh(db, ticket)
    assert (ticket.status, ticket.version) == ("resolved", version)


def test_confirming_the_resolution_closes_the_ticket(db, browser, requester, file_ticket, resolve):
    ticket = resolve(file_ticket(requester))
    page = f"/tickets/{ticket.number}"
    response = post_page_form(browser(requester), page, f"{page}/confirm", {})
    assert response.status_code == 302
    assert fresh(db, ticket).status == "closed"


def test_confirming_an_open_ticket_changes_nothing(db, browser, requester, file_ticket):
    ticket = file_ticket(requester)
    page = f"/tickets/{ticket.number}"
    post_page_form(browser(requester), page, f"{page}/confirm", {})
    assert fresh(db, ticket).status == "new"


def test_reopening_within_the_window_opens_the_ticket_with_the_reason(
    db, browser, requester, file_ticket, resolve
):
    ticket = resolve(file_ticket(requester), days_ago=2)
    page = f"/tickets/{ticket.number}"
    response = post_page_form(
        browser(requester), page, f"{page}/reopen", {"reopen_reason": "Vẫn chưa nhận được tiền."}
    )
    assert response.status_code == 302
    ticket = fresh(db, ticket)
    assert ticket.status == "open"
    assert [m.body for m in ticket.messages] == ["Vẫn chưa nhận được tiền."]


def test_reopening_after_the_window_is_refused(db, browser, requester, file_ticket, resolve):
    ticket = resolve(file_ticket(requester), days_ago=30)
    page = f"/tickets/{ticket.number}"
    client = browser(requester)
    assert "reopen-form" not in page_of(client, ticket)
    response = post_page_form(client, page, f"{page}/reopen", {"reopen_reason": "Vẫn lỗi"})
    assert response.status_code == 302
    assert "can no longer be reopened" in page_of(client, ticket)
    assert fresh(db, ticket).status == "resolved"


def test_a_resolved_ticket_is_rated_once(db, browser, requester, file_ticket, resolve):
    ticket = resolve(file_ticket(requester))
    page = f"/tickets/{ticket.number}"
    client = browser(requester)
    first = post_page_form(client, page, f"{page}/rate", {"rating": "5", "comment": "Nhanh."})
    assert first.status_code == 302
    second = post_page_form(client, page, f"{page}/rate", {"rating": "1", "comment": "Đổi ý"})
    assert second.status_code == 302
    ticket = fresh(db, ticket)
    assert (ticket.rating, ticket.rating_comment) == (5, "Nhanh.")
    assert 'name="rating"' not in page_of(client, ticket)


def test_a_rating_out_of_range_is_refused(db, browser, requester, file_ticket, resolve):
    ticket = resolve(file_ticket(requester))
    page = f"/tickets/{ticket.number}"
    response = post_page_form(browser(requester), page, f"{page}/rate", {"rating": "9"})
    assert response.status_code == 422
    assert fresh(db, ticket).rating is None


def test_an_open_ticket_cannot_be_rated(db, browser, requester, file_ticket):
    ticket = file_ticket(requester)
    page = f"/tickets/{ticket.number}"
    response = post_page_form(browser(requester), page, f"{page}/rate", {"rating": "4"})
    assert response.status_code == 422
    assert fresh(db, ticket).rating is None
