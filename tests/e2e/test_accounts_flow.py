"""An official's account from registration to a changed password, in a real browser:
register, confirm the e-mail from the outbox, admin approval, first login, password change."""

from __future__ import annotations

import re

from e2e.harness import link_path, mail_to
from playwright.sync_api import expect

CCCD = "079090654321"  # place of birth 079, born 1990; not the admin's CCCD
USERNAME = f"{CCCD}@ht.com"
FULL_NAME = "Trần Thị Thu Hà"
ADDRESS = "thu.ha.register@example.vn"
FIRST_PASSWORD = "Hai-nghin-khong-tram-26"  # noqa: S105 - throwaway
NEW_PASSWORD = "Ba-nghin-le-mot-27"  # noqa: S105 - throwaway


def to_english(page) -> None:
    page.goto("/")
    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def log_in(page, username: str, password: str) -> None:
    page.goto("/auth/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page.locator("[data-testid=current-user]")).to_be_visible()


def log_out(page) -> None:
    page.wait_for_load_state()  # the menu opens once Bootstrap's script has run
    page.locator("[data-testid=current-user]").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("[data-testid=current-user]")).to_have_count(0)


def test_official_registers_confirms_is_approved_and_changes_password(
    page, live_server, admin_login
):
    to_english(page)

    # Register.
    page.goto("/auth/register")
    page.locator("input[name=cccd]").fill(CCCD)
    page.locator("select[name=domain]").select_option("ht.com")
    page.locator("input[name=full_name]").fill(FULL_NAME)
    page.locator("input[name=email]").fill(ADDRESS)
    page.locator("input[name=phone]").fill("0903123456")
    page.locator("select[name=province]").select_option("79")
    page.locator("input[name=unit]").fill("UBND Phường Bến Thành")
    page.locator("input[name=password]").fill(FIRST_PASSWORD)
    page.locator("input[name=password_confirm]").fill(FIRST_PASSWORD)
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page.locator("main h1")).to_have_text("Check your e-mail")
    expect(page.locator("main")).to_contain_text(ADDRESS)

    # Not yet confirmed: the login says so.
    page.goto("/auth/login")
    page.locator("input[name=username]").fill(CCCD)
    page.locator("input[name=password]").fill(FIRST_PASSWORD)
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page.locator("main")).to_contain_text("Confirm your e-mail address first")

    # Confirm the address from the mail: GET shows a button, POST confirms.
    verify = link_path(mail_to(live_server.outbox, ADDRESS), "/auth/verify/", live_server.url)
    page.goto(verify)
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.locator("main .alert-success")).to_contain_text("your e-mail address is confirmed")

    # The link works once.
    response = page.goto(verify)
    assert response is not None
    assert response.status == 400

    # Waiting for approval.
    page.goto("/auth/login")
    page.locator("input[name=username]").fill(USERNAME)
    page.locator("input[name=password]").fill(FIRST_PASSWORD)
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page.locator("main")).to_contain_text("waiting for approval")

    # The admin approves it.
    admin_username, admin_password = admin_login
    log_in(page, admin_username, admin_password)
    page.goto("/accounts/pending")
    row = page.locator("tr[data-user-id]", has_text=FULL_NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(ADDRESS)
    row.get_by_role("button", name="Approve").click()
    expect(page.locator("main .alert-success")).to_contain_text(f"{FULL_NAME} is approved")
    expect(page.locator("tr[data-user-id]", has_text=FULL_NAME)).to_have_count(0)
    log_out(page)

    # The official logs in (bare CCCD) and changes the password.
    log_in(page, CCCD, FIRST_PASSWORD)
    expect(page.locator("[data-testid=current-user]")).to_contain_text(FULL_NAME)
    page.goto("/auth/password")
    expect(page.locator("[data-testid=password-change-required]")).to_have_count(0)
    page.locator("input[name=current_password]").fill(FIRST_PASSWORD)
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.locator("input[name=password_confirm]").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page.locator("main .alert-success")).to_contain_text("Your password is changed")
    log_out(page)

    # The new password works (the login form allows few attempts a minute: no wrong one here).
    log_in(page, USERNAME, NEW_PASSWORD)
    expect(page.locator("[data-testid=current-user]")).to_contain_text(FULL_NAME)
