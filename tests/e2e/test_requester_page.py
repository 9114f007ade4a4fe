"""The requester's ticket page on a phone, in Vietnamese: filed from the form, it says when the
team will answer, which team has it, and where it stands; then the requester finds it again by
searching their tickets."""

from __future__ import annotations

import re

from e2e.harness import log_in, no_sideways_scroll, snap
from playwright.sync_api import expect

REQUESTER = "079086222333@ht.com"
PASSWORD = "Mat-khau-rieng-2026"  # noqa: S105 - throwaway
SUBJECT = "Không in được phiếu hẹn trả kết quả"


def test_a_requester_on_a_phone_sees_what_happens_next_and_finds_the_ticket_again(
    phone_page, live_server, app_python
):
    page = phone_page
    live_server.run_flask(
        "user", "create", REQUESTER, "--role", "requester", "--password", PASSWORD,
        "--email", "tran.thi.hoa@example.vn", "--name", "Trần Thị Hoa", "--province", "75",
        "--unit", "UBND phường Long Bình",
    )  # fmt: skip
    app_python(
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        f"find_user({REQUESTER!r}).must_change_password = False\n"
        "db.session.commit()"
    )
    log_in(page, REQUESTER, PASSWORD)

    page.goto("/tickets/new")
    page.locator("select[name=system]").select_option("moj")
    page.locator("select[name=category]").select_option("payment")
    page.locator("select[name=province]").select_option("75")
    page.locator("input[name=subject]").fill(SUBJECT)
    page.locator("textarea[name=description]").fill("Bấm in thì trang báo lỗi máy chủ.")
    page.locator("input[name=priority][value='3']").check()
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/tickets/[^/]+$"))
    number = page.locator("[data-testid=ticket-number]").inner_text().strip()

    next_step = page.locator("[data-testid=next-step]")
    expect(next_step).to_be_visible()
    expect(next_step).to_contain_text(
        re.compile(r"Bộ phận hỗ trợ sẽ phản hồi trước \d\d:\d\d (hôm nay|ngày mai|thứ|Chủ nhật)")
    )
    expect(next_step).to_contain_text("Bộ phận xử lý:")
    progress = page.locator("[data-testid=progress]")
    expect(progress.locator("li")).to_have_count(5)
    expect(progress.locator("[aria-current=step]")).to_have_count(1)
    expect(progress.locator("[aria-current=step]")).to_contain_text(
        re.compile("Đã gửi|Đã tiếp nhận")
    )
    no_sideways_scroll(page)
    snap(page, "requester-ticket-page-phone")

    page.goto("/tickets/")
    page.locator("input[name=q]").fill("phieu hen")
    page.locator("[data-testid=my-search] button[type=submit]").click()
    expect(page.locator(f"[data-number='{number}']")).to_be_visible()
    expect(page.locator("[data-testid=search-note]")).to_contain_text("phieu hen")
    snap(page, "requester-search-phone")
