"""The resolution summary in a real browser: the composer and the queue's bulk actions ask for
it only once "resolved" is chosen (resolution.js); refused without it, the composer comes back
with the message beside the box, which stays in sight; sent with it, the ticket page shows the
outcome."""

from __future__ import annotations

from e2e.harness import log_in
from playwright.sync_api import expect

REQUESTER = "075086444555@ht.com"
SUBJECT = "Không cấp được tài khoản cho cán bộ mới của xã"
OUTCOME = "Đã cấp tài khoản cho cán bộ mới; mật khẩu gửi qua thư điện tử của xã."


def filed_ticket(live_server, app_python) -> str:
    live_server.run_flask(
        "user", "create", REQUESTER, "--role", "requester", "--password", "Mat-khau-dai-2026",
        "--email", "can.bo.xa@example.vn", "--province", "75", "--unit", "UBND xã Phú Lý",
    )  # fmt: skip
    return app_python(
        "from helpdesk.auth.services import find_user\n"
        "from helpdesk.tickets import services as tickets\n"
        f"requester = find_user({REQUESTER!r})\n"
        "draft = tickets.TicketDraft(system='moj', category='account', province='75',"
        f" subject={SUBJECT!r}, description='Cán bộ mới chưa có tài khoản.')\n"
        "print(tickets.create_ticket(requester, draft).number)"
    ).strip()


def test_the_resolution_is_asked_for_when_resolving(page, live_server, admin_login, app_python):
    number = filed_ticket(live_server, app_python)
    log_in(page, *admin_login)

    page.goto(f"/tickets/{number}")
    composer = page.locator("[data-testid=composer]")
    box = composer.locator("[data-testid=resolution-field]")
    expect(box).to_be_hidden()
    composer.locator("select[name=status]").select_option("resolved")
    expect(box).to_be_visible()
    expect(box).to_contain_text("Kết quả xử lý (gửi cho người yêu cầu)")
    composer.locator("select[name=status]").select_option("waiting_third_party")
    expect(box).to_be_hidden()

    composer.locator("select[name=status]").select_option("resolved")
    composer.locator("textarea[name=body]").fill("Chúng tôi đã xử lý.")
    composer.locator("button[type=submit]:not([name])").click()
    expect(box.locator(".invalid-feedback")).to_contain_text("Hãy ghi kết quả xử lý")
    expect(composer.locator("textarea[name=body]")).to_have_value("Chúng tôi đã xử lý.")
    expect(page.locator("header [data-status]")).to_have_attribute("data-status", "new")

    box.locator("textarea[name=resolution]").fill(OUTCOME)
    composer.locator("button[type=submit]:not([name])").click()
    expect(page.locator("header [data-status]")).to_have_attribute("data-status", "resolved")
    expect(page.locator("[data-testid=resolution]")).to_contain_text(OUTCOME)


def test_the_bulk_resolution_shows_with_the_status_resolved(page, admin_login):
    log_in(page, *admin_login)
    page.goto("/tickets/queue")
    page.get_by_role("button", name="Thao tác hàng loạt với các yêu cầu đã chọn").click()
    box = page.locator("[data-testid=bulk-resolution]")
    expect(page.locator("#bulk-action")).to_be_visible()
    expect(box).to_be_hidden()
    page.locator("#bulk-action").select_option("status")
    page.locator("#bulk-status").select_option("resolved")
    expect(box).to_be_visible()
    page.locator("#bulk-action").select_option("transfer")
    expect(box).to_be_hidden()
