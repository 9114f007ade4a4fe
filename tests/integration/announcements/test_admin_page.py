"""Admins post and end announcements; the home page shows the current ones to whom they are
for; nobody else reaches the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support import csrf_token, post_form

from helpdesk.announcements.models import Announcement
from helpdesk.timeutil import to_local, utcnow

PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - the make_user fixture's default
PAGE = "/admin/announcements/"


def post(client, **fields):
    data = {"title": "", "body": "", "audience": "everyone", "ends_on": "", **fields}
    return post_form(client, PAGE, data)


def announcement(db, title: str) -> Announcement:
    found = db.session.scalar(select(Announcement).where(Announcement.title == title))
    assert found is not None, title
    return found


def test_an_admin_posts_an_announcement_that_everyone_sees_at_home(db, browser, make_user):
    admin, official = make_user("admin"), make_user("requester")
    client = browser(admin, "vi")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Thông báo mới" in page and "Hiển thị cho" in page
    response = post(client, title="Bảo trì hệ thống", body="Tối thứ Bảy.\nTừ 20:00 đến 22:00.")
    assert response.status_code == 302
    assert "Bảo trì hệ thống" in client.get(PAGE).get_data(as_text=True)

    home = browser(official, "vi").get("/").get_data(as_text=True)
    assert 'data-testid="banners"' in home
    assert "Bảo trì hệ thống" in home and "Từ 20:00 đến 22:00." in home


def test_a_staff_only_announcement_is_not_shown_to_officials(db, browser, make_user):
    admin, official, agent = make_user("admin"), make_user("requester"), make_user("agent")
    assert post(browser(admin, "vi"), title="Họp giao ban", audience="staff").status_code == 302
    assert "Họp giao ban" in browser(agent, "vi").get("/").get_data(as_text=True)
    official_home = browser(official, "vi").get("/").get_data(as_text=True)
    assert "Họp giao ban" not in official_home
    assert 'data-testid="banners"' not in official_home


def test_an_ended_announcement_is_no_longer_shown(db, browser, make_user):
    admin, official = make_user("admin"), make_user("requester")
    client = browser(admin, "vi")
    post(client, title="Sự cố thanh toán")
    item = announcement(db, "Sự cố thanh toán")
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    response = client.post(f"{PAGE}{item.id}/end", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Sự cố thanh toán" not in browser(official, "vi").get("/").get_data(as_text=True)
    assert "Đã kết thúc" in client.get(PAGE).get_data(as_text=True)


def test_an_announcement_shows_until_the_end_of_its_last_day(app, db, browser, make_user):
    admin = make_user("admin")
    today = to_local(utcnow(), app.config["HELPDESK_TIMEZONE"]).date()
    post(browser(admin, "vi"), title="Đến hết hôm nay", ends_on=today.isoformat())
    ends_at = to_local(announcement(db, "Đến hết hôm nay").ends_at, app.config["HELPDESK_TIMEZONE"])
    assert (ends_at.date(), ends_at.hour, ends_at.minute) == (today + timedelta(days=1), 0, 0)


def test_a_bad_announcement_is_refused_beside_its_field_with_what_was_typed(db, browser, make_user):
    admin = make_user("admin")
    yesterday = (utcnow() - timedelta(days=2)).date().isoformat()
    response = post(browser(admin, "vi"), title="Đã qua", body="Giữ nguyên", ends_on=yesterday)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ngày kết thúc đã qua." in html
    assert 'value="Đã qua"' in html and "Giữ nguyên" in html
    assert db.session.scalar(select(Announcement.id)) is None


def test_the_page_refuses_a_post_without_its_csrf_token(db, browser, make_user):
    client = browser(make_user("admin"), "vi")
    response = client.post(PAGE, data={"title": "Không có mã", "audience": "everyone"})
    assert response.status_code in (200, 400, 422)
    assert db.session.scalar(select(Announcement.id)) is None


@pytest.mark.parametrize("role", ["requester", "unit_admin", "agent", "supervisor", "observer"])
def test_accounts_that_post_nothing_do_not_reach_the_page(db, browser, make_user, role):
    admin = make_user("admin")
    post(browser(admin, "vi"), title="Của quản trị")
    item = announcement(db, "Của quản trị")
    client = browser(make_user(role, province_code="79", unit="UBND phường Bến Nghé"), "vi")
    assert client.get(PAGE).status_code == 404
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post(PAGE, data={"title": "x", "csrf_token": token}).status_code == 404
    assert client.post(f"{PAGE}{item.id}/end", data={"csrf_token": token}).status_code == 404
    assert announcement(db, "Của quản trị").is_current(utcnow())


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
