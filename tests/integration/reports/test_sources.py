"""Tickets by source: the dashboard counts the period's tickets by where they were filed (web,
API, mail, a call), within its reader's reach, each figure opening its issue list; the issue
list filters by source and its exports carry the source."""

from __future__ import annotations

import csv
import html as html_lib
import io
import itertools
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Ticket

NOW = datetime.now(UTC)
NUMBERS = itertools.count(900)
# system, province, source, days ago: the last week's tickets, and some of long ago.
ROWS = [
    ("moj", "79", "web", 2),
    ("moj", "79", "phone", 2),
    ("moj", "79", "phone", 3),
    ("moj", "01", "api", 4),
    ("moj", "01", "email", 5),
    ("moha", "79", "phone", 2),
    ("moha", "79", "email", 3),
    ("moha", "01", "web", 3),
    ("moha", "01", "web", 6),
    ("moj", "79", "phone", 500),  # before the period
    ("moha", "01", "email", 500),
]


@pytest.fixture
def filed(db, make_user):
    requester = make_user("requester")
    queue_id = db.session.scalar(select(Queue.id).where(Queue.code == "moj-it"))
    for system, province, source, days in ROWS:
        db.session.add(
            Ticket(
                number=f"HT-2026-{next(NUMBERS):06d}",
                subject="Tiền lệ phí chưa về",
                description="d",
                system_code=system,
                category_code="payment",
                province_code=province,
                requester_id=requester.id,
                queue_id=queue_id,
                status="new",
                priority=3,
                source=source,
                created_at=NOW - timedelta(days=days),
            )
        )
    # An incident declared by phone is no official's problem: no figure counts it.
    db.session.add(
        Ticket(
            number=f"HT-2026-{next(NUMBERS):06d}",
            kind="incident",
            subject="Sự cố",
            description="d",
            system_code="moj",
            category_code="payment",
            province_code="79",
            requester_id=requester.id,
            queue_id=queue_id,
            status="open",
            priority=2,
            source="phone",
            created_at=NOW - timedelta(days=2),
        )
    )
    db.session.commit()


def by_hand(*, system: str | None = None, province: str | None = None) -> dict[str, int]:
    counted = Counter(
        source
        for row_system, row_province, source, days in ROWS
        if days < 365 and system in (None, row_system) and province in (None, row_province)
    )
    return {source: counted.get(source, 0) for source in ("web", "api", "email", "phone")}


def source_figures(client, url: str = "/reports/") -> dict[str, tuple[int, str]]:
    """(count, issue list link) of each source, as the dashboard shows them."""
    page = client.get(url).get_data(as_text=True)
    block = page.split('data-testid="report-sources"')[1].split("</section>")[0]
    found = re.findall(r'data-source="(\w+)".*?<a href="([^"]+)">([\d.,]+)</a>', block, re.DOTALL)
    return {source: (int(count), html_lib.unescape(link)) for source, link, count in found}


def csv_rows(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize(
    ("reader", "reach"),
    [
        ("national observer", {}),
        ("moj observer", {"system": "moj"}),
        ("coordinator 79", {"province": "79"}),
        ("admin", {}),
    ],
)
def test_the_dashboard_counts_the_periods_tickets_by_source_within_reach(
    db, browser, make_user, filed, reader, reach
):
    user = {
        "national observer": lambda: make_user("observer"),
        "moj observer": lambda: make_user("observer", systems=("moj",)),
        "coordinator 79": lambda: make_user("coordinator", province_code="79"),
        "admin": lambda: make_user("admin"),
    }[reader]()
    figures = source_figures(browser(user, "en"))
    assert {source: count for source, (count, _link) in figures.items()} == by_hand(**reach)


def test_an_observer_bound_to_moj_does_not_count_mohas_calls(db, browser, make_user, filed):
    reader = browser(make_user("observer", systems=("moj",)), "en")
    assert source_figures(reader)["phone"][0] == 2
    assert source_figures(reader, "/reports/?system=moha")["phone"][0] == 0


def test_each_figure_opens_the_issue_list_of_its_tickets(db, browser, make_user, filed):
    admin = browser(make_user("admin"), "en")
    for source, (count, link) in source_figures(admin, "/reports/?province=79").items():
        assert f"source={source}" in link and "province=79" in link
        export = link.replace("/reports/issues?", "/reports/issues.csv?")
        rows = csv_rows(admin, export)[1:]
        assert len(rows) == count, source
        assert {row[14] for row in rows} <= {dict(SOURCE_WORDS)[source]}


SOURCE_WORDS = [("web", "Web form"), ("api", "API"), ("email", "E-mail"), ("phone", "Phone call")]


def test_the_issue_list_and_its_exports_carry_the_source(db, browser, make_user, filed):
    admin = browser(make_user("admin"), "en")
    rows = csv_rows(admin, "/reports/issues.csv")
    assert rows[0][14] == "Source"
    assert Counter(row[14] for row in rows[1:]) == Counter(
        dict(SOURCE_WORDS)[source] for source, count in by_hand().items() for _ in range(count)
    )
    page = admin.get("/reports/issues?source=phone").get_data(as_text=True)
    assert page.count('<tr data-number="') == by_hand()["phone"]
    refused = admin.get("/reports/issues?source=fax").get_data(as_text=True)
    assert 'data-testid="filter-problem"' in refused
    assert refused.count('<tr data-number="') == sum(by_hand().values())
