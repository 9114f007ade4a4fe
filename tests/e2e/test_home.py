"""The home page in a real browser: language switch, phone layout, the 404 page."""

from __future__ import annotations

import re

from e2e.harness import log_in, no_sideways_scroll, snap
from playwright.sync_api import expect

ACTIVE = re.compile(r"(^|\s)btn-light(\s|$)")
INACTIVE = re.compile(r"(^|\s)btn-outline-light(\s|$)")


def language_button(page, language: str):
    return page.locator(f"button[name=language][value={language}]")


def test_home_page_switches_between_vietnamese_and_english(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(language_button(page, "vi")).to_have_class(ACTIVE)
    expect(language_button(page, "en")).to_have_class(INACTIVE)
    expect(page.locator("main").get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(page.locator(".navbar-brand")).to_have_text("Hệ thống hỗ trợ TTHC")

    language_button(page, "en").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(language_button(page, "en")).to_have_class(ACTIVE)
    expect(language_button(page, "vi")).to_have_class(INACTIVE)
    expect(page.locator("main").get_by_role("link", name="Log in")).to_be_visible()
    expect(page.locator(".navbar-brand")).to_have_text("TTHC Support Desk")

    language_button(page, "vi").click()

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(language_button(page, "vi")).to_have_class(ACTIVE)
    expect(page.locator("main").get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_home_page_fits_a_phone(phone_page):
    page = phone_page
    page.goto("/")
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(language_button(page, "en")).to_be_hidden()
    no_sideways_scroll(page)

    toggler.tap()

    expect(language_button(page, "en")).to_be_visible()


def test_unknown_page_shows_the_404_page(page):
    response = page.goto("/no-such-page")
    assert response is not None
    assert response.status == 404
    expect(page.locator(".navbar-brand")).to_have_text("Hệ thống hỗ trợ TTHC")
    expect(page.locator("main")).to_contain_text("404")
    expect(page.locator("main").get_by_role("link", name=re.compile("."))).to_have_attribute(
        "href", "/"
    )


def test_a_requester_finds_the_file_button_on_the_home_page_of_a_phone(phone_page, app_python):
    """The big button is on the page itself, visible without opening the menu; it leads to the
    filing form. A screenshot of the requester's home is kept as an artifact."""
    username, password = "079086555666@ht.com", "Mot-mat-khau-Dai-2026"  # noqa: S105 - throwaway
    app_python(
        "from helpdesk.auth import services\n"
        "services.create_account(services.AccountDraft(\n"
        f"    username={username!r}, password={password!r}, full_name='Đỗ Thị Hạnh',\n"
        "    province_code='75', unit='UBND phường Trấn Biên', email='hanh@example.vn'))"
    )
    page = phone_page
    log_in(page, username, password)
    page.goto("/")

    button = page.locator("[data-testid=file-ticket]")
    expect(button).to_be_visible()
    expect(button).to_have_text("Gửi yêu cầu hỗ trợ")
    expect(page.locator("[data-testid=home-my-tickets]")).to_be_visible()
    expect(page.locator("[data-testid=home-queues]")).to_have_count(0)
    no_sideways_scroll(page)
    snap(page, "requester-home-phone")

    button.tap()
    expect(page).to_have_url(re.compile(r"/tickets/new$"))


def test_an_admin_home_shows_a_waiting_registration(page, app_python, admin_login):
    """The registration is listed on the home page with a link to decide it, and counted beside
    Accounts in the menu. A screenshot of the admin's home is kept as an artifact."""
    app_python(
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth import services\n"
        "from helpdesk.auth.models import Status\n"
        "user = services.create_account(services.AccountDraft(\n"
        "    username='079087777888@ht.com', password='Mot-mat-khau-Dai-2026',\n"
        "    full_name='Võ Văn Chờ', province_code='79', unit='UBND phường Bến Thành',\n"
        "    email='cho@example.vn'))\n"
        "user.status = Status.PENDING_APPROVAL\n"
        "db.session.commit()"
    )
    username, password = admin_login
    log_in(page, username, password)
    page.goto("/")

    block = page.locator("[data-testid=home-registrations]")
    expect(block).to_contain_text("Võ Văn Chờ")
    # Other tests of the session leave registrations waiting too.
    expect(page.locator("[data-testid=waiting-registrations]")).to_have_text(
        re.compile(r"^[1-9]\d* ")
    )
    snap(page, "admin-home-waiting-registration")

    block.get_by_role("link", name="Phê duyệt hoặc từ chối").click()
    expect(page).to_have_url(re.compile(r"/accounts/pending$"))
    expect(page.locator("main")).to_contain_text("Võ Văn Chờ")
