"""The hotline in a browser: an official calls; the agent who takes the call finds them by CCCD,
files the ticket for them with a number to call back, and reads on the ticket page that it was
taken by phone; the official's acknowledgement is in the live server's outbox, addressed so
that a reply by mail lands in the ticket.

Each step is a function of its own: a walk grows by adding one (the caller's reply by mail)."""

from __future__ import annotations

import re
import secrets
import time
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from e2e.harness import log_in, mail_to, no_sideways_scroll, snap
from playwright.sync_api import expect

PASSWORD = "Goi-duong-day-nong-2026"  # noqa: S105 - throwaway accounts of the live server
AGENT = "075091500001@ht.com"
AGENT_NAME = "Trực Tổng Đài"
CALLER_CCCD = "075191500002"
CALLER = f"{CALLER_CCCD}@ht.com"
CALLER_NAME = "Phạm Thị Gọi Điện"
CALLER_EMAIL = "goi.dien@example.vn"
CALLBACK = "0913 222 444"
SUBJECT = "Hồ sơ thanh toán trực tuyến báo lỗi chữ ký số"
REPLY = "Em gửi thêm: lỗi chỉ xảy ra với chứng thư số cấp năm 2026."


@pytest.fixture(scope="module")
def hotline(app_python, join_routed_queue):
    """The agent on duty (a member of the queue such a ticket goes to) and the official who
    calls (an account of a ward of province 75, with its phone and address)."""
    for username, role, name, email, unit in (
        (AGENT, "agent", AGENT_NAME, "truc.tong.dai@example.vn", ""),
        (CALLER, "requester", CALLER_NAME, CALLER_EMAIL, "UBND phường Trấn Biên"),
    ):
        app_python(
            "from helpdesk.auth import services\n"
            "services.create_account(services.AccountDraft(\n"
            f"    username={username!r}, password={PASSWORD!r}, full_name={name!r},\n"
            f"    role={role!r}, province_code='75', unit={unit!r}, phone='0912 111 222',\n"
            f"    email={email!r}))"
        )
    join_routed_queue(AGENT, "moj", "payment", "75", 3)


def find_the_caller(page, cccd: str) -> None:
    """From the menu's "Tiếp nhận cuộc gọi": the search by CCCD, and the one official found."""
    page.goto("/")
    page.locator("[data-testid=nav-take-call]").click()
    expect(page.locator("h1")).to_have_text("Tiếp nhận cuộc gọi")
    page.get_by_label("CCCD, số điện thoại hoặc họ tên người gọi").fill(cccd)
    page.get_by_role("button", name="Tìm").click()
    found = page.locator("[data-testid=callers] [data-official]")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(CALLER_NAME)
    expect(found).not_to_contain_text(cccd)  # the CCCD is shown masked
    snap(page, "hotline-search")
    found.click()


def file_for_the_caller(page, callback: str) -> str:
    """The official's filing form, their province and unit written in; returns the number."""
    expect(page.locator("[data-testid=caller]")).to_contain_text(CALLER_NAME)
    expect(page.locator("select[name=province]")).to_have_value("75")
    page.locator("select[name=system]").select_option("moj")
    page.locator("select[name=category]").select_option("payment")
    page.locator("input[name=subject]").fill(SUBJECT)
    page.locator("textarea[name=description]").fill(
        "Cán bộ gọi lúc 9 giờ: ký số hồ sơ thanh toán thì báo lỗi chứng thư."
    )
    page.locator("input[name=callback_phone]").fill(callback)
    snap(page, "hotline-form")
    page.get_by_role("button", name="Gửi yêu cầu").click()
    expect(page).to_have_url(re.compile(r"/tickets/HT-\d{4}-\d{6}$"))
    return page.locator("[data-testid=ticket-number]").inner_text().strip()


def test_an_agent_files_a_call_for_an_official_found_by_cccd(page, live_server, hotline):
    # The agent on duty takes the call and finds the caller by the CCCD they read out.
    log_in(page, AGENT, PASSWORD)
    find_the_caller(page, CALLER_CCCD)

    # The ticket is filed for the caller, with the number to call them back on.
    number = file_for_the_caller(page, CALLBACK)
    expect(page.locator("[data-testid=ticket-source]")).to_have_text(
        f"Tiếp nhận qua điện thoại bởi {AGENT_NAME}, gọi lại: {CALLBACK}"
    )
    expect(page.locator("[data-testid=description]")).to_contain_text("ký số hồ sơ")
    snap(page, "hotline-ticket")

    # The caller is acknowledged by mail as for a ticket of their own; its Reply-To is the
    # ticket's address for them (where their reply by mail goes).
    acknowledgement = mail_to(live_server.outbox, CALLER_EMAIL, number)
    assert SUBJECT in str(acknowledgement["Subject"])
    assert acknowledgement["Reply-To"]

    # The caller answers that mail; the agent reads the answer in the ticket.
    the_callers_reply_lands(page, live_server, acknowledgement)


def reply_by_mail(acknowledgement, text: str) -> bytes:
    """The caller's answer as their mail client writes it: their text above the quoted mail,
    to the acknowledgement's Reply-To."""
    reply = EmailMessage()
    reply["From"] = f"{CALLER_NAME} <{CALLER_EMAIL}>"
    reply["To"] = str(acknowledgement["Reply-To"])
    reply["Subject"] = f"Re: {acknowledgement['Subject']}"
    reply["Message-ID"] = make_msgid(domain="example.vn")
    reply["In-Reply-To"] = str(acknowledgement["Message-ID"])
    quoted = acknowledgement.get_body(preferencelist=("plain",)).get_content().splitlines()
    reply.set_content(
        f"{text}\n\nVào Th 2, 7 thg 12, 2026 vào lúc 09:30 Hỗ trợ TTHC "
        f"<{acknowledgement['From'].addresses[0].addr_spec}> đã viết:\n"
        + "\n".join(f"> {line}" for line in quoted)
    )
    return reply.as_bytes()


def deliver(live_server, raw: bytes) -> None:
    """Into the embedded default's maildir, as a mail server delivers (tmp/, then new/)."""
    inbox = live_server.instance_path / "inbox"
    for sub in ("tmp", "new", "cur"):
        (inbox / sub).mkdir(parents=True, exist_ok=True)
    name = f"{time.time():.6f}.{secrets.token_hex(4)}.test"
    (inbox / "tmp" / name).write_bytes(raw)
    (inbox / "tmp" / name).rename(inbox / "new" / name)


def the_callers_reply_lands(page, live_server, acknowledgement) -> None:
    """The caller answers the acknowledgement from their mail client; `flask mail fetch` (or
    the scheduler's minutely fetch, whichever comes first) adds it to the ticket once, as the
    caller's message from e-mail, without the quoted mail."""
    deliver(live_server, reply_by_mail(acknowledgement, REPLY))
    fetched = live_server.run_flask("mail", "fetch")
    assert re.fullmatch(r"[01] added, 0 refused, 0 set aside.*", fetched.stdout.strip())
    page.reload()
    messages = page.locator("[data-testid=thread] [data-testid=message]")
    expect(messages).to_have_count(1)
    expect(messages).to_contain_text(CALLER_NAME)
    expect(messages.locator(".card-body")).to_have_text(REPLY)
    expect(messages.locator("[data-testid=message-source]")).to_have_attribute(
        "data-source", "email"
    )
    snap(page, "hotline-mail-reply")
    again = live_server.run_flask("mail", "fetch")
    assert again.stdout.strip() == "0 added, 0 refused, 0 set aside"
    page.reload()
    expect(messages).to_have_count(1)


@pytest.mark.parametrize("path", ["/tickets/phone?q=pham+thi+goi", "/tickets/phone/account"])
def test_the_hotline_pages_fit_a_phone(phone_page, hotline, path):
    log_in(phone_page, AGENT, PASSWORD)
    phone_page.goto(path)
    expect(phone_page.locator("h1")).to_be_visible()
    no_sideways_scroll(phone_page)
    snap(phone_page, "hotline-" + path.strip("/").replace("/", "-").split("?")[0])
