"""The compliance page's readers, links, charts and exports: an observer bound to a ministry
reads its systems only, a coordinator its province, a supervisor its queues, requesters and
agents find no page; each figure links to the issue list of its tickets; the trend is SVG drawn
on the server; the exports hold the same rows, formula-safe."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from integration.reports.compliance_helpers import FROM, PERIOD, TO, add, cells, section
from openpyxl import load_workbook
from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.routing.models import Queue

PASSWORD = "Mật-khẩu-dài-2026"
FILED = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)
# (system, province, queue, category) of the tickets every test here starts from.
TICKETS = [
    ("moj", "79", "moj-it", "payment"),
    ("moj", "79", "moj-fpt", "account"),
    ("moj", "01", "moj-it", "payment"),
    ("moha", "79", "moha-it", "payment"),
    ("moha", "01", "province-01", "process"),
]


@pytest.fixture
def tickets(db, make_user):
    requester = make_user("requester")
    for system, province, queue, category in TICKETS:
        add(
            db,
            requester,
            FILED,
            queue=queue,
            system_code=system,
            province_code=province,
            category_code=category,
            status="resolved",
            first_responded_at=FILED + timedelta(hours=2),
            first_response_due=FILED + timedelta(hours=4),
            resolved_at=FILED + timedelta(hours=30),
        )
    db.session.commit()


def page(client, query: str = PERIOD) -> str:
    response = client.get(f"/reports/compliance?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def keys(html: str, testid: str) -> list[str]:
    return re.findall(r'<tr data-key="([^"]+)">', section(html, testid))


def csv_rows(client, query: str = PERIOD) -> list[list[str]]:
    response = client.get(f"/reports/compliance.csv?{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_an_observer_bound_to_moj_by_the_command_line_reads_moj_only(db, runner, browser, tickets):
    result = runner.invoke(
        args=["user", "create", "079090654321@ht.com", "--password", PASSWORD]
        + ["--role", "observer", "--system", "moj"]
    )
    assert result.exit_code == 0, result.output
    observer = db.session.scalar(select(User).where(User.cccd == "079090654321"))
    observer.must_change_password = False
    db.session.commit()
    reader = browser(observer)

    html = page(reader)
    assert keys(html, "compliance-places") == ["moj/79", "moj/01"]
    assert keys(html, "compliance-queues") == ["moj-it", "moj-fpt"]
    assert cells(html, "compliance-categories", "payment")["tickets"][0] == "2"
    assert "moha" not in section(html, "compliance-places")
    assert 'value="moha"' not in html.split('id="system"')[1].split("</select>")[0]
    assert 'value="moha-it"' not in html.split('id="queue"')[1].split("</select>")[0]
    # Asking for another ministry counts nothing of it.
    assert "moha" not in section(page(reader, f"{PERIOD}&system=moha"), "compliance-places")
    assert keys(page(reader, f"{PERIOD}&queue=moha-it"), "compliance-queues") == []

    rows = csv_rows(reader)
    assert {row[1] for row in rows[1:] if row[0] == "place"} == {"moj"}
    assert not [row for row in rows if "moha" in row[1]]
    assert [row[4] for row in rows if row[0] == "all"] == ["3"]


def test_a_coordinator_reads_its_province_only_whatever_it_asks(make_user, browser, tickets):
    reader = browser(make_user("coordinator", province_code="79"))

    for query in (PERIOD, f"{PERIOD}&province=01"):
        html = page(reader, query)
        assert keys(html, "compliance-places") == ["moj/79", "moha/79"]
        assert keys(html, "compliance-queues") == ["moha-it", "moj-fpt", "moj-it"]
        assert "province-01" not in section(html, "compliance-queues")
        assert cells(html, "compliance-places", "moj/79")["tickets"][2] == "/reports/issues"
        assert cells(html, "compliance-places", "moj/79")["tickets"][1]["province"] == ["79"]
    assert 'value=""' not in html.split('id="province"')[1].split("</select>")[0]
    assert {
        row[2] for row in csv_rows(reader, f"{PERIOD}&province=01")[1:] if row[0] == "place"
    } == {"79"}


def test_a_supervisor_reads_its_queues_only(db, make_user, browser, tickets):
    supervisor = make_user("supervisor")
    db.session.scalar(select(Queue).where(Queue.code == "moj-it")).supervisor_id = supervisor.id
    db.session.commit()
    reader = browser(supervisor)

    html = page(reader)
    assert keys(html, "compliance-queues") == ["moj-it"]
    assert keys(html, "compliance-places") == ["moj/01", "moj/79"]
    assert cells(html, "compliance-places", "moj/79")["tickets"][0] == "1"  # not moj-fpt's
    assert keys(page(reader, f"{PERIOD}&queue=moj-fpt"), "compliance-queues") == []
    assert [row[1] for row in csv_rows(reader) if row[0] == "queue"] == ["moj-it"]


@pytest.mark.parametrize("role", ["requester", "unit_admin", "agent"])
def test_others_find_no_page(make_user, browser, role):
    reader = browser(make_user(role))
    for path in ("/reports/compliance", "/reports/compliance.csv", "/reports/compliance.xlsx"):
        assert reader.get(path).status_code == 404


def test_each_figure_links_to_the_issue_list_of_its_tickets(make_user, browser, tickets):
    reader = browser(make_user("admin"))
    html = page(reader, f"{PERIOD}&category=payment")
    period = {"from": [FROM], "to": [TO], "category": ["payment"]}
    tables = [
        ("compliance-places", "moj/79", {"system": ["moj"], "province": ["79"]}),
        ("compliance-queues", "moj-it", {"queue": ["moj-it"]}),
        ("compliance-categories", "payment", {}),
    ]
    for testid, key, narrow in tables:
        figures = cells(html, testid, key)
        assert len(figures) == 13
        for figure, (_text, query, path) in figures.items():
            assert path == "/reports/issues"
            more = {}
            if figure == "breached":
                more = {"sla": ["missed"]}
            elif figure == "backlog" or figure.startswith("age_"):
                more = {"status": ["open"]}
            assert query == period | narrow | more, (testid, figure)
    total = re.search(
        r"<tfoot><tr data-key=\"\">(.*?)</tr>", section(html, "compliance-places"), re.S
    )
    links = re.findall(r'href="([^"]+)"', total.group(1))
    assert links[0] == f"/reports/issues?from={FROM}&amp;to={TO}&amp;category=payment"


def test_the_trend_is_svg_with_no_script_and_no_style(make_user, browser, db, tickets):
    add(db, make_user("requester"), datetime(2026, 3, 5, tzinfo=UTC), status="open")
    db.session.commit()
    reader = browser(make_user("observer"))
    response = reader.get(f"/reports/compliance?{PERIOD}")
    html = response.get_data(as_text=True)

    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"\sstyle\s*=", html)
    assert all(
        body.strip() == "" for body in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    )
    match = re.search(
        r'<svg class="chart" data-testid="compliance-trend-chart".*?</svg>', html, re.S
    )
    chart = ET.fromstring(match.group(0))  # noqa: S314 (the page under test, no entities)
    assert chart.get("role") == "img" and chart.find("title") is not None
    series = {g.get("data-series"): g for g in chart.iter("g") if g.get("data-series")}
    assert list(series) == ["first_response", "resolution"]
    # March: its one ticket unanswered, nothing measured, no point; April: 100 %; May: none.
    for group in series.values():
        assert group.find("polyline") is None and len(list(group)) == 1
    ticks = [t.text for t in chart.iter("text") if t.get("class") == "chart-tick"]
    assert ticks[:6] == ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"]
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        assert "<script" not in svg.lower() and not re.search(r"\son[a-z]+\s*=", svg)
    months = re.findall(r'<tr data-month="([^"]+)">', html)
    assert months == ["2026-03", "2026-04", "2026-05"]


def test_the_dashboard_links_to_the_page(make_user, browser):
    html = browser(make_user("observer")).get("/reports/").get_data(as_text=True)
    assert 'href="/reports/compliance"' in html


def test_exports_hold_the_tables_formula_safe(db, make_user, browser, tickets):
    queue = db.session.scalar(select(Queue).where(Queue.code == "moj-fpt"))
    queue.name = '=HYPERLINK("http://x", "y")'
    db.session.commit()
    reader = browser(make_user("admin"))

    rows = csv_rows(reader)
    header, *body = rows
    assert len(header) == 21 and all(len(row) in (11, 21) for row in body)
    [fpt] = [row for row in body if row[:2] == ["queue", "moj-fpt"]]
    assert fpt[3] == '\'=HYPERLINK("http://x", "y")'
    assert fpt[4:11] == ["1", "1", "1", "100.0", "1", "1", "100.0"]
    assert fpt[11:15] == ["2.0", "2.0", "30.0", "30.0"]
    assert [row[1] for row in body if row[0] == "month"] == ["2026-03", "2026-04", "2026-05"]

    response = reader.get(f"/reports/compliance.xlsx?{PERIOD}")
    assert response.status_code == 200
    assert (
        'filename="helpdesk-compliance-2026-03-01-2026-05-31.xlsx"'
        in (response.headers["Content-Disposition"])
    )
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    [fpt] = [row for row in values if row[:2] == ["queue", "moj-fpt"]]
    assert fpt[3] == '\'=HYPERLINK("http://x", "y")' and fpt[4] == 1
    assert len(values) == len(rows)
