"""A known incident, seen by an official: its banner on the home page; on the filing form, typing
a subject without diacritics suggests it with its latest update and expected time; Enter in the
subject still sends the form as "Send" does; "Đây cũng là vấn đề của tôi" files the official's
own ticket, with what they typed, attached to the incident."""

from __future__ import annotations

import re

import pytest
from e2e.axe import check_accessibility
from e2e.harness import log_in, no_sideways_scroll, snap
from playwright.sync_api import expect

OFFICIAL = "079086333444@ht.com"
AGENT = "079086333555@ht.com"
PASSWORD = "Mat-khau-su-co-2026"  # noqa: S105 - throwaway
TITLE = "Tiền lệ phí không về tài khoản thụ hưởng"
UPDATE = "Đang phối hợp với ngân hàng khôi phục kết nối."
DESCRIPTION = "Từ 8 giờ sáng, 12 hồ sơ nộp phí thành công nhưng chưa có tiền."


@pytest.fixture
def incident(live_server, app_python):
    """An open moj incident of province 75 with an update, declared by an agent; resolved at
    the end, so that the other walks of the run see no banner of it."""
    for username, role in ((OFFICIAL, "requester"), (AGENT, "agent")):
        live_server.run_flask(
            "user", "create", username, "--role", role, "--password", PASSWORD,
            "--email", f"{role}.su-co@example.vn", "--name", "Lê Văn Sự", "--province", "75",
            "--unit", "UBND phường Long Bình",
        )  # fmt: skip
    number = (
        app_python(
            "from datetime import timedelta\n"
            "from helpdesk.extensions import db\n"
            "from helpdesk.auth.services import find_user\n"
            "from helpdesk.tickets import services as tickets\n"
            "from helpdesk.timeutil import utcnow\n"
            f"for name in ({OFFICIAL!r}, {AGENT!r}):\n"
            "    find_user(name).must_change_password = False\n"
            "db.session.commit()\n"
            f"agent = find_user({AGENT!r})\n"
            f"incident = tickets.declare(agent, title={TITLE!r}, system='moj',"
            " category='payment', provinces=['75'])\n"
            f"tickets.post_update(agent, incident, {UPDATE!r},"
            " expected_at=utcnow() + timedelta(hours=3))\n"
            "print(incident.number)"
        )
        .strip()
        .splitlines()[-1]
    )
    yield number
    app_python(
        "from sqlalchemy import select\n"
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        "from helpdesk.tickets import services as tickets\n"
        "from helpdesk.tickets.models import Ticket\n"
        f"incident = db.session.scalar(select(Ticket).where(Ticket.number == {number!r}))\n"
        f"tickets.post_update(find_user({AGENT!r}), incident, 'Đã khắc phục.', resolve=True)"
    )


def filed(app_python) -> list[str]:
    """The official's tickets: number, the incident attached to, description."""
    return app_python(
        "from sqlalchemy import select\n"
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        "from helpdesk.tickets.models import Ticket\n"
        f"user = find_user({OFFICIAL!r})\n"
        "for t in db.session.scalars(select(Ticket).where(Ticket.requester_id == user.id)):\n"
        "    print(t.number, t.parent.number if t.parent else '-', repr(t.description))"
    ).splitlines()


def test_an_official_sees_the_known_incident_and_joins_it(page, live_server, app_python, incident):
    log_in(page, OFFICIAL, PASSWORD)

    banner = page.locator(f"[data-testid=incident-banner][data-incident='{incident}']")
    expect(banner).to_be_visible()  # the home page
    expect(banner).to_contain_text(TITLE)
    expect(banner).to_contain_text(UPDATE)
    expect(banner).to_contain_text(re.compile(r"Dự kiến khắc phục xong: \d\d/\d\d/\d{4} \d\d:\d\d"))
    check_accessibility(page, "the home page with a known incident")

    page.goto("/tickets/new")
    expect(banner).to_be_visible()  # on the form too, with its button
    page.locator("select[name=system]").select_option("moha")
    expect(banner).to_be_hidden()  # another system chosen: not its incident
    page.locator("select[name=system]").select_option("moj")
    expect(banner).to_be_visible()
    page.locator("select[name=category]").select_option("payment")
    page.locator("select[name=province]").select_option("75")
    subject = page.locator("input[name=subject]")
    subject.press_sequentially("tai khoang thu huong khong ve tien le phi", delay=10)

    panel = page.locator("#filing-suggestions")
    suggested = panel.locator(f"[data-incident='{incident}']")
    expect(suggested).to_be_visible()
    expect(suggested).to_contain_text(TITLE)
    expect(suggested).to_contain_text(UPDATE)
    expect(suggested).to_contain_text("Dự kiến khắc phục xong:")
    expect(page.locator("#filing-suggestions-status")).to_contain_text("1 sự cố đã biết")
    join = suggested.get_by_role("button", name="Đây cũng là vấn đề của tôi")
    expect(join).to_be_visible()
    no_sideways_scroll(page)
    check_accessibility(page, "the filing form with a known incident suggested")
    snap(page, "filing-known-incident")

    # Enter in the subject sends the form as "Send" does: the description is missing.
    subject.press("Enter")
    expect(page.locator("textarea[name=description]")).to_have_attribute("aria-invalid", "true")
    assert filed(app_python) == []
    expect(subject).to_have_value("tai khoang thu huong khong ve tien le phi")

    page.locator("textarea[name=description]").fill(DESCRIPTION)
    join = panel.locator(f"[data-incident='{incident}']").get_by_role(
        "button", name="Đây cũng là vấn đề của tôi"
    )
    join.click()

    expect(page).to_have_url(re.compile(r"/tickets/HT-\d{4}-\d+$"))
    expect(page.locator("main")).to_contain_text("Yêu cầu đã được gắn vào sự cố đã biết")
    number = page.locator("[data-testid=ticket-number]").inner_text().strip()
    assert filed(app_python) == [f"{number} {incident} {DESCRIPTION!r}"]
