"""Compliance where it happens (/reports/compliance): each table's figures equal a count by hand
of generated tickets (compliance, backlog and its ages, breached; medians and 90th percentiles
as stated: nearest rank of the durations rounded to two significant figures, so within half a
bucket of the exact ones), on SQLite and PostgreSQL; the period's days are local and included;
incidents and requests are not counted; the page's SQL does not grow with its tickets or keys."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from integration.reports.compliance_helpers import (
    NOW,
    PERIOD,
    add,
    cells,
    exact,
    figures_of,
    generate,
    hand_count,
    tolerance,
)

from helpdesk.reports import compliance
from helpdesk.reports.queries import ReportScope

TIMEZONE = "Asia/Ho_Chi_Minh"
KEYS = {
    "place": lambda ticket: (ticket.system, ticket.province),
    "queue": lambda ticket: (ticket.queue, ""),
    "category": lambda ticket: (ticket.category, ""),
}


def read(*, category=None, queue=None, **narrow) -> compliance.Compliance:
    scope = ReportScope(start=date(2026, 3, 1), end=date(2026, 6, 1), **narrow)
    filters = compliance.Filters(scope, category=category, queue=queue)
    return compliance.read(filters, timezone=TIMEZONE, now=NOW)


@pytest.fixture
def made(db, make_user):
    return generate(db, make_user("requester"), 150)


def tables(result: compliance.Compliance) -> dict:
    return {"place": result.by_place, "queue": result.by_queue, "category": result.by_category}


def test_every_table_equals_a_count_by_hand(made):
    result = read()

    for kind, rows in tables(result).items():
        groups = defaultdict(list)
        for ticket in made:
            groups[KEYS[kind](ticket)].append(ticket)
        assert {(row.key, row.province): figures_of(row) for row in rows} == {
            key: hand_count(tickets) for key, tickets in groups.items()
        }, kind
        assert [row.tickets for row in rows] == sorted((row.tickets for row in rows), reverse=True)
    assert figures_of(result.total) == hand_count(made)
    # The generated tickets reach every band of age and every rung of the rounding.
    assert all(result.total.ageing)
    assert result.total.breached and result.total.to_resolution.p90 > 1000


def test_medians_and_90th_percentiles_are_within_half_a_bucket_of_the_exact_ones(made):
    result = read()

    for kind, rows in tables(result).items():
        for row in rows:
            tickets = [t for t in made if KEYS[kind](t) == (row.key, row.province)]
            for timing, durations in [
                (
                    row.to_first_response,
                    [t.first_responded_at - t.created_at for t in tickets if t.first_responded_at],
                ),
                (
                    row.to_resolution,
                    [t.resolved_at - t.created_at for t in tickets if t.resolved_at],
                ),
            ]:
                for figure, share in ((timing.median, 0.5), (timing.p90, 0.9)):
                    if not durations:
                        assert figure is None
                        continue
                    truth = exact(durations, share)
                    assert abs(figure - truth) <= tolerance(truth) + 1e-9, (kind, row.key)


def test_the_months_count_compliance_by_local_month_of_filing(made):
    result = read()
    zone = ZoneInfo(TIMEZONE)
    months = defaultdict(list)
    for ticket in made:
        months[ticket.created_at.astimezone(zone).strftime("%Y-%m")].append(ticket)

    assert [month.month for month in result.by_month] == ["2026-03", "2026-04", "2026-05"]
    for month in result.by_month:
        counted = hand_count(months[month.month])
        assert (
            month.tickets,
            month.first_response_met,
            month.first_response_measured,
            month.resolution_met,
            month.resolution_measured,
        ) == tuple(
            counted[name]
            for name in (
                "tickets",
                "first_response_met",
                "first_response_measured",
                "resolution_met",
                "resolution_measured",
            )
        )


@pytest.mark.parametrize(
    ("seconds", "hours"),
    [
        (-5, 0.0),  # answered before it was filed (two machines' clocks): none
        (179, 0.0),
        (180, 0.1),  # half of 0.1 h rounds up
        (35_999, 10.0),
        (36_000, 10.0),  # from 10 hours, to the hour
        (37_799, 10.0),
        (37_800, 11.0),
        (359_999, 100.0),
        (360_000, 100.0),  # from 100 hours, to 10 hours
        (3_600_000, 1000.0),  # from 1 000 hours, to 100 hours
        (3_779_999, 1000.0),
        (3_780_000, 1100.0),
    ],
)
def test_durations_are_rounded_to_two_significant_figures_on_both_databases(
    db, make_user, seconds, hours
):
    filed = datetime(2026, 4, 2, 3, 0, 0, 500_000, tzinfo=UTC)
    add(db, make_user("requester"), filed, first_responded_at=filed + timedelta(seconds=seconds))
    db.session.commit()

    timing = read().total.to_first_response
    assert (timing.count, timing.median, timing.p90) == (1, hours, hours)


def test_the_median_is_the_lower_middle_and_the_90th_percentile_the_ninth_of_ten(db, make_user):
    requester = make_user("requester")
    filed = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)
    for hours in range(1, 11):  # 1 to 10 hours, to resolution
        add(db, requester, filed, status="resolved", resolved_at=filed + timedelta(hours=hours))
    db.session.commit()

    timing = read().total.to_resolution
    assert (timing.count, timing.median, timing.p90) == (10, 5.0, 9.0)


def test_the_period_is_local_days_both_included_and_leaves_incidents_and_requests_out(
    db, make_user, client, login
):
    requester = make_user("requester")
    for at in [
        datetime(2026, 2, 28, 16, 59, 59, tzinfo=UTC),  # 28 February, 23:59:59 in Hà Nội
        datetime(2026, 2, 28, 17, 0, tzinfo=UTC),  # 1 March, 00:00: the first instant
        datetime(2026, 5, 31, 16, 59, 59, tzinfo=UTC),  # 31 May, 23:59:59: the last
        datetime(2026, 5, 31, 17, 0, tzinfo=UTC),  # 1 June
    ]:
        add(db, requester, at, province_code="79")
    add(db, requester, datetime(2026, 4, 1, tzinfo=UTC), province_code="79", kind="incident")
    add(db, requester, datetime(2026, 4, 1, tzinfo=UTC), province_code="79", kind="request")
    db.session.commit()
    login(make_user("admin"))

    html = client.get(f"/reports/compliance?{PERIOD}").get_data(as_text=True)
    assert cells(html, "compliance-places", "moj/79")["tickets"][0] == "2"
    assert 'value="2026-03-01"' in html and 'value="2026-05-31"' in html
    one_day = client.get("/reports/compliance?from=2026-05-31&to=2026-05-31").get_data(as_text=True)
    assert cells(one_day, "compliance-places", "moj/79")["tickets"][0] == "1"
    # No period (or one that ends before it starts): the last 365 days and today.
    for query in ("", "?from=2026-05-31&to=2026-03-01", "?from=junk&to=2026-03-01"):
        html = client.get(f"/reports/compliance{query}").get_data(as_text=True)
        today = datetime.now(ZoneInfo(TIMEZONE)).date()
        assert f'name="to" value="{today.isoformat()}"' in html
        assert f'name="from" value="{(today - timedelta(days=365)).isoformat()}"' in html


def test_filters_narrow_every_table(made):
    result = read(system="moj", province="79", category="payment", queue="moj-fpt")
    chosen = [
        t
        for t in made
        if (t.system, t.province, t.category, t.queue) == ("moj", "79", "payment", "moj-fpt")
    ]
    assert chosen
    assert figures_of(result.total) == hand_count(chosen)
    assert [(row.key, row.province) for row in result.by_place] == [("moj", "79")]
    assert [row.key for row in result.by_queue] == ["moj-fpt"]
    assert [row.key for row in result.by_category] == ["payment"]
    assert read(queue="no-such-queue").total.tickets == 0


def test_the_page_reads_its_tickets_in_one_statement_whatever_their_number_and_keys(
    db, make_user, client, login, count_queries
):
    requester = make_user("requester")
    login(make_user("admin"))
    counted = []
    for size, seed in ((3, 1), (200, 2)):
        generate(db, requester, size, seed=seed)
        client.get("/reports/compliance")  # the reference data is read once per process
        with count_queries() as statements:
            html = client.get(f"/reports/compliance?{PERIOD}").get_data(as_text=True)
        assert 'data-testid="compliance-places"' in html
        counted.append(statements)
    small, large = counted
    assert len(small) == len(large)
    assert len([s for s in large if "FROM tickets" in s]) == 1  # every table, month and time
