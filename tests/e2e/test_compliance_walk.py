"""Compliance where it happens, in a browser: an observer of the Ministry of Justice opens the
compliance table from the reports, narrows it to a month, and clicks a figure; the issue list
opens with the same period, system and province and lists that figure's tickets (the breached
count adds `sla=missed`: the one breached ticket).

The tickets are of January 2025, a month no other walk files in; the observer's ministry is
moj, so the Ministry of Home Affairs' ticket of the same province is never shown."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from e2e.harness import log_in, no_sideways_scroll, snap
from playwright.sync_api import expect

OBSERVER = "001088500001@ht.com"
PASSWORD = "Tuan-thu-Thoi-han-2026"  # noqa: S105 - a throwaway account of the live server
FROM, TO = "2025-01-01", "2025-01-31"
PLACE = "moj/48"  # Đà Nẵng


@pytest.fixture
def january(live_server, app_python):
    """The observer (bound to moj by the command line) and four tickets of January 2025 in
    Đà Nẵng: three of moj (one of them breached), one of moha."""
    live_server.run_flask(
        "user", "create", OBSERVER, "--role", "observer", "--system", "moj",
        "--password", PASSWORD, "--email", "quan.sat.moj@example.vn",
        "--name", "Quan sát Bộ Tư pháp",
    )  # fmt: skip
    app_python(
        "from datetime import UTC, datetime, timedelta\n"
        "from sqlalchemy import select\n"
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth import services\n"
        "from helpdesk.routing.models import Queue\n"
        "from helpdesk.tickets.models import Ticket\n"
        f"services.find_user({OBSERVER!r}).must_change_password = False\n"
        "requester = services.create_account(services.AccountDraft(username='048088500002@ht.com',"
        " role='requester', password='Mot-mat-khau-dai-2026', full_name='Cán bộ Đà Nẵng',"
        " email='can.bo.dn@example.vn', province_code='48'))\n"
        "queue = db.session.scalar(select(Queue.id).where(Queue.code == 'moj-it'))\n"
        "filed = datetime(2025, 1, 10, 2, 0, tzinfo=UTC)\n"
        "for index, (system, late) in enumerate([('moj', None), ('moj', None),"
        " ('moj', filed + timedelta(hours=8)), ('moha', None)]):\n"
        "    db.session.add(Ticket(number=f'HT-2025-{990001 + index}', subject='Tiền chưa về',"
        " description='Chi tiết', system_code=system, category_code='payment',"
        " province_code='48', requester_id=requester.id, queue_id=queue, priority=3,"
        " status='resolved', created_at=filed, first_responded_at=filed + timedelta(hours=1),"
        " first_response_due=filed + timedelta(hours=4), resolved_at=filed + timedelta(hours=30),"
        " resolution_breached_at=late))\n"
        "db.session.commit()"
    )


def test_an_observer_clicks_a_compliance_figure_and_gets_its_issue_list(
    open_context, live_server, january
):
    page = open_context().new_page()
    log_in(page, OBSERVER, PASSWORD)
    page.goto("/reports/")
    page.locator("[data-testid=compliance-link]").click()
    expect(page.locator("main h1")).to_have_text(
        "Tuân thủ thời hạn theo địa bàn, hàng đợi và nhóm vấn đề"
    )
    filters = page.locator("[data-testid=compliance-filters]")
    filters.locator("input[name=from]").fill(FROM)
    filters.locator("input[name=to]").fill(TO)
    filters.get_by_role("button", name="Xem").click()

    places = page.locator("[data-testid=compliance-places]")
    row = places.locator(f"tr[data-key='{PLACE}']")
    expect(row.locator("[data-figure=tickets]")).to_have_text("3")
    expect(row.locator("[data-figure=resolution_percent]")).to_have_text("66,7 %")
    expect(row.locator("[data-figure=breached]")).to_have_text("1")
    expect(places.locator("tr[data-key='moha/48']")).to_have_count(0)
    snap(page, "compliance")

    row.locator("[data-figure=tickets] a").click()
    page.wait_for_url("**/reports/issues?**")
    address = urlsplit(page.url)
    assert address.path == "/reports/issues"
    period = {"from": [FROM], "to": [TO], "system": ["moj"], "province": ["48"]}
    assert parse_qs(address.query) == period
    listed = page.locator("[data-testid=issues] tr[data-number]")
    expect(listed).to_have_count(3)
    assert sorted(listed.evaluate_all("rows => rows.map(row => row.dataset.number)")) == [
        "HT-2025-990001",
        "HT-2025-990002",
        "HT-2025-990003",
    ]

    page.go_back()
    places.locator(f"tr[data-key='{PLACE}'] [data-figure=breached] a").click()
    page.wait_for_url("**/reports/issues?**")
    assert parse_qs(urlsplit(page.url).query) == period | {"sla": ["missed"]}
    expect(listed).to_have_count(1)
    expect(listed).to_have_attribute("data-number", "HT-2025-990003")

    phone = open_context("phone").new_page()
    log_in(phone, OBSERVER, PASSWORD)
    phone.goto(f"/reports/compliance?from={FROM}&to={TO}")
    expect(phone.locator(f"tr[data-key='{PLACE}'] [data-figure=tickets]")).to_have_text("3")
    no_sideways_scroll(phone)  # the wide tables scroll inside their frame
    snap(phone, "compliance")
