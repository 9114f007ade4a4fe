"""A province at work, in a real browser: a commune official of Tây Ninh registers; the unit has
no account administrator, so the registration goes to the province's coordinator, who approves
it from the home page; the official files a ticket about a ministry system, which goes to the
ministry's IT or vendor queue, not the province's; the coordinator opens that ticket and sees it.

The last step needs coordinators to see every ticket of their province (the coordinators'
visibility of issue 20), which is built beside this walk."""

from __future__ import annotations

import re

from e2e.axe import check_accessibility
from e2e.harness import link_path, log_in, mail_to, snap
from playwright.sync_api import expect

PROVINCE = "80"  # Tây Ninh: no other walk has a coordinator or an account there
COMMUNE = "UBND xã Tân Hưng"
OFFICIAL = "079089777001"
OFFICIAL_NAME = "Huỳnh Thị Tân Hưng"
OFFICIAL_ADDRESS = "tan.hung.register@example.vn"
OFFICIAL_PASSWORD = "Bon-mua-Hoa-No-2027"  # noqa: S105 - throwaway
COORDINATOR = "079089777002@ht.com"
COORDINATOR_NAME = "Sở Tư pháp Tây Ninh"
COORDINATOR_PASSWORD = "Ba-canh-Dong-Xanh-2028"  # noqa: S105 - throwaway
SUBJECT = "Tiền lệ phí hộ tịch chưa về tài khoản của xã"


def test_a_coordinator_approves_a_commune_official_from_home_and_sees_the_officials_ticket(
    open_context, live_server, app_python
):
    live_server.run_flask(
        "user", "create", COORDINATOR, "--role", "coordinator", "--province", PROVINCE,
        "--password", COORDINATOR_PASSWORD, "--email", "stp.tayninh@example.vn",
        "--name", COORDINATOR_NAME,
    )  # fmt: skip
    app_python(  # the first-login password change is not what this walk is about
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        f"find_user({COORDINATOR!r}).must_change_password = False\n"
        "db.session.commit()"
    )

    # The official registers and confirms the address from the mail.
    official = open_context().new_page()
    official.goto("/auth/register")
    official.locator("input[name=cccd]").fill(OFFICIAL)
    official.locator("select[name=domain]").select_option("ht.com")
    official.locator("input[name=full_name]").fill(OFFICIAL_NAME)
    official.locator("input[name=email]").fill(OFFICIAL_ADDRESS)
    official.locator("input[name=phone]").fill("0276 3822 111")
    official.locator("select[name=province]").select_option(PROVINCE)
    official.locator("input[name=unit]").fill(COMMUNE)
    official.locator("input[name=password]").fill(OFFICIAL_PASSWORD)
    official.locator("input[name=password_confirm]").fill(OFFICIAL_PASSWORD)
    official.locator("main form button[type=submit]:not([form])").click()
    expect(official.locator("main h1")).to_have_text("Kiểm tra email")
    verify = link_path(
        mail_to(live_server.outbox, OFFICIAL_ADDRESS), "/auth/verify/", live_server.url
    )
    official.goto(verify)
    official.get_by_role("button", name="Xác nhận địa chỉ email của tôi").click()
    expect(official).to_have_url(re.compile(r"/auth/login$"))

    # The coordinator finds it on the home page, counted beside Accounts, and approves it there.
    coordinator = open_context().new_page()
    log_in(coordinator, COORDINATOR, COORDINATOR_PASSWORD)
    coordinator.goto("/")
    block = coordinator.locator("[data-testid=home-registrations]")
    item = block.locator("li[data-registration]", has_text=OFFICIAL_NAME)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Tây Ninh")
    expect(block.locator("[data-count=registrations]")).to_have_text("1")
    expect(coordinator.locator("[data-testid=waiting-registrations]")).to_contain_text("1")
    check_accessibility(coordinator, "the coordinator's home with a registration")
    snap(coordinator, "coordinator-home-registration")
    item.get_by_role("button", name=re.compile("^Phê duyệt")).click()
    expect(coordinator).to_have_url(re.compile(r"/$"))
    expect(coordinator.locator("main .alert-success")).to_contain_text(OFFICIAL_NAME)
    expect(block.locator("li[data-registration]", has_text=OFFICIAL_NAME)).to_have_count(0)
    expect(coordinator.locator("[data-testid=waiting-registrations]")).to_have_count(0)

    # The official logs in and files a ticket about a ministry system.
    log_in(official, OFFICIAL, OFFICIAL_PASSWORD)
    official.goto("/tickets/new")
    official.locator("select[name=system]").select_option("moj")
    official.locator("select[name=category]").select_option("payment")
    official.locator("select[name=province]").select_option(PROVINCE)
    official.locator("input[name=subject]").fill(SUBJECT)
    official.locator("textarea[name=description]").fill(
        "Người dân đã nộp lệ phí đăng ký khai sinh trực tuyến, cổng báo thành công nhưng tiền "
        "chưa về tài khoản thụ hưởng của xã."
    )
    official.locator("main form button[type=submit]:not([form])").click()
    expect(official).to_have_url(re.compile(r"/tickets/HT-\d{4}-\d{6}$"))
    number = official.locator("[data-testid=ticket-number]").inner_text().strip()
    queue = app_python(
        "from sqlalchemy import select\n"
        "from helpdesk.extensions import db\n"
        "from helpdesk.routing.models import Queue\n"
        "from helpdesk.tickets.models import Ticket\n"
        f"ticket = db.session.scalar(select(Ticket).where(Ticket.number == {number!r}))\n"
        "print(db.session.get(Queue, ticket.queue_id).code)"
    ).strip()
    assert queue != f"province-{PROVINCE}", "a payment ticket goes to the ministry's side"
    assert queue.startswith("moj-"), queue

    # The coordinator sees the province's ticket although it is in a ministry's queue.
    response = coordinator.goto(f"/tickets/{number}")
    assert response is not None and response.status == 200, (
        f"the coordinator of {PROVINCE} cannot open {number} of queue {queue}"
    )
    expect(coordinator.locator("[data-testid=ticket-number]")).to_have_text(number)
    expect(coordinator.locator("main h1")).to_contain_text(SUBJECT)
    snap(coordinator, "coordinator-sees-province-ticket")
