"""An incident is the staff's record of one fault, not one more ticket: it changes none of the
ticket figures (the dashboard and its cells, its exports, the units, the home page's key figures
and counts, the SLA pages' lists), however its own clocks, status and rating stand. The same
row counted as a ticket changes every one of them: what these tests compare can differ."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from integration.reports.incident_helpers import add_incident, add_row
from integration.reports.test_reader_scope import csv_rows, kpis
from integration.reports.test_report_cells import TICKETS_ONLY, figures
from sqlalchemy import func, select, update

from helpdesk.auth.models import Unit
from helpdesk.reports import figures as key_figures
from helpdesk.reports import queries, units
from helpdesk.reports.models import CELL_TIMEZONE, ReportCell
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import home, oversight
from helpdesk.timeutil import to_local

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = to_local(NOW, CELL_TIMEZONE).date()  # the reports' today, in Hà Nội
INCIDENT_ROWS = ("incidents", "incident_tickets", "incident", "incident_hours")


LATE = {
    "status": "open",
    "province_code": "79",
    "first_response_due": NOW - timedelta(days=1),
    "first_response_warned_at": NOW - timedelta(days=1, hours=1),
    "first_response_breached_at": NOW - timedelta(days=1),
    "resolution_breached_at": NOW - timedelta(hours=2),
}


@pytest.fixture
def desk(db, make_user):
    """Three tickets of province 79, two in a ward; one of them unanswered past its warning and
    breached, one resolved and rated."""
    requester = make_user("requester", province_code="79")
    admin = make_user("admin")
    ward = Unit(province_code="79", name="Phường Bến Thành TEST", kind="ward")
    db.session.add(ward)
    db.session.flush()
    add_row(db, requester, NOW - timedelta(days=3), unit_id=ward.id, **LATE)
    waiting = add_row(db, requester, NOW - timedelta(days=2), province_code="79", unit_id=ward.id)
    add_row(
        db,
        requester,
        NOW - timedelta(days=2),
        status="resolved",
        province_code="79",
        first_responded_at=NOW - timedelta(days=1),
        resolved_at=NOW - timedelta(hours=5),
        rating=2,
    )
    db.session.commit()
    return {"admin": admin, "ward": ward, "waiting": waiting}


def declare(db, desk) -> Ticket:
    """An incident in the ward, as late as the late ticket, rated; the waiting ticket attached."""
    incident = add_incident(
        db, desk["admin"], NOW - timedelta(days=2), unit_id=desk["ward"].id, rating=5, **LATE
    )
    desk["waiting"].parent_id = incident.id
    db.session.commit()
    return incident


def everything(db, make_user, browser, admin) -> dict:
    """Every ticket figure, read through the services and the pages."""
    scope = queries.year_scope(TODAY)
    province = queries.year_scope(TODAY, province="79")
    coordinator = make_user("coordinator", province_code="79")
    queue_id = db.session.scalar(select(Ticket.queue_id).where(Ticket.kind == "ticket"))
    reader = browser(admin, "en")
    db.session.expire_all()
    return {
        "cells": figures(queries.build(scope, timezone=CELL_TIMEZONE)),
        "tickets": figures(queries.build(scope, timezone=TICKETS_ONLY)),
        "units": units.by_unit(province, timezone=CELL_TIMEZONE),
        "key figures": key_figures.key_figures(NOW),
        "unanswered": [row.ticket.number for row in oversight.unanswered_tickets(admin, NOW)],
        "breached": [count for _queue, count in oversight.breached_counts(admin, NOW)],
        "breached list": [
            row.ticket.number for row in oversight.breached_tickets(admin, queue_id, NOW)[1]
        ],
        "oversight": home.oversight_counts(admin, NOW),
        "province": home.province_counts(coordinator, NOW),
        "dashboard": kpis(reader.get("/reports/").get_data(as_text=True)),
        "export": [
            row
            for row in csv_rows(reader, "/reports/export.csv?province=79")
            if row[0] not in INCIDENT_ROWS
        ],
        "sla pages": [
            reader.get(url).get_data(as_text=True).count('data-sla-state="')
            for url in ("/sla/unanswered", f"/sla/breached/{queue_id}")
        ],
    }


def test_an_incident_changes_no_ticket_figure(db, make_user, browser, desk):
    without = everything(db, make_user, browser, desk["admin"])
    declare(db, desk)

    assert everything(db, make_user, browser, desk["admin"]) == without


def test_the_same_row_counted_as_a_ticket_changes_every_figure(db, make_user, browser, desk):
    incident = declare(db, desk)
    as_incident = everything(db, make_user, browser, desk["admin"])
    db.session.execute(update(Ticket).where(Ticket.id == incident.id).values(kind="ticket"))
    db.session.commit()

    as_ticket = everything(db, make_user, browser, desk["admin"])

    assert as_ticket["cells"] == as_ticket["tickets"]
    assert [name for name in as_incident if as_incident[name] == as_ticket[name]] == []


def test_the_cells_follow_an_incident_s_writes_without_counting_it(db, desk):
    incident = declare(db, desk)
    incident.status = "resolved"
    incident.resolved_at = NOW
    incident.first_responded_at = NOW
    incident.province_code = "01"
    db.session.commit()
    scope = queries.year_scope(TODAY)

    report = queries.build(scope, timezone=CELL_TIMEZONE)

    assert figures(report) == figures(queries.build(scope, timezone=TICKETS_ONLY))
    assert report.total == 3  # the tickets, the attached one too; not the incident
    resolved = select(func.sum(ReportCell.tickets)).where(ReportCell.status == "resolved")
    assert db.session.scalar(resolved) == 1
    desk["waiting"].parent_id = None
    db.session.delete(incident)
    db.session.flush()
    assert figures(queries.build(scope, timezone=CELL_TIMEZONE)) == figures(report)
