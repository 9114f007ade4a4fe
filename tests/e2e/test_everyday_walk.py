"""The everyday walk of each role, on an office desktop and on a phone, in Vietnamese: a
requester goes from the home page to filing and sees on the ticket page when the answer is due;
an agent goes from the home page to the queue and answers with the new status in one submit;
an admin's home shows a registration that waits. Each step leaves a screenshot (harness.snap)."""

from __future__ import annotations

import re

import pytest
from e2e.harness import log_in, no_sideways_scroll, snap
from playwright.sync_api import expect

PASSWORD = "Mot-mat-khau-Dai-2026"  # noqa: S105 - throwaway accounts of the live server
# Per viewport: accounts of their own, so that the two walks never meet.
PEOPLE = {
    "desktop": {"requester": "079090200001@ht.com", "agent": "079090200002@ht.com"},
    "phone": {"requester": "079090300001@ht.com", "agent": "079090300002@ht.com"},
}
DUE = re.compile(r"Bộ phận hỗ trợ sẽ phản hồi trước \d\d:\d\d (hôm nay|ngày mai|thứ)")


def account(app_python, username: str, role: str, name: str) -> None:
    app_python(
        "from helpdesk.auth import services\n"
        "services.create_account(services.AccountDraft(\n"
        f"    username={username!r}, password={PASSWORD!r}, full_name={name!r},\n"
        f"    role={role!r}, province_code='75', unit='UBND phường Trấn Biên',\n"
        f"    email='{username.split('@')[0]}@example.vn'))"
    )


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_requester_files_from_home_and_an_agent_answers_with_a_status_in_one_submit(
    viewport, open_context, app_python, join_routed_queue
):
    people = PEOPLE[viewport]
    account(app_python, people["requester"], "requester", "Nguyễn Thị Hoa")
    account(app_python, people["agent"], "agent", "Trần Văn Minh")
    join_routed_queue(people["agent"], "moj", "payment", "75", 3)
    subject = f"Tiền lệ phí chưa về tài khoản thụ hưởng ({viewport})"

    # The requester: home -> file -> the ticket page says when the answer is due.
    requester = open_context(viewport).new_page()
    log_in(requester, people["requester"], PASSWORD)
    requester.goto("/")
    file_button = requester.locator("[data-testid=file-ticket]")
    expect(file_button).to_be_visible()
    no_sideways_scroll(requester)
    snap(requester, "walk-requester-home")
    file_button.click()
    expect(requester).to_have_url(re.compile(r"/tickets/new$"))
    requester.locator("select[name=system]").select_option("moj")
    requester.locator("select[name=category]").select_option("payment")
    requester.locator("select[name=province]").select_option("75")
    requester.locator("input[name=subject]").fill(subject)
    requester.locator("textarea[name=description]").fill(
        "Người dân đã nộp lệ phí trực tuyến nhưng tiền chưa về tài khoản của xã."
    )
    snap(requester, "walk-requester-filing")
    requester.locator("main form button[type=submit]:not([form])").click()
    expect(requester).to_have_url(re.compile(r"/tickets/HT-\d{4}-\d{6}$"))
    number = requester.locator("[data-testid=ticket-number]").inner_text()
    expect(requester.locator("[data-testid=next-step]")).to_contain_text(DUE)
    expect(requester.locator("[data-testid=progress] [aria-current=step]")).to_have_count(1)
    no_sideways_scroll(requester)
    snap(requester, "walk-requester-ticket")

    # The agent: home (the queue with its counts) -> queue -> the ticket -> reply + status.
    agent = open_context(viewport).new_page()
    log_in(agent, people["agent"], PASSWORD)
    agent.goto("/")
    queues = agent.locator("[data-testid=home-queues]")
    expect(queues).to_be_visible()
    expect(queues.locator("a[data-count=new]").first).not_to_have_text("0")
    snap(agent, "walk-agent-home")
    queues.get_by_role("link", name="Mở hàng đợi").click()
    expect(agent).to_have_url(re.compile(r"/tickets/queue"))
    row = agent.locator(f"tr[data-number='{number}']")
    if viewport == "phone":  # the row laid out as a card (app.css)
        assert row.evaluate("(tr) => getComputedStyle(tr).display") == "flex"
    expect(row).to_contain_text(subject)
    no_sideways_scroll(agent)
    snap(agent, "walk-agent-queue")
    row.get_by_role("link", name=number).click()

    composer = agent.locator("[data-testid=composer]")
    composer.locator("textarea[name=body]").fill("Chúng tôi đã đối soát; xin anh chị gửi biên lai.")
    composer.locator("select[name=status]").select_option("waiting_requester")
    snap(agent, "walk-agent-composer")
    with agent.expect_response(lambda r: r.request.method == "POST") as posted:
        composer.locator("button[type=submit]:not([name])").click()
    assert posted.value.request.url.endswith(f"/tickets/{number}/reply")
    expect(agent.locator("[data-testid=message]")).to_contain_text("đã đối soát")
    expect(agent.locator("header [data-status]")).to_have_attribute(
        "data-status", "waiting_requester"
    )
    snap(agent, "walk-agent-answered")

    # The requester's page now asks for their answer.
    requester.reload()
    expect(requester.locator("[data-testid=next-step]")).to_contain_text("Trả lời")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_admin_home_shows_the_registration_waiting(
    viewport, open_context, app_python, admin_login
):
    name = f"Võ Thị Chờ Duyệt {viewport}"
    username = "079090400001@ht.com" if viewport == "desktop" else "079090400002@ht.com"
    app_python(
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth import services\n"
        "from helpdesk.auth.models import Status\n"
        "user = services.create_account(services.AccountDraft(\n"
        f"    username={username!r}, password={PASSWORD!r}, full_name={name!r},\n"
        "    province_code='79', unit='UBND phường Bến Thành', email='cho@example.vn'))\n"
        "user.status = Status.PENDING_APPROVAL\n"
        "db.session.commit()"
    )
    page = open_context(viewport).new_page()
    log_in(page, *admin_login)
    page.goto("/")
    expect(page.locator("[data-testid=home-registrations]")).to_contain_text(name)
    no_sideways_scroll(page)
    snap(page, "walk-admin-home")
