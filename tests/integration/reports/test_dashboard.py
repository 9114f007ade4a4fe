"""The observers' dashboard: aggregates only, for observers, supervisors and admins."""

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from helpdesk.catalogue.models import Category
from helpdesk.reports import queries
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Ticket

NOW = datetime.now(UTC)
NUMBERS = itertools.count(500)


@pytest.fixture
def tickets(db, make_user):
    requester = make_user("requester", full_name="Nguyễn Văn Bí Mật")
    queue_id = db.session.scalar(select(Queue.id).where(Queue.code == "moj-it"))
    rows = [
        ("moj", "payment", "75", "new", None, None),
        ("moj", "account", "75", "resolved", NOW - timedelta(days=2), None),
        ("moha", "payment", "01", "closed", NOW - timedelta(days=3), NOW - timedelta(days=4)),
        ("moha", "dossier", "01", "open", None, None),
    ]
    for number, (system, category, province, status, resolved_at, breached_at) in enumerate(rows):
        db.session.add(
            Ticket(
                number=f"HT-2026-{number + 1:06d}",
                subject="Tiền chưa về tài khoản",
                description="Chi tiết riêng tư",
                system_code=system,
                category_code=category,
                province_code=province,
                requester_id=requester.id,
                queue_id=queue_id,
                status=status,
                priority=3,
                created_at=NOW - timedelta(days=10),
                resolved_at=resolved_at,
                resolution_breached_at=breached_at,
            )
        )
    old = Ticket(
        number="HT-2024-000001",
        subject="old",
        description="old",
        system_code="moj",
        category_code="other",
        province_code="01",
        requester_id=requester.id,
        queue_id=queue_id,
        status="closed",
        priority=3,
        created_at=NOW - timedelta(days=800),
    )
    db.session.add(old)
    db.session.commit()
    return requester


def reader(db, make_user, role: str):
    """A report reader of the role; a supervisor supervises moj-it, the tickets' queue."""
    user = make_user(role)
    if role == "supervisor":
        db.session.scalar(select(Queue).where(Queue.code == "moj-it")).supervisor_id = user.id
        db.session.commit()
    return user


@pytest.mark.parametrize("role", ["observer", "supervisor", "admin"])
def test_readers_see_the_year_in_numbers(client, db, login, make_user, tickets, role):
    login(reader(db, make_user, role))
    html = client.get("/reports/").get_data(as_text=True)
    kpis = html.split('data-testid="kpi">')[1:]
    assert kpis[0].startswith("4<")  # the ticket from 800 days ago is outside the year
    assert kpis[1].startswith("2<")  # new and open
    assert kpis[3].startswith("50 %<")  # two resolved, one of them breached
    assert "Bộ Tư pháp" in html
    assert "Đồng Nai" in html


@pytest.mark.parametrize("role", ["requester", "agent", "unit_admin"])
def test_other_roles_get_404(client, login, make_user, role):
    login(make_user(role))
    assert client.get("/reports/").status_code == 404
    assert client.get("/reports/export.csv").status_code == 404


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/reports/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_supervisor_counts_its_queues_tickets_only(client, db, login, make_user, tickets):
    login(reader(db, make_user, "supervisor"))
    other = db.session.scalar(select(Queue).where(Queue.code == "moj-fpt"))
    db.session.scalars(
        select(Ticket).where(Ticket.province_code == "75")
    ).first().queue_id = other.id
    db.session.commit()
    html = client.get("/reports/").get_data(as_text=True)
    assert html.split('data-testid="kpi">')[1].startswith("3<")


def test_narrowing_to_a_system_and_province_counts_only_those(client, login, make_user, tickets):
    login(make_user("observer"))
    html = client.get("/reports/?system=moha&province=01").get_data(as_text=True)
    assert html.split('data-testid="kpi">')[1].startswith("2<")


def test_csv_export_has_aggregates_and_no_personal_data(client, login, make_user, tickets):
    login(make_user("observer"))
    response = client.get("/reports/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True)
    assert "category,payment" in body.replace('"', "")
    assert "Nguyễn Văn Bí Mật" not in body
    assert "Tiền chưa về" not in body
    assert tickets.cccd not in body


def test_xlsx_export_opens_as_a_workbook(client, login, make_user, tickets):
    login(make_user("admin"))
    response = client.get("/reports/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert ("province", "75", "Đồng Nai", 2) in rows


FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def formula_category(db):
    """The category `payment` named like a formula (by an admin, or whoever edits reference
    data); categories outlive the per-test cleanup, so its names are put back."""
    category = db.session.get(Category, "payment")
    saved = category.name_vi, category.name_en
    category.name_vi = category.name_en = FORMULA
    db.session.commit()
    yield
    category.name_vi, category.name_en = saved
    db.session.commit()


def test_csv_export_writes_a_formula_as_text(client, login, make_user, tickets, formula_category):
    login(make_user("observer"))
    body = client.get("/reports/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert ["category", "payment", "'" + FORMULA, "2"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_xlsx_export_writes_a_formula_as_text(client, login, make_user, tickets, formula_category):
    login(make_user("observer"))
    response = client.get("/reports/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    [cell] = [row[2] for row in sheet.iter_rows() if row[1].value == "payment"]
    assert (cell.value, cell.data_type) == ("'" + FORMULA, "s")


def test_dashboard_query_count_does_not_grow_with_tickets(
    client, login, make_user, tickets, count_queries
):
    login(make_user("observer"))
    with count_queries() as few:
        client.get("/reports/")
    db_rows = [
        Ticket(
            number=f"HT-2026-{n:06d}",
            subject="s",
            description="d",
            system_code="mof",
            category_code="report",
            province_code=f"{(n % 3) + 1:02d}".replace("02", "04").replace("03", "08"),
            requester_id=tickets.id,
            queue_id=1,
            status="new",
            priority=3,
            created_at=NOW,
        )
        for n in range(100, 140)
    ]
    from helpdesk.extensions import db

    db.session.add_all(db_rows)
    db.session.commit()
    with count_queries() as many:
        client.get("/reports/")
    assert len(many) == len(few)


def add_ticket(db, requester, created_at, **fields):
    queue_id = db.session.scalar(select(Queue.id).where(Queue.code == "moj-it"))
    defaults = {
        "system_code": "moj",
        "category_code": "payment",
        "province_code": "01",
        "status": "new",
    }
    db.session.add(
        Ticket(
            number=f"HT-2026-{next(NUMBERS):06d}",
            subject="s",
            description="d",
            requester_id=requester.id,
            queue_id=queue_id,
            priority=3,
            created_at=created_at,
            **(defaults | fields),
        )
    )


def test_report_figures_follow_local_months_and_deadlines(app, db, make_user):
    requester = make_user("requester")
    at = datetime(2026, 3, 31, 16, 59, tzinfo=UTC)  # 23:59 in Hà Nội: still March
    add_ticket(
        db,
        requester,
        at,
        status="closed",
        first_responded_at=at + timedelta(hours=1),
        first_response_due=at + timedelta(hours=2),
        resolved_at=at + timedelta(days=1),
        rating=5,
    )
    add_ticket(
        db,
        requester,
        at + timedelta(minutes=1),  # 00:00 on 1 April in Hà Nội
        system_code="moha",
        province_code="75",
        status="resolved",
        first_responded_at=at + timedelta(hours=3),
        first_response_due=at + timedelta(hours=2),
        first_response_breached_at=at + timedelta(hours=2),
        resolved_at=at + timedelta(days=2),
        rating=4,
    )
    add_ticket(
        db,
        requester,
        at + timedelta(days=3),
        category_code="account",
        province_code="75",
        status="open",
        rating=4,
    )
    add_ticket(db, requester, at - timedelta(days=40), category_code="account")  # February
    add_ticket(db, requester, at + timedelta(days=40))  # May: outside the scope
    db.session.commit()

    scope = queries.ReportScope(start=date(2026, 2, 1), end=date(2026, 5, 1))
    report = queries.build(scope, timezone="Asia/Ho_Chi_Minh")

    assert (report.total, report.open, report.breached) == (4, 2, 1)
    assert report.by_status == [("closed", 1), ("new", 1), ("open", 1), ("resolved", 1)]
    assert report.by_system == [("moj", 3), ("moha", 1)]
    assert report.by_province == [("01", 2), ("75", 2)]
    assert report.by_category == [("account", 2), ("payment", 2)]
    assert report.by_month == [
        ("2026-02", 1, 0, 0),
        ("2026-03", 1, 1, 1),
        ("2026-04", 2, 1, 1),
    ]
    assert report.compliance_by_system == [
        queries.Compliance("moj", 3, 1, 1, 1, 1),
        queries.Compliance("moha", 1, 0, 1, 1, 1),
    ]
    assert [(c.key, c.tickets, c.resolution_percent) for c in report.compliance_by_province] == [
        ("01", 2, 100.0),
        ("75", 2, 100.0),
    ]
    assert (report.first_response_met, report.first_response_measured) == (1, 2)
    assert (report.resolution_met, report.resolution_measured) == (2, 2)
    assert (report.rating_average, report.rating_count) == (4.33, 3)


def test_report_of_no_tickets_is_empty(app, db):
    scope = queries.ReportScope(start=date(2001, 1, 1), end=date(2001, 2, 1))
    report = queries.build(scope, timezone="Asia/Ho_Chi_Minh")
    assert (report.total, report.open, report.by_status, report.by_month) == (0, 0, [], [])
    assert (report.rating_average, report.rating_count) == (None, 0)


@pytest.mark.parametrize(("url", "reads"), [("/reports/", 4), ("/reports/export.csv", 3)])
def test_report_reads_tickets_in_three_statements_whatever_the_data(
    client, login, make_user, tickets, count_queries, db, url, reads
):
    login(make_user("observer"))
    for days in range(0, 360, 7):  # a ticket in every month, system and province of the year
        add_ticket(
            db,
            tickets,
            NOW - timedelta(days=days),
            system_code=("moj", "moha", "mof")[days % 3],
            province_code=("01", "75", "79")[days % 3],
            category_code=("payment", "account", "dossier", "other")[days % 4],
            status=("new", "open", "resolved", "closed")[days % 4],
            resolved_at=NOW,
            rating=days % 5 + 1,
        )
    db.session.commit()
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    # The ticket figures (their cells and the months' ends) in two, the incidents in one; the
    # page also counts the tickets by source in one.
    assert len([s for s in statements if "FROM tickets" in s]) == reads
    assert len(statements) <= reads + 4  # the user, those above, the reference data
