"""The incidents on the reports page and in its export: declared per system and month, the
tickets each gathered, the hours from the first ticket to the declaration and from the
declaration to the resolution (median, 90th percentile), within the reader's reach, in one
statement whatever their number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from integration.reports.incident_helpers import add_incident
from integration.reports.test_reader_scope import csv_rows, section

from helpdesk.reports import incidents, queries
from helpdesk.timeutil import to_local

NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
A_AT, B_AT, C_AT = NOW - timedelta(days=3), NOW - timedelta(days=2), NOW - timedelta(days=40)
TIMEZONE = "Asia/Ho_Chi_Minh"
TODAY = to_local(NOW, TIMEZONE).date()  # the reports' today, in Hà Nội


def month(at: datetime) -> str:
    return to_local(at, TIMEZONE).strftime("%Y-%m")


@pytest.fixture
def declared(db, make_user):
    """A: moj, whole country, tickets of 79, 79 and 01 (the first filed 5 h before), resolved
    10 h after; B: moj, limited to 01, one ticket of 01 filed 1 h before, open; C: moha, whole
    country, no ticket, resolved 4 h after; D: moj, two years ago."""
    staff, requester = make_user("agent"), make_user("requester")
    a = add_incident(
        db,
        staff,
        A_AT,
        tickets=(
            ("79", A_AT - timedelta(hours=5)),
            ("79", A_AT - timedelta(hours=1)),
            ("01", A_AT + timedelta(hours=2)),
        ),
        requester=requester,
        status="resolved",
        resolved_at=A_AT + timedelta(hours=10),
    )
    b = add_incident(
        db,
        staff,
        B_AT,
        provinces=("01",),
        tickets=(("01", B_AT - timedelta(hours=1)),),
        requester=requester,
    )
    c = add_incident(
        db, staff, C_AT, system="moha", status="closed", resolved_at=C_AT + timedelta(hours=4)
    )
    add_incident(db, staff, NOW - timedelta(days=800), tickets=(("01", NOW - timedelta(days=801)),))
    db.session.commit()
    return {"A": a.number, "B": b.number, "C": c.number}


def of_period(**narrow) -> incidents.Incidents:
    return incidents.of_period(queries.year_scope(TODAY, **narrow), timezone=TIMEZONE)


def test_the_incidents_of_the_year_with_their_tickets_and_hours(db, declared):
    found = of_period()

    assert [(r.number, r.system, r.tickets) for r in found.rows] == [
        (declared["A"], "moj", 3),
        (declared["B"], "moj", 1),
        (declared["C"], "moha", 0),
    ]
    assert [(r.hours_to_declare, r.hours_to_resolve) for r in found.rows] == [
        (5.0, 10.0),
        (1.0, None),
        (None, 4.0),
    ]
    assert (found.total, found.tickets) == (3, 4)
    assert sorted(found.by_month) == sorted(
        [(month(A_AT), "moj", 2, 4), (month(C_AT), "moha", 1, 0)]
        if month(A_AT) == month(B_AT)
        else [(month(A_AT), "moj", 1, 3), (month(B_AT), "moj", 1, 1), (month(C_AT), "moha", 1, 0)]
    )
    assert found.to_declare == incidents.Timing(2, 3.0, 5.0)
    assert found.to_resolve == incidents.Timing(2, 7.0, 10.0)


def test_a_province_reads_the_incidents_that_concern_it_with_its_own_tickets(db, declared):
    # 79: A (whole country, two of its tickets) and C (whole country); not B (limited to 01).
    assert [(r.number, r.tickets) for r in of_period(province="79").rows] == [
        (declared["A"], 2),
        (declared["C"], 0),
    ]
    # 01: A (one ticket), B (limited to 01), C.
    assert {r.number: r.tickets for r in of_period(province="01").rows} == {
        declared["A"]: 1,
        declared["B"]: 1,
        declared["C"]: 0,
    }
    assert [r.number for r in of_period(system="moha").rows] == [declared["C"]]


def test_an_incident_limited_elsewhere_counts_where_a_ticket_of_it_was_filed(
    db, make_user, declared
):
    staff = make_user("agent")
    add_incident(db, staff, NOW, provinces=("01",), tickets=(("75", NOW - timedelta(hours=2)),))
    db.session.commit()

    assert [r.tickets for r in of_period(province="75").rows] == [1, 0, 0]


def test_readers_see_their_reach_on_the_page_and_in_the_export(db, browser, make_user, declared):
    admin = browser(make_user("admin"), "en")
    html = section(admin.get("/reports/").get_data(as_text=True), "report-incidents")
    assert all(f'data-incident="{number}"' in html for number in declared.values())
    assert 'data-timing="to_declare"><th scope="row" class="fw-normal">Hours from the first' in html

    observer = browser(make_user("observer", systems=("moha",)))
    html = section(observer.get("/reports/").get_data(as_text=True), "report-incidents")
    assert [number for number in declared.values() if number in html] == [declared["C"]]

    coordinator = browser(make_user("coordinator", province_code="79"), "en")
    rows = csv_rows(coordinator, "/reports/export.csv?province=01")
    assert [row for row in rows if row[0] == "incident"] == [
        ["incident", declared["A"], f"Bộ Tư pháp, {month(A_AT)}", "2"],
        ["incident", declared["C"], f"Bộ Nội vụ, {month(C_AT)}", "0"],
    ]
    assert [row for row in rows if row[0] == "incident_hours"] == [
        [
            "incident_hours",
            "to_declare_median",
            "Hours from the first ticket to the declaration, median",
            "5.0",
        ],
        [
            "incident_hours",
            "to_declare_p90",
            "Hours from the first ticket to the declaration, 90th percentile",
            "5.0",
        ],
        [
            "incident_hours",
            "to_resolve_median",
            "Hours from the declaration to the resolution, median",
            "7.0",
        ],
        [
            "incident_hours",
            "to_resolve_p90",
            "Hours from the declaration to the resolution, 90th percentile",
            "10.0",
        ],
    ]
    assert ["incidents", f"{month(C_AT)}/moha", f"Bộ Nội vụ, {month(C_AT)}", "1"] in rows


def test_the_page_reads_in_vietnamese(db, browser, make_user, declared):
    html = browser(make_user("admin"), "vi").get("/reports/").get_data(as_text=True)
    incidents_html = section(html, "report-incidents")

    assert "Sự cố đã công bố" in incidents_html
    assert "Số giờ từ yêu cầu đầu tiên đến khi công bố sự cố" in incidents_html
    assert '<td class="text-end">3</td><td class="text-end">5</td>' in incidents_html


def test_no_incident_says_so_and_adds_no_export_row(db, browser, make_user):
    reader = browser(make_user("admin"), "en")

    assert "No incident declared in this period." in section(
        reader.get("/reports/").get_data(as_text=True), "report-incidents"
    )
    assert not [row for row in csv_rows(reader, "/reports/export.csv") if "incident" in row[0]]


def test_the_incidents_cost_one_statement_whatever_their_number(
    db, make_user, declared, count_queries
):
    scope = queries.year_scope(TODAY, province="01")
    with count_queries() as few:
        incidents.of_period(scope, timezone=TIMEZONE)
    staff = make_user("agent")
    for hours in range(1, 13):
        add_incident(
            db,
            staff,
            NOW - timedelta(days=hours * 20),
            system=("moj", "moha", "mof")[hours % 3],
            provinces=("01", "79")[: hours % 3],
            tickets=(("01", NOW - timedelta(days=hours * 20, hours=hours)),) * (hours % 4),
        )
    db.session.commit()

    with count_queries() as many:
        found = incidents.of_period(scope, timezone=TIMEZONE)

    assert found.total > 3
    assert len(few) == len(many) == 1
