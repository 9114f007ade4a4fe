"""One fault, many communes, in a browser: officials of two provinces file the same problem; an
agent selects both in the queue, declares an incident and posts one update; each official reads
it on their own ticket and in their mail; a third official, of another province, sees the
known-incident banner and joins it from the filing form in one tap."""

from __future__ import annotations

import re

import pytest
from e2e.harness import log_in, mail_to, no_sideways_scroll, snap
from playwright.sync_api import expect

PASSWORD = "Su-co-chung-2026-mat-khau"  # noqa: S105 - throwaway accounts of the live server
PEOPLE = {  # username: (role, province, unit)
    "075091400001@ht.com": ("requester", "75", "UBND phường Trấn Biên"),
    "001091400002@ht.com": ("requester", "01", "UBND phường Hoàn Kiếm"),
    "079091400003@ht.com": ("requester", "79", "UBND phường Bến Thành"),
    "001091400004@ht.com": ("agent", "01", ""),
}
FIRST, SECOND, THIRD, AGENT = PEOPLE
TITLE = "Cổng thanh toán không đưa tiền lệ phí về tài khoản thụ hưởng"
UPDATE = "Ngân hàng đã xác nhận lỗi đối soát; nhà cung cấp đang khắc phục, tiền không bị mất."


def address(username: str) -> str:
    return f"{username.split('@')[0]}@example.vn"


@pytest.fixture
def people(app_python, join_routed_queue):
    for username, (role, province, unit) in PEOPLE.items():
        app_python(
            "from helpdesk.auth import services\n"
            "services.create_account(services.AccountDraft(\n"
            f"    username={username!r}, password={PASSWORD!r}, full_name='Cán bộ {province}',\n"
            f"    role={role!r}, province_code={province!r}, unit={unit!r},\n"
            f"    email={address(username)!r}))"
        )
    join_routed_queue(AGENT, "moj", "payment", "75", 3)


@pytest.fixture
def resolved_at_the_end(app_python):
    """Whatever incident the walk declares is resolved at its end: other walks of the run see
    no banner of it."""
    yield
    app_python(
        "from sqlalchemy import select\n"
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        "from helpdesk.tickets import services as tickets\n"
        "from helpdesk.tickets.models import Ticket\n"
        f"for incident in db.session.scalars(select(Ticket).where(Ticket.subject == {TITLE!r},"
        " Ticket.kind == 'incident', Ticket.status == 'open')).all():\n"
        f"    tickets.post_update(find_user({AGENT!r}), incident, 'Đã khắc phục.', resolve=True)"
    )


def file_ticket(page, subject: str) -> str:
    page.goto("/tickets/new")
    page.locator("select[name=system]").select_option("moj")
    page.locator("select[name=category]").select_option("payment")
    page.locator("input[name=subject]").fill(subject)
    page.locator("textarea[name=description]").fill("Công dân đã nộp lệ phí trực tuyến từ sáng.")
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/tickets/HT-\d{4}-\d{6}$"))
    return page.locator("[data-testid=ticket-number]").inner_text().strip()


def test_an_incident_declared_from_the_queue_reaches_every_official_and_a_third_joins_it(
    open_context, live_server, app_python, people, resolved_at_the_end
):
    # Two officials of two provinces file the same problem in their own words.
    first, second = (open_context().new_page() for _ in range(2))
    log_in(first, FIRST, PASSWORD)
    log_in(second, SECOND, PASSWORD)
    numbers = [
        file_ticket(first, "Tiền lệ phí chưa về tài khoản thụ hưởng của phường"),
        file_ticket(second, "Tài khoản thụ hưởng không nhận được tiền lệ phí"),
    ]

    # The agent selects both in the queue and declares one incident.
    agent = open_context().new_page()
    log_in(agent, AGENT, PASSWORD)
    agent.goto("/tickets/queue")
    for number in numbers:
        agent.locator(f"tr[data-number='{number}'] input[name=numbers]").check()
    agent.get_by_role("button", name="Thao tác hàng loạt với các yêu cầu đã chọn").click()
    agent.locator("#bulk-actions select[name=action]").select_option("declare")
    agent.locator("#bulk-actions input[name=title]").fill(TITLE)
    agent.get_by_role("button", name="Áp dụng cho mục đã chọn").click()
    expect(agent).to_have_url(re.compile(r"/tickets/HT-\d{4}-\d{6}$"))
    incident = agent.locator("[data-testid=ticket-number]").inner_text().strip()
    assert incident not in numbers
    listed = agent.locator("[data-testid=incident-tickets]")
    for number in numbers:
        expect(listed).to_contain_text(number)
    expect(agent.locator("[data-testid=incident-provinces]")).to_contain_text("Hà Nội")

    # One update, to both tickets.
    form = agent.locator("[data-testid=incident-update]")
    form.locator("textarea[name=body]").fill(UPDATE)
    form.get_by_role("button", name="Gửi cập nhật").click()
    expect(agent.locator("main")).to_contain_text("Đã gửi cập nhật đến 2 yêu cầu.")
    snap(agent, "incident-page")

    # Each official reads it on their own ticket, and in their mail.
    for page, username, number in ((first, FIRST, numbers[0]), (second, SECOND, numbers[1])):
        page.goto(f"/tickets/{number}")
        expect(page.locator("[data-testid=thread]")).to_contain_text(UPDATE)
        expect(page.locator("[data-testid=known-incident]")).to_contain_text(TITLE)
        mail = mail_to(live_server.outbox, address(username), "Cập nhật sự cố")
        assert UPDATE in mail.get_body(preferencelist=("plain",)).get_content()

    # A third official, elsewhere, sees the banner and joins from the filing form in one tap.
    third = open_context("phone").new_page()
    log_in(third, THIRD, PASSWORD)
    banner = third.locator(f"[data-testid=incident-banner][data-incident='{incident}']")
    expect(banner).to_contain_text(UPDATE)  # the home page
    third.goto("/tickets/new")
    third.locator("select[name=system]").select_option("moj")
    join = banner.get_by_role("button", name="Đây cũng là vấn đề của tôi")
    no_sideways_scroll(third)
    join.click()
    expect(third).to_have_url(re.compile(r"/tickets/HT-\d{4}-\d{6}$"))
    expect(third.locator("main")).to_contain_text("Yêu cầu đã được gắn vào sự cố đã biết")
    joined = third.locator("[data-testid=ticket-number]").inner_text().strip()
    parent = app_python(
        "from sqlalchemy import select\n"
        "from helpdesk.extensions import db\n"
        "from helpdesk.tickets.models import Ticket\n"
        f"t = db.session.scalar(select(Ticket).where(Ticket.number == {joined!r}))\n"
        "print(t.parent.number, t.province_code, t.category_code)"
    ).split()
    assert parent == [incident, "79", "payment"]
