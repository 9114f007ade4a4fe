"""Who reads which figures: a ministry's observer reads its systems' figures only, a national
observer every system's, a coordinator its province's only (with its tickets by commune); in
the dashboard, its filters, the exports and the home page's key figures, never personal data."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from helpdesk.auth.models import Unit
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Ticket

NOW = datetime.now(UTC)
NUMBERS = itertools.count(700)
SECRET_NAME = "Nguyễn Thị Riêng Tư"
SECRET_SUBJECT = "TIGER79 tiền lệ phí chưa về"
SECRET_TEXT = "DESCTIGER79 chi tiết hồ sơ"
UNKNOWN_UNIT = "Không rõ đơn vị"


def kpis(html: str) -> list[str]:
    return [value.split("<")[0] for value in html.split('data-testid="kpi">')[1:]]


def options(html: str, select_id: str) -> list[str]:
    """The values a filter of the dashboard offers (the empty "All" included, as "")."""
    block = html.split(f'id="{select_id}"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"', block)


def section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"')[1].split("</section>")[0]


def csv_rows(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def home_figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">(\d+)<', html).group(1)


@pytest.fixture
def tickets(db, make_user):
    """Eight tickets of the last week: moj and moha, in provinces 79 and 01; province 79's in
    two communes (3 and 2 tickets) and one of no unit."""
    requester = make_user("requester", full_name=SECRET_NAME)
    queue_id = db.session.scalar(select(Queue.id).where(Queue.code == "moj-it"))
    ben_thanh = Unit(province_code="79", name="Phường Bến Thành TEST", kind="ward")
    tan_dinh = Unit(province_code="79", name="Phường Tân Định TEST", kind="ward")
    db.session.add_all([ben_thanh, tan_dinh])
    db.session.flush()
    rows = [
        # system, province, unit, status, resolved, breached
        ("moj", "79", ben_thanh, "new", False, False),
        ("moj", "79", ben_thanh, "open", False, True),
        ("moj", "79", ben_thanh, "resolved", True, False),
        ("moj", "01", None, "new", False, False),
        ("moha", "79", tan_dinh, "new", False, False),
        ("moha", "79", tan_dinh, "closed", True, False),
        ("moha", "79", None, "open", False, False),
        ("moha", "01", None, "open", False, False),
    ]
    for system, province, unit, status, resolved, breached in rows:
        db.session.add(
            Ticket(
                number=f"HT-2026-{next(NUMBERS):06d}",
                subject=SECRET_SUBJECT,
                description=SECRET_TEXT,
                system_code=system,
                category_code="payment",
                province_code=province,
                unit_id=unit.id if unit else None,
                requester_id=requester.id,
                queue_id=queue_id,
                status=status,
                priority=3,
                created_at=NOW - timedelta(days=2),
                resolved_at=NOW - timedelta(days=1) if resolved else None,
                resolution_breached_at=NOW - timedelta(days=1) if breached else None,
            )
        )
    db.session.commit()
    return requester


def test_an_observer_bound_to_moj_reads_moj_figures_only(db, browser, make_user, tickets):
    observer = make_user("observer", systems=("moj",))
    reader = browser(observer)

    html = reader.get("/reports/").get_data(as_text=True)
    assert kpis(html)[:2] == ["4", "3"]  # moj's four tickets, three of them open
    assert options(html, "system") == ["", "moj"]
    assert 'data-key="moha"' not in section(html, "report-systems")

    # Asking for another ministry's system counts nothing of it.
    html = reader.get("/reports/?system=moha").get_data(as_text=True)
    assert kpis(html)[:2] == ["0", "0"]

    rows = csv_rows(reader, "/reports/export.csv")
    assert ["system", "moj", "Bộ Tư pháp", "4"] in rows
    assert not [row for row in rows if row[1] == "moha"]
    assert sum(int(row[3]) for row in rows if row[0] == "status") == 4
    assert csv_rows(reader, "/reports/export.csv?system=moha")[1:] == []

    sheet = load_workbook(io.BytesIO(reader.get("/reports/export.xlsx?system=moha").data)).active
    assert len(list(sheet.iter_rows(values_only=True))) == 1  # the header alone

    home = reader.get("/").get_data(as_text=True)
    assert (home_figure(home, "open"), home_figure(home, "filed")) == ("3", "4")
    assert home_figure(home, "overdue") == "1"


def test_an_observer_of_two_systems_and_a_national_one_read_both(db, browser, make_user, tickets):
    for observer in (make_user("observer", systems=("moha", "moj")), make_user("observer")):
        reader = browser(observer)
        html = reader.get("/reports/").get_data(as_text=True)
        assert kpis(html)[0] == "8"
        assert {"moj", "moha"} <= set(options(html, "system"))
        rows = csv_rows(reader, "/reports/export.csv")
        assert ["system", "moha", "Bộ Nội vụ", "4"] in rows
        assert home_figure(reader.get("/").get_data(as_text=True), "filed") == "8"


def test_a_coordinator_reads_its_province_only_with_its_communes(db, browser, make_user, tickets):
    coordinator = make_user("coordinator", province_code="79")
    reader = browser(coordinator)

    for url in ("/reports/", "/reports/?province=01"):
        html = reader.get(url).get_data(as_text=True)
        assert kpis(html)[0] == "6", url  # the two tickets of province 01 are never counted
        assert options(html, "province") == ["79"]
        provinces = section(html, "report-provinces")
        assert 'data-key="79"' in provinces and 'data-key="01"' not in provinces
        units = section(html, "report-units")
        counts = re.findall(
            r'<th scope="row" class="fw-normal">([^<]+)</th><td class="text-end">(\d+)<', units
        )
        assert counts == [
            ("Phường Bến Thành TEST", "3"),
            ("Phường Tân Định TEST", "2"),
            (UNKNOWN_UNIT, "1"),
        ]

    rows = csv_rows(reader, "/reports/export.csv?province=01")
    assert [row for row in rows if row[0] == "province"] == [
        ["province", "79", "TP. Hồ Chí Minh", "6"]
    ]
    units = [row[2:] for row in rows if row[0] == "unit"]
    assert units == [
        ["Phường Bến Thành TEST", "3"],
        ["Phường Tân Định TEST", "2"],
        [UNKNOWN_UNIT, "1"],
    ]

    home = reader.get("/").get_data(as_text=True)
    assert (home_figure(home, "open"), home_figure(home, "filed")) == ("4", "6")


def test_a_coordinator_and_a_ministry_observer_narrow_each_other_out(
    db, browser, make_user, tickets
):
    """The reach and the filters add up: a coordinator asking for a system gets that system's
    tickets of its province; the unit breakdown follows."""
    reader = browser(make_user("coordinator", province_code="79"))
    html = reader.get("/reports/?system=moha").get_data(as_text=True)
    assert kpis(html)[0] == "3"
    assert "Phường Bến Thành TEST" not in section(html, "report-units")


def test_units_show_when_anyone_narrows_to_one_province(db, browser, make_user, tickets):
    reader = browser(make_user("admin"))
    assert 'data-testid="report-units"' not in reader.get("/reports/").get_data(as_text=True)
    html = reader.get("/reports/?province=79").get_data(as_text=True)
    assert "Phường Bến Thành TEST" in section(html, "report-units")
    assert not [row for row in csv_rows(reader, "/reports/export.csv") if row[0] == "unit"]


@pytest.mark.parametrize("who", ["observer", "bound observer", "coordinator"])
def test_readers_never_see_personal_data(db, browser, make_user, tickets, who):
    fields = {"observer": {}, "bound observer": {"systems": ("moj",)}}.get(
        who, {"province_code": "79"}
    )
    reader = browser(make_user(who.split()[-1], **fields))
    pages = ["/", "/reports/", "/reports/?province=79", "/reports/export.csv?province=79"]
    for url in pages:
        body = reader.get(url).get_data(as_text=True)
        for secret in (SECRET_NAME, SECRET_SUBJECT, SECRET_TEXT, tickets.cccd, tickets.email):
            assert secret not in body, (url, secret)
    xlsx = reader.get("/reports/export.xlsx?province=79").data
    cells = {
        str(c)
        for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)
        for c in row
    }
    assert not cells & {SECRET_NAME, SECRET_SUBJECT, SECRET_TEXT}


def test_a_coordinator_without_a_province_reads_nothing(db, browser, make_user, tickets):
    """No form makes one (a coordinator needs a province); an account changed in the database
    behind the product's back must still read nothing rather than everything."""
    coordinator = make_user("coordinator", province_code="79")
    reader = browser(coordinator)
    coordinator.province_code = None
    db.session.commit()
    assert kpis(reader.get("/reports/").get_data(as_text=True))[0] == "0"
    assert home_figure(reader.get("/").get_data(as_text=True), "filed") == "0"


def test_scoped_pages_cost_a_constant_number_of_statements(
    db, browser, make_user, tickets, count_queries
):
    reader = browser(make_user("coordinator", province_code="79"))
    reader.get("/reports/")

    def statements() -> int:
        with count_queries() as seen:
            assert reader.get("/reports/").status_code == 200
        return len(seen)

    few = statements()
    extra = Unit(province_code="79", name="Xã Thêm TEST", kind="commune")
    db.session.add(extra)
    db.session.flush()
    for number in range(12):
        db.session.add(
            Ticket(
                number=f"HT-2026-{900 + number:06d}",
                subject="s",
                description="d",
                system_code="moj" if number % 2 else "moha",
                category_code="account",
                province_code="79",
                unit_id=extra.id if number % 3 else None,
                requester_id=tickets.id,
                queue_id=1,
                status="new",
                priority=3,
                created_at=NOW - timedelta(days=3),
            )
        )
    db.session.commit()
    assert statements() == few
