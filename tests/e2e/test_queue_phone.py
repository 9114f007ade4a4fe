"""The queue on a phone, in a real browser: each row of the table laid out as a card, buttons on
one line, nothing wider than the screen; a search finds a closed ticket and says so. The pages
are kept as screenshots (harness.snap)."""

from __future__ import annotations

import re

from e2e.harness import log_in, no_sideways_scroll, snap
from playwright.sync_api import expect

REQUESTER = "075085222333@ht.com"
SUBJECTS = (
    "Không nhận được biên lai điện tử sau khi nộp lệ phí hồ sơ đăng ký khai sinh",
    "Tài khoản cán bộ xã bị khóa",
)
CLOSED_SUBJECT = "Hồ sơ chuyển sai đơn vị tiếp nhận"

# Each visible button of the page: whether its text takes more than one line.
BROKEN_BUTTONS = """() => [...document.querySelectorAll('main .btn')]
  .filter((b) => b.offsetParent !== null)
  .filter((b) => {
    const style = getComputedStyle(b);
    const inner = b.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return inner > 1.5 * parseFloat(style.lineHeight);
  })
  .map((b) => b.innerText)"""


def file_tickets(live_server, app_python) -> None:
    live_server.run_flask(
        "user", "create", REQUESTER, "--role", "requester", "--password", "Mat-khau-dai-2026",
        "--email", "nguoi.gui@example.vn", "--province", "75", "--unit", "UBND xã Phú Lý",
    )  # fmt: skip
    app_python(
        "from helpdesk.auth.services import find_user\n"
        "from helpdesk.tickets import services as tickets\n"
        f"requester = find_user({REQUESTER!r})\n"
        "def file(subject):\n"
        "    draft = tickets.TicketDraft(system='moj', category='account', province='75',"
        " subject=subject, description='Cán bộ cần hỗ trợ.')\n"
        "    return tickets.create_ticket(requester, draft)\n"
        f"for subject in {SUBJECTS!r}:\n"
        "    file(subject)\n"
        f"closed = file({CLOSED_SUBJECT!r})\n"
        "admin = find_user('" + live_server.admin_username + "')\n"
        "tickets.change_status(admin, closed, 'resolved', resolution='Đã xử lý xong.')\n"
        "tickets.change_status(admin, closed, 'closed')"
    )


def test_the_queue_on_a_phone_is_a_list_of_cards(phone_page, live_server, admin_login, app_python):
    page = phone_page
    file_tickets(live_server, app_python)
    username, password = admin_login
    log_in(page, username, password)

    page.goto("/tickets/queue")
    cards = page.locator("[data-testid=queue-table] tbody tr")
    expect(page.locator("[data-testid=queue-table]")).to_be_visible()
    # A row is a card (app.css): a box of its own, the wider screens' cells left out.
    assert cards.first.evaluate("(row) => getComputedStyle(row).display") == "flex"
    expect(cards.first.locator("td.queue-more").first).to_be_hidden()
    for subject in SUBJECTS:
        card = cards.filter(has_text=subject)
        expect(card).to_be_visible()
        expect(card).to_contain_text("Đồng Nai")
        expect(card.locator("[data-status=new]")).to_have_text("Mới")
        expect(card.locator("[data-sla-state]")).to_be_visible()
    no_sideways_scroll(page)
    assert page.evaluate(BROKEN_BUTTONS) == []
    snap(page, "queue-phone")

    page.locator("[data-testid=search] input[name=q]").fill("chuyen sai don vi")
    page.locator("[data-testid=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"q=chuyen"))
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(CLOSED_SUBJECT)
    expect(cards.first.locator("[data-status=closed]")).to_have_text("Đã đóng")
    expect(page.locator("[data-testid=search-note]")).to_contain_text("Tìm trong mọi trạng thái")
    snap(page, "queue-phone-search")
