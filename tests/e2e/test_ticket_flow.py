"""A ticket from filing to an answer, in a real browser: a requester files it with an
attachment, an agent of the queue it routes to finds it, notes it internally and replies with
the new status in one submit of the composer; the requester sees the reply and never the
internal note."""

from __future__ import annotations

import re
import struct
import zlib

from playwright.sync_api import expect

REQUESTER = "079085111222@ht.com"
REQUESTER_NAME = "Lê Văn Bình"
AGENT = "079088333444@ht.com"
AGENT_NAME = "Phạm Thị Cúc"
GIVEN_PASSWORD = "Tam-thoi-Doi-Ngay-2026"  # noqa: S105 - throwaway, changed at first login
OWN_PASSWORD = "Cua-rieng-toi-Nam-2026"  # noqa: S105 - throwaway
SUBJECT = "Không thanh toán được lệ phí hồ sơ"
DESCRIPTION = "Khi bấm “Thanh toán”, cổng báo lỗi và hồ sơ vẫn ở trạng thái chờ nộp lệ phí."
NOTE = "Ghi chú nội bộ: đã kiểm tra nhật ký cổng thanh toán."
REPLY = "Chào anh, chúng tôi đã khắc phục lỗi thanh toán. Anh vui lòng thử lại."


def tiny_png() -> bytes:
    """A valid 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def first_login(page, username: str) -> None:
    """Log in with the given password and replace it on the forced change page."""
    page.goto("/")
    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/auth/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(GIVEN_PASSWORD)
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/auth/password$"))
    expect(page.locator("[data-testid=password-change-required]")).to_be_visible()
    page.locator("input[name=current_password]").fill(GIVEN_PASSWORD)
    page.locator("input[name=password]").fill(OWN_PASSWORD)
    page.locator("input[name=password_confirm]").fill(OWN_PASSWORD)
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page.locator("main .alert-success")).to_contain_text("Your password is changed")
    expect(page.locator("[data-testid=current-user]")).to_be_visible()


def test_requester_files_a_ticket_and_sees_the_agents_reply_but_no_internal_note(
    browser, live_server, join_routed_queue, tmp_path
):
    live_server.run_flask(
        "user", "create", REQUESTER, "--role", "requester", "--password", GIVEN_PASSWORD,
        "--email", "le.van.binh@example.vn", "--name", REQUESTER_NAME, "--province", "75",
        "--unit", "UBND xã Tân Phú",
    )  # fmt: skip
    live_server.run_flask(
        "user", "create", AGENT, "--role", "agent", "--password", GIVEN_PASSWORD,
        "--email", "pham.thi.cuc@example.vn", "--name", AGENT_NAME,
    )  # fmt: skip
    queue_name = join_routed_queue(AGENT, "moj", "payment", "75", 3)
    screenshot = tmp_path / "loi-thanh-toan.png"
    screenshot.write_bytes(tiny_png())

    requester_context, requester = new_page(browser, live_server)
    agent_context, agent = new_page(browser, live_server)
    try:
        # The requester files the ticket.
        first_login(requester, REQUESTER)
        requester.goto("/tickets/new")
        requester.locator("select[name=system]").select_option("moj")
        requester.locator("select[name=category]").select_option("payment")
        requester.locator("select[name=province]").select_option("75")
        requester.locator("input[name=subject]").fill(SUBJECT)
        requester.locator("textarea[name=description]").fill(DESCRIPTION)
        requester.locator("input[name=priority][value='3']").check()
        requester.locator("input[name=attachments]").set_input_files(str(screenshot))
        requester.locator("main form button[type=submit]:not([form])").click()
        expect(requester).to_have_url(re.compile(r"/tickets/[^/]+$"))
        number = requester.locator("[data-testid=ticket-number]").inner_text().strip()
        assert number, "no ticket number on the ticket page"
        assert requester.url.endswith(f"/tickets/{number}")
        expect(requester.locator("main .alert-success")).to_contain_text(number)
        expect(requester.locator("main h1")).to_contain_text(SUBJECT)
        expect(requester.locator("[data-testid=description]")).to_contain_text(DESCRIPTION)
        expect(requester.locator("[data-testid=description]")).to_contain_text("loi-thanh-toan.png")

        # The agent finds it in the queue, notes it internally and replies.
        first_login(agent, AGENT)
        agent.goto("/tickets/queue")
        row = agent.locator(f"tr[data-number='{number}']")
        expect(row).to_be_visible()
        row.get_by_role("link", name=number).click()
        expect(agent.locator("[data-testid=ticket-number]")).to_have_text(number)
        expect(agent.locator("main")).to_contain_text(queue_name)
        expect(agent.locator("[data-testid=description]")).to_contain_text("loi-thanh-toan.png")

        # One composer: the note on its tab, then the reply with the status in one submit.
        composer = agent.locator("[data-testid=composer]")
        composer.get_by_text("Internal note", exact=True).click()
        expect(composer.locator("button[type=submit]:not([name])")).to_have_text(
            "Add internal note"
        )
        composer.locator("textarea[name=body]").fill(NOTE)
        composer.locator("button[type=submit]:not([name])").click()
        expect(agent.locator("[data-testid=internal-note]")).to_contain_text(NOTE)
        expect(agent.locator("[data-testid=message]")).to_have_count(0)

        composer.get_by_text("Reply", exact=True).click()
        composer.locator("textarea[name=body]").fill(REPLY)
        composer.locator("select[name=status]").select_option("waiting_requester")
        composer.get_by_role("button", name="Send reply").click()
        expect(agent.locator("[data-testid=message]")).to_contain_text(REPLY)
        expect(agent.locator("header [data-status]")).to_have_attribute(
            "data-status", "waiting_requester"
        )
        expect(agent.locator("[data-testid=history]")).to_contain_text(
            "Status changed from New to Waiting for the requester."
        )
        # The other controls wait in closed panels.
        expect(agent.locator("[data-panel=facts]")).not_to_have_attribute("open", "")
        expect(agent.locator("select[name=system]")).to_be_hidden()

        # The requester sees the reply and that the team waits on them, never the note.
        requester.reload()
        expect(requester.locator("[data-testid=message]")).to_contain_text(REPLY)
        expect(requester.locator("header [data-status]")).to_have_attribute(
            "data-status", "waiting_requester"
        )
        expect(requester.locator("[data-testid=message]")).to_contain_text(AGENT_NAME)
        expect(requester.locator("[data-testid=internal-note]")).to_have_count(0)
        assert NOTE not in requester.content()
        assert "Ghi chú nội bộ" not in requester.locator("main").inner_text()
    finally:
        requester_context.close()
        agent_context.close()
