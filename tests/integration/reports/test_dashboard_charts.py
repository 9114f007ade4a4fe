"""The dashboard's charts: SVG drawn on the server with the figures of the seeded tickets, a
table under each, nothing the Content-Security-Policy refuses, numbers the reader's way."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from integration.reports.test_dashboard import add_ticket

# Three months of 2026 (Hà Nội dates); the scope is given in the address.
SCOPE = "/reports/?start=2026-03-01&end=2026-06-01"


def at(month: int, day: int = 10) -> datetime:
    return datetime(2026, month, day, 3, 0, tzinfo=UTC)


@pytest.fixture
def seeded(db, make_user):
    requester = make_user("requester")
    resolved = {"status": "resolved"}
    for month, system, province, figures in [
        # March: moj in Hà Nội, resolved on time twice, once late.
        (3, "moj", "01", resolved | {"resolved_at": at(3, 12)}),
        (3, "moj", "01", resolved | {"resolved_at": at(3, 12)}),
        (
            3,
            "moj",
            "01",
            resolved | {"resolved_at": at(3, 20), "resolution_breached_at": at(3, 15)},
        ),
        # April: moha in Đồng Nai, one resolved on time, one open.
        (4, "moha", "75", resolved | {"resolved_at": at(4, 12)}),
        (4, "moha", "75", {"status": "open"}),
        # May: mof in Hồ Chí Minh City, open: nothing measured yet.
        (5, "mof", "79", {"status": "new"}),
    ]:
        add_ticket(db, requester, at(month), system_code=system, province_code=province, **figures)
    add_ticket(db, requester, at(7), system_code="moj")  # July: outside the scope
    db.session.commit()
    return requester


def svg(html: str, testid: str) -> ET.Element:
    """The chart named `testid`, parsed as XML (an SVG that does not parse fails here)."""
    match = re.search(rf'<svg class="chart[^"]*" data-testid="{testid}".*?</svg>', html, re.S)
    assert match, f"no chart {testid}"
    return ET.fromstring(match.group(0))  # noqa: S314 (the page under test, no entities)


def table_after(html: str, testid: str) -> str:
    """The table that follows the chart in the page."""
    rest = html.split(f'data-testid="{testid}"', 1)[1].split("</svg>", 1)[1]
    return rest.split("<table", 1)[1].split("</table>", 1)[0]


def texts(element: ET.Element, cls: str) -> list[str]:
    return [node.text for node in element.iter("text") if node.get("class") == cls]


def test_the_trend_has_a_line_and_a_point_per_series_and_month(client, login, make_user, seeded):
    login(make_user("observer"))
    html = client.get(SCOPE).get_data(as_text=True)
    chart = svg(html, "trend-chart")

    assert chart.get("role") == "img"
    assert chart.get("viewBox").startswith("0 0 ")
    assert chart.get("width") == "100%"
    title, desc = chart.find("title"), chart.find("desc")
    assert chart.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Yêu cầu theo tháng"
    assert "03/2026" in desc.text and "05/2026" in desc.text
    series = [g for g in chart.iter("g") if g.get("data-series")]
    assert [g.get("data-series") for g in series] == ["filed", "resolved", "on_time"]
    for group in series:
        [line] = group.findall("polyline")
        assert len(line.get("points").split()) == 3  # March, April, May
        assert len(list(group)) == 1 + 3  # the line and a marker per month
    # Filed 3, 2, 1: the March point is the highest (smallest y), May the lowest.
    filed = [float(point.split(",")[1]) for point in series[0][0].get("points").split()]
    assert filed[0] < filed[1] < filed[2]
    assert texts(chart, "chart-tick")[-3:] == ["03/2026", "04/2026", "05/2026"]

    table = table_after(html, "trend-chart")
    rows = re.findall(r"<tr><th[^>]*>([^<]+)</th>((?:<td[^>]*>[^<]*</td>)+)", table)
    figures = [(month, re.findall(r">([^<]*)</td>", cells)) for month, cells in rows]
    assert figures == [
        ("03/2026", ["3", "3", "2"]),
        ("04/2026", ["2", "1", "1"]),
        ("05/2026", ["1", "0", "0"]),
    ]


def test_compliance_bars_per_system_and_province_with_values_at_their_ends(
    client, login, make_user, seeded
):
    login(make_user("observer"))
    html = client.get(SCOPE).get_data(as_text=True)

    for testid, names in [
        ("system-chart", ["Bộ Tư pháp", "Bộ Nội vụ", "Bộ Tài chính"]),
        ("province-chart", ["Hà Nội", "Đồng Nai", "Hồ Chí Minh"]),
    ]:
        chart = svg(html, testid)
        assert chart.get("role") == "img" and chart.find("title") is not None
        rows = [g for g in chart.iter("g") if g.get("class") == "chart-row"]
        assert len(rows) == 3  # one per place that had tickets, most tickets first
        shown = texts(chart, "chart-name")
        assert all(name in text for name, text in zip(names, shown, strict=True))
        # 2 of 3 resolved on time, 1 of 1, none resolved yet (no bar, a dash).
        assert texts(chart, "chart-value") == ["66,7 %", "100 %", "—"]
        bars = [rect for rect in chart.iter("rect") if rect.get("class") == "chart-bar"]
        assert len(bars) == 2
        widths = [float(rect.get("width")) for rect in bars]
        assert widths[0] == pytest.approx(widths[1] * 2 / 3, abs=0.5)  # 66.7 of 100
        view_width = float(chart.get("viewBox").split()[2])
        assert all(float(r.get("x")) + float(r.get("width")) <= view_width for r in bars)
        assert texts(chart, "chart-tick") == ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"]
        table = table_after(html, testid)
        assert "66,7 %" in table and "100 %" in table
        assert table.count("<tr>") == 1 + 3


def test_the_charts_carry_no_script_and_no_style_attribute(client, login, make_user, seeded):
    login(make_user("admin"))
    response = client.get(SCOPE)
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert html.count("<svg") >= 3
    assert not re.search(r"\sstyle\s*=", html)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    assert scripts and all(body.strip() == "" for body in scripts)  # files only, none inline
    assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", html))
    for chart in re.findall(r"<svg.*?</svg>", html, re.S):
        assert "<script" not in chart.lower()
        assert not re.search(r"\son[a-z]+\s*=", chart)  # no event handler attributes


def test_english_readers_get_english_numbers(english, login, make_user, seeded):
    login(make_user("observer"))
    html = english.get(SCOPE).get_data(as_text=True)
    assert texts(svg(html, "system-chart"), "chart-value") == ["66.7%", "100%", "—"]
    assert texts(svg(html, "trend-chart"), "chart-tick")[-3:] == [
        "Mar 2026",
        "Apr 2026",
        "May 2026",
    ]


def test_kpis_in_vietnamese(client, login, make_user, seeded):
    login(make_user("admin"))
    html = client.get(SCOPE).get_data(as_text=True)
    kpis = [kpi.split("<", 1)[0] for kpi in html.split('data-testid="kpi">')[1:]]
    # 6 tickets; 3 of the 4 resolved were resolved on time.
    assert kpis[0] == "6"
    assert kpis[3] == "75 %"


def test_one_month_draws_points_without_lines(client, login, make_user, db):
    add_ticket(db, make_user("requester"), at(3), status="resolved", resolved_at=at(3, 11))
    db.session.commit()
    login(make_user("observer"))
    html = client.get("/reports/?start=2026-03-01&end=2026-04-01").get_data(as_text=True)
    chart = svg(html, "trend-chart")
    assert chart.findall(".//polyline") == []
    assert len(chart.findall(".//circle")) == 1 and len(chart.findall(".//rect")) == 1
    assert texts(svg(html, "system-chart"), "chart-value") == ["100 %"]


def test_no_tickets_no_charts_but_tables_say_so(client, login, make_user):
    login(make_user("observer"))
    html = client.get("/reports/?start=2001-01-01&end=2001-02-01").get_data(as_text=True)
    assert not re.search(r'<svg class="chart[ "]', html)
    assert html.count("Không có yêu cầu nào.") >= 3
    for testid in ("report-trend", "report-systems", "report-provinces"):
        assert f'data-testid="{testid}"' in html


def test_exports_keep_raw_numbers(client, login, make_user, seeded):
    login(make_user("observer"))
    body = client.get(SCOPE.replace("/reports/?", "/reports/export.csv?")).get_data(as_text=True)
    assert "month,2026-03," in body.replace('"', "")
    assert "%" not in body
