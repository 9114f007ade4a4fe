"""axe-core on the main pages of every role, on a desktop and on a phone: no serious or
critical WCAG 2.1 A/AA violation. Each page is also kept as a screenshot (see harness.snap).
Keyboard use: the menu and its dropdowns open and are walked without a mouse."""

from __future__ import annotations

import re

import pytest
from e2e.axe import describe, serious_violations
from e2e.harness import log_in, snap
from playwright.sync_api import expect

PASSWORD = "Kiem-tra-Tiep-can-2026"
ACCOUNTS = {
    "requester": "079086100001@ht.com",
    "agent": "079086100002@ht.com",
    "supervisor": "079086100003@ht.com",
}
SUBJECT = "Không tra cứu được hồ sơ đã nộp"

# The pages each role is checked on ("ticket" is the walk's own ticket); a page shared by
# every role (profile, reports) is checked once, as the first role that has it.
PAGES = {
    "anonymous": {
        "home": "/",
        "login": "/auth/login",
        "register": "/auth/register",
        "password-reset": "/auth/reset",
        "directory": "/directory",
        "help": "/help",
        "article": "/help/{article}",
    },
    "requester": {
        "home": "/",
        "ticket-new": "/tickets/new",
        "ticket-list": "/tickets/",
        "ticket-requester": "/tickets/{ticket}",
        "profile": "/auth/profile",
        "password-change": "/auth/password",
        "api-tokens": "/account/tokens/",
    },
    "agent": {
        "home": "/",
        "queue": "/tickets/queue",
        "ticket-agent": "/tickets/{ticket}",
        "incident": "/tickets/{incident}",
        "take-call": "/tickets/phone?q=tiep+can",
        "call-ticket": "/tickets/phone/{caller}",
        "caller-account": "/tickets/phone/account?q=079086100009",
    },
    "supervisor": {
        "home": "/",
        "unanswered": "/sla/unanswered",
        "reports": "/reports/",
        "compliance": "/reports/compliance",
        "issues": "/reports/issues",
    },
    "admin": {
        "home": "/",
        "accounts": "/accounts/",
        "account-new": "/accounts/new",
        "accounts-pending": "/accounts/pending",
        "accounts-import": "/accounts/import",
        "directory-keepers": "/directory",
        "directory-new": "/directory/new",
        "directory-import": "/directory/import",
        "help-writers": "/help",
        "article-new": "/help/new",
        "article-edit": "/help/{article}/edit",
        "announcements": "/admin/announcements/",
        "routing-queues": "/admin/routing/queues",
        "routing-queue-new": "/admin/routing/queues/new",
        "routing-rules": "/admin/routing/rules",
        "routing-rule-new": "/admin/routing/rules/new",
        "routing-tester": "/admin/routing/tester",
        "sla-policies": "/sla/policies",
        "sla-policy-new": "/sla/policies/new",
        "calendars": "/sla/calendars",
        "calendar": "/sla/calendars/1",
        "canned-replies": "/tickets/canned",
        "canned-reply-new": "/tickets/canned/new",
        "outbox": "/admin/outbox/",
        "mail-set-aside": "/admin/mail/",
        "units": "/admin/units/?province=79",
        "unit": "/admin/units/1",
        "unit-new": "/admin/units/new?province=79",
        "units-unlisted": "/admin/units/unlisted?province=79",
    },
}

# Pages whose templates are being rewritten elsewhere: their remaining violations, by rule id,
# are not failed on here. Remove an entry once its page is rewritten; the test then holds it.
BEING_REWRITTEN: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def walk(live_server, app_python, join_routed_queue, admin_password_kept):
    """The accounts of the walk, first password change waived, and one ticket of the requester
    in a queue of the agent; returns {role: (username, password)} and the ticket's number."""
    for role, username in ACCOUNTS.items():
        live_server.run_flask(
            "user", "create", username, "--role", role, "--password", PASSWORD,
            "--email", f"{role}.a11y@example.vn", "--name", f"Tiếp Cận {role.title()}",
            "--province", "75",
        )  # fmt: skip
    join_routed_queue(ACCOUNTS["agent"], "moj", "account", "75", 3)
    number = (
        app_python(
            "from helpdesk.extensions import db\n"
            "from helpdesk.auth.services import find_user\n"
            "from helpdesk.tickets import services as tickets\n"
            f"for name in {list(ACCOUNTS.values())!r}:\n"
            "    find_user(name).must_change_password = False\n"
            "db.session.commit()\n"
            f"requester = find_user({ACCOUNTS['requester']!r})\n"
            "draft = tickets.TicketDraft(system='moj', category='account', province='75',"
            f" subject={SUBJECT!r}, description='Cổng báo lỗi khi tra cứu mã hồ sơ.',"
            " unit='UBND xã Tân Phú', priority=3)\n"
            "print(tickets.create_ticket(requester, draft).number)"
        )
        .strip()
        .splitlines()[-1]
    )
    logins = {role: (username, PASSWORD) for role, username in ACCOUNTS.items()}
    logins["admin"] = admin_password_kept
    return logins, number


@pytest.fixture(scope="module")
def incident(walk, app_python):
    """An incident the agent declared, with a ticket of its own attached; its number."""
    logins, _number = walk
    return (
        app_python(
            "from helpdesk.auth.services import find_user\n"
            "from helpdesk.tickets import services as tickets\n"
            f"agent = find_user({logins['agent'][0]!r})\n"
            "draft = tickets.TicketDraft(system='moj', category='account', province='75',"
            " subject='Không đăng nhập được bằng tài khoản VNeID', description='Từ 8 giờ sáng.',"
            " unit='UBND xã Tân Phú', priority=3)\n"
            f"ticket = tickets.create_ticket(find_user({ACCOUNTS['requester']!r}), draft)\n"
            "incident = tickets.declare(agent, title='Lỗi đăng nhập VNeID', system='moj',"
            " provinces=['75'], numbers=[ticket.number])\n"
            "print(incident.number)"
        )
        .strip()
        .splitlines()[-1]
    )


@pytest.fixture(scope="module")
def caller(walk, app_python):
    """The requester's account id: the official whose call the agent files."""
    return (
        app_python(
            "from helpdesk.auth.services import find_user\n"
            f"print(find_user({ACCOUNTS['requester']!r}).id)"
        )
        .strip()
        .splitlines()[-1]
    )


@pytest.fixture(scope="module")
def article(live_server, app_python, admin_password_kept):
    """A published help article with a list, a link and a table, by the admin; its slug."""
    return (
        app_python(
            "from helpdesk.auth.services import find_user\n"
            "from helpdesk.help import services as help\n"
            f"admin = find_user({live_server.admin_username!r})\n"
            "draft = help.ArticleDraft(title='Khai báo tài khoản thụ hưởng',"
            " summary='Các bước khai báo trên Hệ thống.', systems=('moj',),"
            " categories=('payment',),"
            " body='## Các bước\\n\\n1. Đăng nhập\\n2. Chọn *Cấu hình*\\n\\n"
            "| Trường | Ví dụ |\\n| --- | --- |\\n| Số tài khoản | 0123 |\\n\\n"
            "[Cổng dịch vụ công](https://dichvucong.gov.vn)')\n"
            "print(help.publish(admin, help.create_draft(admin, draft)).slug)"
        )
        .strip()
        .splitlines()[-1]
    )


@pytest.fixture(scope="module")
def admin_password_kept(live_server, app_python):
    """The admin's login, its first-login password change waived (as admin_login does)."""
    app_python(
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        f"find_user({live_server.admin_username!r}).must_change_password = False\n"
        "db.session.commit()"
    )
    return live_server.admin_username, live_server.admin_password


def open_menus(page, viewport: str) -> None:
    """Unfold what the page hides behind buttons: the phone's menu and the user menu."""
    if viewport == "phone":
        page.locator(".navbar-toggler").click()
        expect(page.locator("#nav-main")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    user_menu = page.locator("[data-testid=current-user]")
    if user_menu.count():
        user_menu.click()
        expect(user_menu).to_have_attribute("aria-expanded", "true")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("role", list(PAGES))
def test_main_pages_have_no_serious_accessibility_violation(
    open_context, walk, article, incident, caller, role, viewport
):
    logins, number = walk
    page = open_context(viewport).new_page()
    if role != "anonymous":
        log_in(page, *logins[role])
    failures = []

    def check(name: str, where: str) -> None:
        snap(page, f"{role}-{name}")
        violations = serious_violations(page, BEING_REWRITTEN.get(name, set()))
        if violations:
            failures.append(describe(violations, f"{name} ({where}) as {role} on {viewport}"))

    for name, path in PAGES[role].items():
        response = page.goto(
            path.format(ticket=number, article=article, incident=incident, caller=caller)
        )
        assert response is not None and response.status == 200, f"{role} {path}: {response}"
        expect(page.locator("main")).to_be_visible()
        check(name, path)
    # What only shows on demand: the menus unfolded, a form's errors.
    page.goto("/")
    open_menus(page, viewport)
    check("menus", "/ with its menus open")
    if role == "anonymous":
        page.goto("/auth/login")
        page.locator("input[name=username]").fill("079099000000@ht.com")  # no such account
        page.locator("input[name=password]").fill("not-the-password")
        page.locator("main form button[type=submit]:not([form])").click()
        expect(page.locator("main .alert-danger, main .invalid-feedback").first).to_be_visible()
        check("login-failed", "/auth/login after a wrong password")
        page.goto("/auth/register")
        page.locator("main form").evaluate("form => { form.noValidate = true; }")
        page.locator("main form button[type=submit]:not([form])").click()
        invalid = page.locator("main [aria-invalid=true]")
        expect(invalid.first).to_be_visible()
        for field in invalid.all():  # each field's errors are read with it
            described = (field.get_attribute("aria-describedby") or "").split()
            assert any(page.locator(f"#{ref}.invalid-feedback").count() for ref in described)
        check("register-failed", "/auth/register sent empty")
    assert not failures, "\n".join(failures)


def test_the_check_finds_an_unlabelled_field_and_a_repeated_id(open_context):
    """The check itself: a form control stripped of its label is reported, with its selector;
    so is an id given twice."""
    page = open_context("desktop").new_page()
    page.goto("/auth/login")
    assert serious_violations(page) == []
    page.evaluate("document.querySelector('label[for=username]').remove()")

    found = {violation["id"]: violation for violation in serious_violations(page)}

    assert "label" in found, found
    assert found["label"]["targets"] == ["#username"]
    assert "#username" in describe(list(found.values()), "login")
    page.evaluate("document.querySelector('main').append(document.createElement('p'))")
    page.evaluate("document.querySelector('main p:last-child').id = 'password'")
    found = {violation["id"]: violation for violation in serious_violations(page)}
    assert found["duplicate-id"]["targets"] == ["#password"]


# ---------------------------------------------------------------- keyboard use


def focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focus is on `selector`; fail when it never gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    pytest.fail(f"{selector} never takes the focus with Tab ({limit} presses)")


def focus_ring(page) -> str:
    """The outline or shadow that shows the focused element ("" when there is none)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                return style.outline;
            return style.boxShadow === "none" ? "" : style.boxShadow;
        }"""
    )


def test_skip_link_leads_to_the_content_with_a_visible_focus(open_context):
    page = open_context("desktop").new_page()
    page.goto("/")

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Chuyển đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert focus_ring(page), "the focused skip link shows no focus ring"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


@pytest.mark.parametrize("key", ["Enter", " "])
def test_menus_open_and_are_walked_with_the_keyboard_on_a_desktop(open_context, walk, key):
    logins, _number = walk
    page = open_context("desktop").new_page()
    log_in(page, *logins["admin"])
    page.goto("/")

    administration = page.get_by_role("button", name="Quản trị")
    tab_to(page, "#nav-main .dropdown-toggle")
    expect(administration).to_be_focused()
    assert focus_ring(page), "the focused menu button shows no focus ring"
    page.keyboard.press(key)
    expect(administration).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Điều phối", exact=True)).to_be_focused()
    assert focus_ring(page), "the focused menu item shows no focus ring"
    page.keyboard.press("Escape")
    expect(administration).to_have_attribute("aria-expanded", "false")
    expect(administration).to_be_focused()

    tab_to(page, "[data-testid=current-user]")
    page.keyboard.press(key)
    expect(page.locator("[data-testid=current-user]")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/auth/profile$"))


def test_phone_menu_opens_and_is_walked_with_the_keyboard(open_context, walk):
    logins, _number = walk
    page = open_context("phone").new_page()
    log_in(page, *logins["admin"])
    page.goto("/")
    toggler = page.locator(".navbar-toggler")
    expect(page.locator("#nav-main")).to_be_hidden()

    tab_to(page, ".navbar-toggler")
    assert focus_ring(page), "the focused menu button shows no focus ring"
    page.keyboard.press("Enter")

    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav-main")).to_be_visible()
    tab_to(page, "#nav-main .dropdown-toggle")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Điều phối", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/routing/queues$"))
    expect(page.locator("main h1")).to_be_visible()
