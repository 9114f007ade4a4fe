"""The issue list (/reports/issues) and its exports: one row per official's ticket, equal to a
count by hand over generated tickets for each filter, newest first, page after page; within the
reader's reach; formula-safe; no CCCD or e-mail, the requester's name for staff only."""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from helpdesk.auth.models import Unit
from helpdesk.reports import issue_filters
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Ticket

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone(ZONE).date()
NAME = "Trần Thị Riêng Tư"
EMAIL = "rieng.tu.requester@example.vn"
HYPERLINK = '=HYPERLINK("http://x")'
UNITS = {"T79A": "79", "T79B": "79", "T01A": "01"}
# (status, responded, resolved, first response breached, resolution breached, with deadlines)
OUTCOMES = (
    ("new", False, False, False, False, True),  # pending, pending
    ("open", True, False, False, False, True),  # met, pending
    ("resolved", True, True, False, False, True),  # met, met
    ("closed", True, True, True, True, True),  # missed, missed
    ("waiting_requester", False, False, True, False, True),  # missed, pending
    ("resolved", True, True, False, False, False),  # none, met (no deadlines)
    ("open", True, False, False, True, True),  # met, missed
)
AGES = (0, 1, 3, 10, 40, 100, 200, 364, 366, 500)  # days before now


@dataclass(frozen=True)
class Spec:
    """A generated ticket as the hand count reads it."""

    number: str
    system: str
    province: str
    unit: str | None
    category: str
    queue: str
    status: str
    created_at: datetime
    responded: bool
    resolved: bool
    first_breached: bool
    resolution_breached: bool

    @property
    def filed_on(self) -> date:
        return self.created_at.astimezone(ZONE).date()


@dataclass
class Data:
    specs: list[Spec]
    requester: object
    other: list[str]  # numbers of an incident and a request's ticket: never listed


def expected(specs: list[Spec], start: date, end: date, **asked) -> list[str]:
    """The numbers the list must show, newest first, counted by hand."""
    chosen = []
    for spec in specs:
        if not start <= spec.filed_on <= end:
            continue
        if any(
            value is not None and getattr(spec, name) != value
            for name, value in asked.items()
            if name in ("system", "province", "unit", "category", "queue")
        ):
            continue
        status = asked.get("status")
        if status == "open" and spec.status not in ("new", "open", "waiting_requester"):
            continue
        if status not in (None, "open") and spec.status != status:
            continue
        breached = spec.first_breached or spec.resolution_breached
        if asked.get("sla") == "met" and not (spec.resolved and not breached):
            continue
        if asked.get("sla") == "missed" and not breached:
            continue
        chosen.append(spec)
    # The generator gives each ticket its own instant: newest first is by filing time alone.
    return [spec.number for spec in sorted(chosen, key=lambda s: s.created_at, reverse=True)]


@pytest.fixture
def data(db, make_user) -> Data:
    """130 tickets over 500 days: two systems, two provinces, three listed units and none, two
    categories, two queues, every SLA outcome; an incident and a request's ticket besides."""
    requester = make_user("requester", full_name=NAME, email=EMAIL, province_code="79")
    queues = dict(db.session.execute(select(Queue.code, Queue.id)).all())
    units = {}
    for code, province in UNITS.items():
        unit = Unit(province_code=province, name=f"Phường Thử {code}", kind="ward", code=code)
        db.session.add(unit)
        units[code] = unit
    db.session.flush()
    rng = random.Random(23)
    specs = []
    for index in range(130):
        province = rng.choice(("79", "01"))
        unit = rng.choice([None, *(c for c, p in UNITS.items() if p == province)])
        status, responded, resolved, first_breached, resolution_breached, timed = OUTCOMES[
            index % len(OUTCOMES)
        ]
        created_at = NOW - timedelta(days=AGES[index % len(AGES)], minutes=7 * index + 1)
        spec = Spec(
            number=f"HT-2026-{930000 + index}",
            system=rng.choice(("moj", "moha")),
            province=province,
            unit=unit,
            category=rng.choice(("payment", "account")),
            queue=rng.choice(("moj-it", "moj-fpt")),
            status=status,
            created_at=created_at,
            responded=responded,
            resolved=resolved,
            first_breached=first_breached,
            resolution_breached=resolution_breached,
        )
        specs.append(spec)
        db.session.add(
            Ticket(
                number=spec.number,
                subject=HYPERLINK if index == 0 else f"Tiền phí chưa về {index}",
                description="Chi tiết riêng tư",
                system_code=spec.system,
                category_code=spec.category,
                province_code=province,
                unit_id=units[unit].id if unit else None,
                unit=f"Phường Thử {unit}" if unit else "",
                requester_id=requester.id,
                queue_id=queues[spec.queue],
                status=status,
                priority=3,
                created_at=created_at,
                first_response_due=created_at + timedelta(hours=4) if timed else None,
                resolution_due=created_at + timedelta(days=2) if timed else None,
                first_responded_at=(
                    created_at + timedelta(hours=5 if first_breached else 1) if responded else None
                ),
                resolved_at=created_at + timedelta(days=1) if resolved else None,
                first_response_breached_at=(
                    created_at + timedelta(hours=4) if first_breached else None
                ),
                resolution_breached_at=(
                    created_at + timedelta(days=2) if resolution_breached else None
                ),
                resolution="Đã đối chiếu giao dịch" if resolved else "",
                rating=4 if resolved else None,
            )
        )
    other = []
    for kind in ("incident", "request"):
        number = f"HT-2026-93{len(other) + 900}"
        other.append(number)
        db.session.add(
            Ticket(
                number=number,
                kind=kind,
                subject=f"not an issue: {kind}",
                description="x",
                system_code="moj",
                category_code="payment",
                province_code="79",
                requester_id=requester.id,
                queue_id=queues["moj-it"],
                status="open",
                priority=3,
                created_at=NOW - timedelta(hours=2),
            )
        )
    db.session.commit()
    return Data(specs, requester, other)


def listed(reader, url: str) -> tuple[list[str], str]:
    """The numbers of every page of the list from `url` on (following "Older"), and the first
    page's HTML."""
    response = reader.get(url)
    assert response.status_code == 200
    first = html = response.get_data(as_text=True)
    numbers = []
    while True:
        numbers += re.findall(r'<tr data-number="([^"]+)"', html)
        more = re.search(r'data-testid="next" href="([^"]+)"', html)
        if not more:
            return numbers, first
        html = reader.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)


def csv_rows(reader, url: str) -> list[list[str]]:
    response = reader.get(url)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def xlsx_rows(reader, url: str) -> list[tuple]:
    response = reader.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    return list(sheet.iter_rows(values_only=True))


def total(html: str) -> str:
    return re.search(r'data-testid="total">([^<]*)<', html).group(1).strip()


YEAR_AGO = TODAY - timedelta(days=365)
COMBINATIONS = [
    ({}, YEAR_AGO, TODAY),
    ({"from": (TODAY - timedelta(days=50)).isoformat(), "to": TODAY.isoformat(),
      "system": "moj", "status": "open"}, TODAY - timedelta(days=50), TODAY),
    ({"province": "79", "unit": "T79A", "category": "payment"}, YEAR_AGO, TODAY),
    ({"queue": "moj-fpt", "sla": "missed", "from": "2000-01-01"}, date(2000, 1, 1), TODAY),
    ({"status": "resolved", "sla": "met"}, YEAR_AGO, TODAY),
    ({"status": "waiting_requester", "to": (TODAY - timedelta(days=2)).isoformat()},
     YEAR_AGO, TODAY - timedelta(days=2)),
]  # fmt: skip


@pytest.mark.parametrize(("asked", "start", "end"), COMBINATIONS)
def test_the_list_and_its_csv_equal_a_count_by_hand(
    db, browser, make_user, data, asked, start, end
):
    admin = browser(make_user("admin"), "en")
    query = "&".join(f"{name}={value}" for name, value in asked.items())
    wanted = expected(data.specs, start, end, **{k: v for k, v in asked.items()})
    assert wanted, "each combination lists some tickets"

    numbers, html = listed(admin, f"/reports/issues?{query}")
    assert numbers == wanted
    assert total(html) == f"{len(wanted)} tickets"
    assert 'data-testid="filter-problem"' not in html
    rows = csv_rows(admin, f"/reports/issues.csv?{query}")
    assert rows[0][:2] == ["Number", "System"]
    assert [row[0] for row in rows[1:]] == wanted
    assert not set(data.other) & set(numbers)


def test_a_walk_through_the_pages_shows_every_ticket_once(db, browser, make_user, data):
    admin = browser(make_user("admin"), "en")
    numbers, html = listed(admin, "/reports/issues?from=2000-01-01")
    assert len(numbers) == 130 and len(set(numbers)) == 130  # three pages: 50, 50, 30
    assert numbers == expected(data.specs, date(2000, 1, 1), TODAY)
    assert html.count("<tr data-number=") == 50


def test_filing_dates_are_local_days(db, browser, make_user, data):
    """A ticket filed at 00:30 in Hà Nội belongs to that local day, not to the UTC day before."""
    day = TODAY - timedelta(days=30)
    late = datetime(day.year, day.month, day.day, 0, 30, tzinfo=ZONE).astimezone(UTC)
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == data.specs[1].number))
    ticket.created_at = late
    db.session.commit()
    admin = browser(make_user("admin"), "en")
    before = day - timedelta(days=1)
    assert ticket.number not in listed(admin, f"/reports/issues?from={before}&to={before}")[0]
    assert ticket.number in listed(admin, f"/reports/issues?from={day}&to={day}")[0]
    rows = csv_rows(admin, f"/reports/issues.csv?from={day}&to={day}")
    assert [row[7] for row in rows if row[0] == ticket.number] == [f"{day.isoformat()} 00:30:00"]


def test_each_row_carries_its_outcome(db, browser, make_user, data):
    admin = browser(make_user("admin"), "en")
    rows = {row[0]: row for row in csv_rows(admin, "/reports/issues.csv?from=2000-01-01")}
    header = csv_rows(admin, "/reports/issues.csv?from=2000-01-01&to=2000-01-01")[0]
    assert header == [
        "Number", "System", "Province", "Commune or ward", "Category", "Subject", "Status",
        "Filed", "First response", "Resolved", "First response SLA", "Resolution SLA",
        "Resolution summary", "Rating", "Source", "Requester",
    ]  # fmt: skip
    results = [(rows[spec.number][10], rows[spec.number][11]) for spec in data.specs[:7]]
    assert results == [
        ("Pending", "Pending"),
        ("Met", "Pending"),
        ("Met", "Met"),
        ("Missed", "Missed"),
        ("Missed", "Pending"),
        ("No target", "Met"),
        ("Met", "Missed"),
    ]
    resolved = rows[data.specs[2].number]
    assert resolved[1] == {"moj": "Bộ Tư pháp", "moha": "Bộ Nội vụ"}[data.specs[2].system]
    assert resolved[6] == "Resolved"
    assert resolved[12:14] == ["Đã đối chiếu giao dịch", "4"]
    assert resolved[3] in ("", *(f"Phường Thử {code}" for code in UNITS))


def test_a_formula_in_a_subject_exports_as_text(db, browser, make_user, data):
    admin = browser(make_user("admin"), "en")
    number = data.specs[0].number
    rows = csv_rows(admin, "/reports/issues.csv")
    assert [row[5] for row in rows if row[0] == number] == ["'" + HYPERLINK]
    sheet = load_workbook(io.BytesIO(admin.get("/reports/issues.xlsx").data)).active
    cells = [row[5] for row in sheet.iter_rows() if row[0].value == number]
    assert [cell.value for cell in cells] == ["'" + HYPERLINK]
    assert cells[0].data_type == "s"
    html = admin.get("/reports/issues").get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://x&#34;)" in html  # escaped on the page, shown as typed


def test_exports_are_named_by_their_period_and_download(db, browser, make_user, data):
    admin = browser(make_user("admin"), "en")
    for kind in ("csv", "xlsx"):
        response = admin.get(f"/reports/issues.{kind}?from=2026-01-01&to=2026-03-31")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="helpdesk-issues-2026-01-01-2026-03-31.{kind}"'
        )
    empty = "from=2000-01-01&to=2000-01-01"
    header = xlsx_rows(admin, f"/reports/issues.xlsx?{empty}")
    assert header == [tuple(csv_rows(admin, f"/reports/issues.csv?{empty}")[0])]


def test_an_observer_bound_to_moj_sees_moj_rows_only_and_no_names(db, browser, make_user, data):
    observer = browser(make_user("observer", systems=("moj",)), "en")
    moj = expected(data.specs, YEAR_AGO, TODAY, system="moj")
    numbers, html = listed(observer, "/reports/issues")
    assert numbers == moj
    block = html.split('id="system"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', block) == ["", "moj"]
    assert listed(observer, "/reports/issues?system=moha")[0] == []
    assert "/tickets/HT-" not in html  # observers open no ticket
    for url in ("/reports/issues.csv", "/reports/issues.csv?system=moha"):
        rows = csv_rows(observer, url)
        assert [row[0] for row in rows[1:]] == (moj if "moha" not in url else [])
        assert "Requester" not in rows[0]
    rows = xlsx_rows(observer, "/reports/issues.xlsx")
    assert [row[0] for row in rows[1:]] == moj
    assert {row[1] for row in rows[1:]} == {"Bộ Tư pháp"}
    for text in (html, str(csv_rows(observer, "/reports/issues.csv")), str(rows)):
        assert NAME not in text


def test_a_coordinator_sees_its_province_whatever_it_asks(db, browser, make_user, data):
    coordinator = browser(make_user("coordinator", province_code="79"), "en")
    mine = expected(data.specs, YEAR_AGO, TODAY, province="79")
    for url in ("/reports/issues", "/reports/issues?province=01"):
        numbers, html = listed(coordinator, url)
        assert numbers == mine
        block = html.split('id="province"')[1].split("</select>")[0]
        assert re.findall(r'<option value="([^"]*)"', block) == ["79"]  # fixed
        assert NAME in html and f'href="/tickets/{mine[0]}"' in html
    rows = csv_rows(coordinator, "/reports/issues.csv?province=01")
    assert [row[0] for row in rows[1:]] == mine
    assert rows[0][-1] == "Requester" and {row[-1] for row in rows[1:]} == {NAME}
    rows = xlsx_rows(coordinator, "/reports/issues.xlsx?province=01")
    assert [row[0] for row in rows[1:]] == mine
    # The units of its province are offered; one of another province lists nothing.
    html = coordinator.get("/reports/issues").get_data(as_text=True)
    block = html.split('id="unit"')[1].split("</select>")[0]
    assert {"T79A", "T79B"} <= set(re.findall(r'<option value="([^"]*)"', block))
    assert listed(coordinator, "/reports/issues?unit=T01A")[0] == []


def test_a_supervisor_reads_the_queues_it_supervises(db, browser, make_user, data):
    user = make_user("supervisor")
    db.session.scalar(select(Queue).where(Queue.code == "moj-fpt")).supervisor_id = user.id
    db.session.commit()
    supervisor = browser(user, "en")
    wanted = expected(data.specs, YEAR_AGO, TODAY, queue="moj-fpt")
    numbers, html = listed(supervisor, "/reports/issues")
    assert numbers == wanted
    assert NAME in html
    assert [row[0] for row in csv_rows(supervisor, "/reports/issues.csv")[1:]] == wanted


@pytest.mark.parametrize("role", ["admin", "observer", "coordinator"])
def test_no_cccd_and_no_email_in_the_exports(db, browser, make_user, data, role):
    fields = {"province_code": "79"} if role == "coordinator" else {}
    reader = browser(make_user(role, **fields), "en")
    cccd = data.requester.username.split("@")[0]
    for kind in ("csv", "xlsx"):
        body = reader.get(f"/reports/issues.{kind}?from=2000-01-01").data
        text = (
            body.decode("utf-8", "replace")
            if kind == "csv"
            else str(xlsx_rows(reader, "/reports/issues.xlsx?from=2000-01-01"))
        )
        assert cccd not in text and EMAIL not in text and "@" not in text


@pytest.mark.parametrize("role", ["requester", "agent", "unit_admin"])
def test_other_roles_get_not_found(db, browser, make_user, role):
    reader = browser(make_user(role, province_code="79"))
    for url in ("/reports/issues", "/reports/issues.csv", "/reports/issues.xlsx"):
        assert reader.get(url).status_code == 404


def test_refused_filters_say_so_and_keep_the_defaults(db, browser, make_user, data):
    admin = browser(make_user("admin"), "en")
    html = admin.get(
        "/reports/issues?from=2026-13-01&system=nope&unit=NOPE&queue=nope&status=bogus&sla=x"
        "&category=nope&province=99"
    ).get_data(as_text=True)
    problems = re.findall(r'data-testid="filter-problem">([^<]*)<', html)
    assert len(problems) == 8
    assert 'value="' + YEAR_AGO.isoformat() + '"' in html
    assert total(html) == f"{len(expected(data.specs, YEAR_AGO, TODAY))} tickets"
    html = admin.get("/reports/issues?from=2026-05-02&to=2026-05-01").get_data(as_text=True)
    assert len(re.findall(r'data-testid="filter-problem"', html)) == 1
    assert f'name="to" value="{TODAY.isoformat()}"' in html
    for kind in ("csv", "xlsx"):
        response = admin.get(f"/reports/issues.{kind}?from=bad&queue=nope")
        assert response.status_code == 200 and response.data


def test_the_dashboard_links_to_the_list_of_its_period(db, browser, make_user):
    admin = browser(make_user("admin"))
    html = admin.get("/reports/?start=2026-01-01&end=2026-02-01&system=moj").get_data(as_text=True)
    link = re.search(r'data-testid="issue-list-link" href="([^"]+)"', html).group(1)
    assert link == "/reports/issues?from=2026-01-01&amp;to=2026-01-31&amp;system=moj"


@pytest.mark.parametrize("role", ["admin", "observer", "coordinator", "supervisor"])
def test_a_page_costs_the_same_statements_for_3_or_30_rows(
    db, browser, make_user, count_queries, role
):
    fields = {"province_code": "79"} if role == "coordinator" else {}
    user = make_user(role, **fields)
    queue = db.session.scalar(select(Queue).where(Queue.code == "moj-it"))
    if role == "supervisor":
        queue.supervisor_id = user.id
    requester = make_user("requester", province_code="79")
    unit = Unit(province_code="79", name="Phường Đếm", kind="ward", code="T79C")
    db.session.add(unit)
    db.session.commit()

    def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            db.session.add(
                Ticket(
                    number=f"HT-2026-{940000 + index}",
                    subject=f"s{index}",
                    description="d",
                    system_code="moj",
                    category_code="payment",
                    province_code="79",
                    unit_id=unit.id,
                    requester_id=requester.id,
                    queue_id=queue.id,
                    status="resolved",
                    priority=3,
                    created_at=NOW - timedelta(hours=index + 1),
                    resolved_at=NOW,
                    rating=5,
                )
            )
        db.session.commit()

    reader = browser(user, "en")
    url = "/reports/issues?province=79&unit=T79C&queue=moj-it&status=resolved"
    counts = []
    for count, start in ((3, 0), (27, 3)):
        add(count, start)
        reader.get(url)  # warm
        with count_queries() as statements:
            html = reader.get(url).get_data(as_text=True)
        assert html.count("<tr data-number=") == count + start
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_filters_rebuild_the_link_that_asked_for_them(app, db, data):
    """What other pages and mail link with: parse(args()) gives the same filters back."""
    asked = {
        "from": "2026-01-01",
        "to": "2026-06-30",
        "system": "moj",
        "province": "79",
        "unit": "T79A",
        "category": "payment",
        "queue": "moj-it",
        "status": "waiting_requester",
        "sla": "missed",
    }
    with app.test_request_context():
        filters, problems = issue_filters.parse(asked, today=TODAY)
        assert problems == []
        assert filters.args() == asked
        assert issue_filters.parse(filters.args(), today=TODAY) == (filters, [])
        default, _ = issue_filters.parse({}, today=TODAY)
        assert default.args() == {"from": YEAR_AGO.isoformat(), "to": TODAY.isoformat()}
