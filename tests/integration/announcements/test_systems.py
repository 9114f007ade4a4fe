"""Announcements about a system: the ministry's IT staff post and end them for their own systems
only; banners show each reader the current ones of its audience, from their first day."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from support import csrf_token, post_form

from helpdesk import errors
from helpdesk.announcements import services
from helpdesk.announcements.models import Announcement
from helpdesk.announcements.services import AnnouncementDraft
from helpdesk.routing.models import Membership, Queue

PAGE = "/admin/announcements/"
# 10:00 on Monday 2 March 2026 in Hà Nội.
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def queue(db, code: str) -> Queue:
    found = db.session.scalar(select(Queue).where(Queue.code == code))
    assert found is not None, code
    return found


@pytest.fixture
def staff_of(db, make_user):
    """An agent (or supervisor) who is a member of the seeded queue of that code."""

    def make(code: str, role: str = "agent"):
        user = make_user(role)
        db.session.add(Membership(queue_id=queue(db, code).id, user_id=user.id, all_provinces=True))
        db.session.commit()
        return user

    return make


def post(client, **fields):
    data = {
        "title": "",
        "body": "",
        "audience": "everyone",
        "system": "",
        "starts_on": "",
        "ends_on": "",
        **fields,
    }
    return post_form(client, PAGE, data)


def posted(admin, title: str, *, now: datetime | None = None, **fields) -> Announcement:
    return services.post_announcement(admin, AnnouncementDraft(title=title, **fields), now=now)


def titles(items) -> set[str]:
    return {item.title for item in items}


def system_options(html: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="system".*?</select>', html, re.S).group(0)
    return re.findall(r'<option[^>]*value="([^"]*)"', select_html)


def test_an_it_agent_posts_for_its_system_only(db, browser, make_user, staff_of):
    agent = staff_of("moj-it")
    client = browser(agent, "vi")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert system_options(page.get_data(as_text=True)) == ["moj"]

    assert post(client, title="Bảo trì Bộ Tư pháp", system="moj").status_code == 302
    item = db.session.scalar(select(Announcement).where(Announcement.title == "Bảo trì Bộ Tư pháp"))
    assert item.system_code == "moj" and item.created_by_id == agent.id

    for system, message in (
        ("moha", "Bạn chỉ được đăng thông báo về các hệ thống thuộc hàng đợi của mình."),
        ("", "Chọn hệ thống mà thông báo nói đến."),
    ):
        response = post(client, title="Của hệ thống khác", system=system)
        assert response.status_code == 422
        beside = re.search(r'id="system-error-1">([^<]*)<', response.get_data(as_text=True))
        assert beside is not None and beside.group(1) == message
    assert (
        db.session.scalar(select(Announcement).where(Announcement.title == "Của hệ thống khác"))
        is None
    )


def test_an_it_agent_neither_sees_nor_ends_another_systems_announcements(
    db, browser, make_user, staff_of
):
    admin = make_user("admin")
    moha = posted(admin, "Sự cố Bộ Nội vụ", system="moha")
    every = posted(admin, "Bảo trì mọi hệ thống")
    moj = posted(admin, "Sự cố Bộ Tư pháp", system="moj")
    client = browser(staff_of("moj-it"), "vi")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Sự cố Bộ Tư pháp" in html
    assert "Sự cố Bộ Nội vụ" not in html and "Bảo trì mọi hệ thống" not in html

    token = csrf_token(html)
    for item in (moha, every):
        response = client.post(f"{PAGE}{item.id}/end", data={"csrf_token": token})
        assert response.status_code == 404
    assert client.post(f"{PAGE}{moj.id}/end", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert moha.ends_at is None and every.ends_at is None and moj.ends_at is not None


def test_an_it_supervisor_posts_too(browser, staff_of):
    client = browser(staff_of("moha-it", "supervisor"), "vi")
    assert system_options(client.get(PAGE).get_data(as_text=True)) == ["moha"]
    assert post(client, title="Nâng cấp", system="moha").status_code == 302


@pytest.mark.parametrize("who", ["requester", "vendor agent", "agent of no queue"])
def test_who_is_not_ministry_it_staff_gets_404(db, browser, make_user, staff_of, who):
    user = {
        "requester": lambda: make_user("requester"),
        "vendor agent": lambda: staff_of("moj-fpt"),
        "agent of no queue": lambda: make_user("agent"),
    }[who]()
    client = browser(user, "vi")
    assert client.get(PAGE).status_code == 404
    token = csrf_token(client.get("/").get_data(as_text=True))
    data = {"title": "Không được", "audience": "everyone", "system": "moj", "csrf_token": token}
    assert client.post(PAGE, data=data).status_code == 404
    assert db.session.scalar(select(Announcement.id)) is None


def test_an_admin_chooses_any_system_or_every_system(browser, make_user):
    client = browser(make_user("admin"), "vi")
    options = system_options(client.get(PAGE).get_data(as_text=True))
    assert options[0] == "" and {"moj", "moha"} <= set(options)
    assert post(client, title="Mọi hệ thống").status_code == 302
    response = post(client, title="Không có", system="khong-co")
    assert response.status_code == 422
    beside = re.search(r'id="system-error-1">([^<]*)<', response.get_data(as_text=True))
    assert beside is not None and beside.group(1) == "Vui lòng chọn hệ thống trong danh sách."


def test_an_unknown_system_is_refused_on_system(db, make_user):
    with pytest.raises(errors.Invalid) as refused:
        posted(make_user("admin"), "Không rõ", system="khong-co", now=NOW)
    assert refused.value.field == "system"


def test_a_future_start_is_not_shown_before_its_day(app, db, make_user):
    admin, official = make_user("admin"), make_user("requester")
    posted(admin, "Bảo trì thứ Tư", now=NOW, starts_on=date(2026, 3, 4), ends_on=date(2026, 3, 4))
    last_moment_before = datetime(2026, 3, 3, 16, 59, 59, tzinfo=UTC)  # 23:59:59 on the 3rd
    start = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)  # 00:00 on the 4th in Hà Nội
    end = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
    for reader in (official, admin):
        assert services.banners(reader, now=NOW) == []
        assert services.banners(reader, now=last_moment_before) == []
        assert titles(services.banners(reader, now=start)) == {"Bảo trì thứ Tư"}
        assert services.banners(reader, now=end) == []
    assert services.current_for(official, now=last_moment_before) == []
    assert titles(services.current_for(official, now=start)) == {"Bảo trì thứ Tư"}


def test_an_end_before_the_start_is_refused_on_ends_on(db, make_user):
    with pytest.raises(errors.Invalid) as refused:
        posted(
            make_user("admin"),
            "Ngược",
            now=NOW,
            starts_on=date(2026, 3, 5),
            ends_on=date(2026, 3, 4),
        )
    assert refused.value.field == "ends_on"
    assert refused.value.message == "Ngày kết thúc trước ngày bắt đầu."


def test_each_reader_sees_the_audiences_meant_for_it(db, client, make_user):
    admin, official, agent = make_user("admin"), make_user("requester"), make_user("agent")
    posted(admin, "Công khai", audience="public", now=NOW)
    posted(admin, "Mọi tài khoản", audience="everyone", now=NOW)
    posted(admin, "Cán bộ hỗ trợ", audience="staff", now=NOW)
    assert titles(services.banners(None, now=NOW)) == {"Công khai"}
    assert titles(services.banners(official, now=NOW)) == {"Công khai", "Mọi tài khoản"}
    assert titles(services.banners(agent, now=NOW)) == {
        "Cán bộ hỗ trợ",
        "Công khai",
        "Mọi tài khoản",
    }
    assert services.current_for(None, now=NOW) == []


def test_a_visitor_sees_the_public_ones_on_the_home_page(db, client, make_user):
    admin = make_user("admin")
    posted(admin, "Công khai cho khách", audience="public")
    posted(admin, "Chỉ tài khoản", audience="everyone")
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="banners"' in html
    assert "Công khai cho khách" in html and "Chỉ tài khoản" not in html


def test_banners_of_a_system_are_those_about_it_or_every_system(db, make_user):
    admin, official = make_user("admin"), make_user("requester")
    posted(admin, "Tư pháp", system="moj", now=NOW)
    posted(admin, "Nội vụ", system="moha", now=NOW)
    posted(admin, "Tất cả", now=NOW)
    assert titles(services.banners(official, system_code="moj", now=NOW)) == {"Tất cả", "Tư pháp"}
    assert titles(services.banners(official, now=NOW)) == {"Nội vụ", "Tất cả", "Tư pháp"}


def test_the_filing_form_carries_every_systems_banners_with_their_system(db, browser, make_user):
    admin, official = make_user("admin"), make_user("requester", province_code="79")
    posted(admin, "Tư pháp bảo trì", system="moj")
    posted(admin, "Nội vụ chậm", system="moha")
    posted(admin, "Tất cả hệ thống")
    posted(admin, "Chỉ cán bộ", system="moj", audience="staff")
    html = browser(official, "vi").get("/tickets/new").get_data(as_text=True)
    section = re.search(r'<section[^>]*data-testid="banners".*?</section>', html, re.S).group(0)
    assert 'data-follows="system"' in section
    banners = dict(
        (title, system)
        for system, title in re.findall(
            r'data-system="([^"]*)">.*?<strong[^>]*>([^<]*)</strong>', section, re.S
        )
    )
    assert banners == {"Tư pháp bảo trì": "moj", "Nội vụ chậm": "moha", "Tất cả hệ thống": ""}
    assert "/static/js/banners.js" in html


def test_the_admin_list_shows_each_ones_system_and_window(app, db, browser, make_user):
    admin = make_user("admin")
    posted(admin, "Có lịch", system="moj", starts_on=date(2099, 1, 2), ends_on=date(2099, 1, 3))
    html = browser(admin, "vi").get(PAGE).get_data(as_text=True)
    item = re.search(r'<li class="list-group-item"[^>]*>.*?</li>', html, re.S).group(0)
    assert "Bộ Tư pháp" in item and "Chờ hiển thị" in item
    assert "hiển thị từ 02/01/2099 00:00" in item and "đến 04/01/2099 00:00" in item


def test_the_home_page_reads_the_announcements_in_one_statement(
    db, browser, make_user, count_queries
):
    admin, official = make_user("admin"), make_user("requester")
    for n, system in enumerate(("moj", "moha", None)):
        posted(admin, f"Thông báo {n}", system=system or "")
    client = browser(official, "vi")
    client.get("/")
    with count_queries() as statements:
        html = client.get("/").get_data(as_text=True)
    assert "Thông báo 2" in html and 'data-system="moha"' in html
    assert sum("from announcements" in s.lower() for s in statements) == 1


def test_the_home_page_leads_it_staff_to_the_page_and_nobody_else(browser, make_user, staff_of):
    link = 'data-testid="post-announcement"'
    assert link in browser(staff_of("moj-it"), "vi").get("/").get_data(as_text=True)
    for user in (staff_of("moj-fpt"), make_user("agent"), make_user("requester")):
        assert link not in browser(user, "vi").get("/").get_data(as_text=True)


def test_the_directory_shows_visitors_the_public_banners_of_the_chosen_system(
    db, client, make_user
):
    admin = make_user("admin")
    posted(admin, "Tư pháp bảo trì tối nay", system="moj", audience="public")
    posted(admin, "Nội vụ chậm", system="moha", audience="public")
    posted(admin, "Chỉ tài khoản", system="moj")
    everything = client.get("/directory").get_data(as_text=True)
    assert "Tư pháp bảo trì tối nay" in everything and "Nội vụ chậm" in everything
    assert "Chỉ tài khoản" not in everything
    chosen = client.get("/directory?system=moj").get_data(as_text=True)
    assert "Tư pháp bảo trì tối nay" in chosen and "Nội vụ chậm" not in chosen


def test_the_help_pages_show_the_banners_of_the_chosen_system(db, client, make_user):
    admin = make_user("admin")
    posted(admin, "Tư pháp bảo trì tối nay", system="moj", audience="public")
    posted(admin, "Nội vụ chậm", system="moha", audience="public")
    chosen = client.get("/help?system=moha").get_data(as_text=True)
    assert "Nội vụ chậm" in chosen and "Tư pháp bảo trì tối nay" not in chosen
