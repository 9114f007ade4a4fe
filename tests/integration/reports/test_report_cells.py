"""The report cells: kept exact by the database on every write to tickets, and read for the whole
months of a period while the days at its ends come from the tickets."""

from datetime import UTC, date, datetime, timedelta

from integration.reports.test_dashboard import add_ticket
from sqlalchemy import delete, func, select, update

from helpdesk.reports import queries
from helpdesk.reports.models import CELL_TIMEZONE, ReportCell, ReportPlace
from helpdesk.tickets.models import Ticket

# Hà Nội midnight of 1 March 2026, as UTC.
MARCH = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)
WHOLE = queries.ReportScope(start=date(2026, 2, 1), end=date(2026, 5, 1))
# Same clock as Hà Nội (UTC+7, no summer time) but not the cells' zone: read from the tickets.
TICKETS_ONLY = "Asia/Bangkok"


def figures(report: queries.Report) -> tuple:
    return (
        report.total,
        report.open,
        report.by_status,
        report.by_system,
        report.by_province,
        report.by_category,
        report.by_month,
        report.compliance_by_system,
        report.compliance_by_province,
        report.first_response_met,
        report.first_response_measured,
        report.resolution_met,
        report.resolution_measured,
        report.breached,
        report.rating_average,
        report.rating_count,
    )


def file_some(db, requester) -> None:
    for day, system, province, category in [
        (0, "moj", "01", "payment"),
        (3, "moj", "75", "account"),
        (20, "moha", "01", "payment"),
        (35, "moha", "79", "dossier"),
        (40, "moj", "01", "payment"),
        (-3, "mof", "75", "other"),
        (62, "moj", "79", "account"),  # 2 May
        (70, "mof", "01", "payment"),  # 10 May
    ]:
        add_ticket(
            db,
            requester,
            MARCH + timedelta(days=day, hours=1),
            system_code=system,
            province_code=province,
            category_code=category,
            first_response_due=MARCH + timedelta(days=day, hours=5),
        )
    db.session.commit()


def test_cells_follow_inserts_updates_and_deletes(app, db, make_user):
    file_some(db, make_user("requester"))
    tickets = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
    tickets[0].status = "resolved"
    tickets[0].first_responded_at = MARCH + timedelta(hours=2)
    tickets[0].resolved_at = MARCH + timedelta(days=1)
    tickets[0].rating = 4
    tickets[1].first_responded_at = MARCH + timedelta(days=4)  # after its deadline
    tickets[1].first_response_breached_at = MARCH + timedelta(days=3, hours=5)
    tickets[2].category_code = "account"  # recategorized
    tickets[3].province_code = "01"
    db.session.commit()
    db.session.execute(update(Ticket).where(Ticket.system_code == "moha").values(status="closed"))
    db.session.execute(delete(Ticket).where(Ticket.id == tickets[4].id))
    db.session.commit()

    from_cells = queries.build(WHOLE, timezone=CELL_TIMEZONE)

    assert figures(from_cells) == figures(queries.build(WHOLE, timezone=TICKETS_ONLY))
    assert (from_cells.total, from_cells.breached, from_cells.rating_count) == (5, 1, 1)
    assert from_cells.by_category == [("account", 2), ("dossier", 1), ("other", 1), ("payment", 1)]
    assert from_cells.by_status == [("closed", 2), ("new", 2), ("resolved", 1)]


def test_cells_count_every_ticket_once(app, db, make_user):
    file_some(db, make_user("requester"))
    db.session.execute(update(Ticket).values(status="open"))
    db.session.commit()

    tickets = db.session.scalar(select(func.count()).select_from(Ticket))
    assert db.session.scalar(select(func.sum(ReportCell.tickets))) == tickets
    assert db.session.scalar(select(func.sum(ReportPlace.tickets))) == tickets
    statuses = db.session.scalars(select(ReportCell.status).where(ReportCell.tickets != 0))
    assert set(statuses) == {"open"}


def test_days_at_the_ends_of_a_period_come_from_the_tickets(app, db, make_user, count_queries):
    file_some(db, make_user("requester"))
    # 2 March to 6 May: April from the cells, March (less its first day) and 1-5 May from the
    # tickets; the tickets of 1 March and 10 May are out.
    scope = queries.ReportScope(start=date(2026, 3, 2), end=date(2026, 5, 6))

    with count_queries() as statements:
        report = queries.build(scope, timezone=CELL_TIMEZONE)

    assert report.by_month == [
        ("2026-03", 2, 0, 0),
        ("2026-04", 2, 0, 0),
        ("2026-05", 1, 0, 0),
    ]
    assert figures(report) == figures(queries.build(scope, timezone=TICKETS_ONLY))
    assert len(statements) == 2
    assert all("FROM tickets" in s and "FROM report_" in s for s in statements)


def test_whole_months_are_read_from_the_cells_alone(app, db, make_user, count_queries):
    file_some(db, make_user("requester"))
    with count_queries() as statements:
        report = queries.build(WHOLE, timezone=CELL_TIMEZONE)
    assert report.total == 6
    assert len(statements) == 2
    assert not [s for s in statements if "FROM tickets" in s]


def test_narrowed_cells_count_only_their_system_and_province(app, db, make_user):
    file_some(db, make_user("requester"))
    scope = queries.ReportScope(start=WHOLE.start, end=WHOLE.end, system="moj", province="01")

    report = queries.build(scope, timezone=CELL_TIMEZONE)

    assert figures(report) == figures(queries.build(scope, timezone=TICKETS_ONLY))
    assert (report.total, report.by_system, report.by_province) == (2, [("moj", 2)], [("01", 2)])
