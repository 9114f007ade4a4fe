"""The observers' dashboard: aggregates only, for observers, supervisors and admins."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Ticket

NOW = datetime.now(UTC)


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


@pytest.mark.parametrize("role", ["observer", "supervisor", "admin"])
def test_readers_see_the_year_in_numbers(client, login, make_user, tickets, role):
    login(make_user(role))
    html = client.get("/reports/").get_data(as_text=True)
    kpis = html.split('data-testid="kpi">')[1:]
    assert kpis[0].startswith("4<")  # the ticket from 800 days ago is outside the year
    assert kpis[1].startswith("2<")  # new and open
    assert kpis[3].startswith("50.0 %")  # two resolved, one of them breached
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
