"""Canned replies /tickets/canned: supervisors and admins manage them, agents only use them."""

from __future__ import annotations

import pytest
from integration.tickets.page_helpers import is_invalid, post_page_form
from sqlalchemy import select

from helpdesk.tickets.canned_models import CannedReply


@pytest.fixture
def supervisor(db, make_agent, queue_by_code):
    user = make_agent("", role="supervisor")
    queue_by_code("moj-it").supervisor_id = user.id
    db.session.commit()
    return user


def replies(db) -> list[tuple]:
    db.session.expire_all()
    rows = db.session.scalars(select(CannedReply).order_by(CannedReply.id))
    return [(r.title, r.body, r.queue_id) for r in rows]


def test_a_supervisor_creates_edits_and_deletes_a_canned_reply(
    db, browser, supervisor, queue_by_code
):
    client = browser(supervisor)
    queue_id = queue_by_code("moj-it").id
    created = post_page_form(
        client,
        "/tickets/canned/new",
        "/tickets/canned/new",
        {"title": "Đã cấp quyền", "body": "Đã cấp lại quyền.", "queue": str(queue_id)},
    )
    assert created.status_code == 302
    assert replies(db) == [("Đã cấp quyền", "Đã cấp lại quyền.", queue_id)]
    canned_id = db.session.scalar(select(CannedReply.id))
    assert "Đã cấp quyền" in client.get("/tickets/canned").get_data(as_text=True)
    url = f"/tickets/canned/{canned_id}"
    edited = post_page_form(client, url, url, {"title": "Cấp quyền", "body": "Xong.", "queue": ""})
    assert edited.status_code == 302
    assert replies(db) == [("Cấp quyền", "Xong.", None)]
    deleted = post_page_form(client, "/tickets/canned", f"{url}/delete", {})
    assert deleted.status_code == 302
    assert replies(db) == []


def test_a_canned_reply_with_control_characters_is_refused(db, browser, supervisor):
    response = post_page_form(
        browser(supervisor),
        "/tickets/canned/new",
        "/tickets/canned/new",
        {"title": "Tiêu\x00đề", "body": "Nội dung", "queue": ""},
    )
    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), "title")
    assert replies(db) == []


def test_a_supervisor_cannot_use_another_teams_queue(db, browser, supervisor, queue_by_code):
    other = queue_by_code("moh-it").id
    response = post_page_form(
        browser(supervisor),
        "/tickets/canned/new",
        "/tickets/canned/new",
        {"title": "Bộ Y tế", "body": "Riêng.", "queue": str(other)},
    )
    assert response.status_code == 422
    assert replies(db) == []


def test_agents_do_not_manage_canned_replies(db, browser, make_agent):
    db.session.add(CannedReply(title="Chung", body="Cho mọi hàng đợi."))
    db.session.commit()
    canned_id = db.session.scalar(select(CannedReply.id))
    client = browser(make_agent("moj-it"))
    assert client.get("/tickets/canned").status_code == 404
    assert client.get(f"/tickets/canned/{canned_id}").status_code == 404
    assert client.get("/tickets/canned/new").status_code == 404
