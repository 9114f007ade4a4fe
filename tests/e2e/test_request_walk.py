"""A request with a due date, in a real browser: the admin asks two provinces for a list by a
date, with a template; the coordinator of one is told by mail, finds the request, answers on
its province's ticket with a file; the tracker shows that province answered (with its file) and
the other not opened."""

from __future__ import annotations

import re
from datetime import date, timedelta

from e2e.harness import log_in, mail_to, no_sideways_scroll, snap
from playwright.sync_api import expect

ANSWERING, SILENT = "92", "96"  # Cần Thơ and Cà Mau: no other walk works there
COORDINATOR = "092089555001@ht.com"
COORDINATOR_ADDRESS = "stp.cantho@example.vn"
COORDINATOR_PASSWORD = "Song-Hau-Mua-Nuoc-2027"  # noqa: S105 - throwaway
TITLE = "Danh sách quản trị viên cổng dịch vụ công cấp xã"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def test_a_coordinator_answers_a_request_with_a_file_and_the_tracker_shows_it_answered(
    open_context, live_server, app_python, admin_login, tmp_path
):
    live_server.run_flask(
        "user", "create", COORDINATOR, "--role", "coordinator", "--province", ANSWERING,
        "--password", COORDINATOR_PASSWORD, "--email", COORDINATOR_ADDRESS,
    )  # fmt: skip
    app_python(
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        f"find_user({COORDINATOR!r}).must_change_password = False\n"
        "db.session.commit()"
    )
    template = tmp_path / "bieu-mau.png"
    template.write_bytes(PNG)
    answer_file = tmp_path / "danh-sach-can-tho.png"
    answer_file.write_bytes(PNG + b"can tho")

    # The admin asks two provinces, with a template, due in two weeks.
    admin = open_context().new_page()
    log_in(admin, *admin_login)
    admin.locator("#nav-main").get_by_role("link", name="Đề nghị", exact=True).click()
    admin.get_by_role("link", name="Gửi đề nghị").click()
    form = admin.locator("[data-testid=request-form]")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("textarea[name=body]").fill("Điền vào biểu mẫu kèm theo và gửi lại.")
    form.locator("input[name=due]").fill((date.today() + timedelta(days=14)).isoformat())
    for code in (ANSWERING, SILENT):
        form.locator(f"input[name=provinces][value='{code}']").check()
    form.locator("input[name=template]").set_input_files(str(template))
    form.get_by_role("button", name="Gửi đề nghị").click()
    expect(admin).to_have_url(re.compile(r"/requests/YC-\d{4}-\d{6}$"))
    number = admin.locator("[data-testid=request-number]").inner_text().strip()
    table = admin.locator("[data-testid=request-provinces]")
    expect(table.locator("tr[data-province]")).to_have_count(2)
    expect(table.locator(f"tr[data-province='{ANSWERING}']")).to_have_attribute(
        "data-state", "not_opened"
    )

    # The coordinator is told of the new ticket in its queue, finds the request, answers.
    assert TITLE in str(mail_to(live_server.outbox, COORDINATOR_ADDRESS, TITLE)["Subject"])
    coordinator = open_context("phone").new_page()
    log_in(coordinator, COORDINATOR, COORDINATOR_PASSWORD)
    coordinator.goto("/requests/")
    coordinator.locator(f"[data-number='{number}']").click()
    line = coordinator.locator(f"tr[data-province='{ANSWERING}']")
    expect(coordinator.locator("tr[data-province]")).to_have_count(1)  # its province's only
    line.get_by_role("link", name=re.compile(r"HT-\d{4}-\d{6}")).click()
    expect(coordinator.locator("[data-testid=ticket-request]")).to_contain_text(number)
    expect(coordinator.locator("[data-testid=description]")).to_contain_text("bieu-mau.png")
    composer = coordinator.locator("[data-testid=composer]")
    composer.locator("textarea[name=body]").fill("Sở Tư pháp Cần Thơ gửi danh sách kèm theo.")
    composer.locator("input[name=attachments]").set_input_files(str(answer_file))
    composer.locator("button[type=submit]:not([name])").click()
    expect(coordinator.locator("[data-testid=message]")).to_contain_text("danh-sach-can-tho.png")
    no_sideways_scroll(coordinator)

    # The tracker shows the province answered, with its file; the other not opened.
    admin.reload()
    answered = table.locator(f"tr[data-province='{ANSWERING}']")
    expect(answered).to_have_attribute("data-state", "answered")
    expect(answered.locator("[data-testid=answer-file]")).to_have_text("danh-sach-can-tho.png")
    expect(table.locator(f"tr[data-province='{SILENT}']")).to_have_attribute(
        "data-state", "not_opened"
    )
    expect(admin.locator("[data-testid=request-counts]")).to_contain_text("Đã trả lời: 1")
    snap(admin, "request-tracker")
    with admin.expect_download() as download:
        answered.locator("[data-testid=answer-file]").click()
    assert download.value.suggested_filename == "danh-sach-can-tho.png"
