"""The report readers' dashboard and its exports (aggregates only, no personal data), and the
issue list with its exports (a row per ticket, no CCCD, no e-mail), each within its reader's
reach: a ministry's observer its systems, a coordinator its province, a supervisor its queues."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from helpdesk import spreadsheets
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import me, role_required
from helpdesk.catalogue import services as catalogue
from helpdesk.inputs import args_of, date_arg, id_from
from helpdesk.reports import (
    charts,
    compliance,
    compliance_page,
    deflections,
    incidents,
    issue_filters,
    issue_links,
    issues,
    queries,
    sources,
    units,
)
from helpdesk.reports.issue_filters import IssueFilters
from helpdesk.reports.scope import Reach, reach_of
from helpdesk.routing.services import all_queues
from helpdesk.tickets.forms import SOURCE_LABELS
from helpdesk.timeutil import to_local, utcnow

bp = Blueprint("reports", __name__, url_prefix="/reports")
READERS = (Role.OBSERVER, Role.COORDINATOR, Role.SUPERVISOR, Role.ADMIN)


COMPLIANCE_ARGS = ("from", "to", "system", "province", "category", "queue")


def local_today() -> date:
    return to_local(utcnow(), current_app.config["HELPDESK_TIMEZONE"]).date()


def scope_from_request(reach: Reach) -> queries.ReportScope:
    """The dashboard's period (`start`, `end`: local dates, the end excluded)."""
    return scope_between(reach, date_arg("start"), date_arg("end"))


def scope_between(reach: Reach, start: date | None, end: date | None) -> queries.ReportScope:
    """The dates [start, end), system and province asked, within the reader's reach (a
    coordinator's province whatever was asked; a system outside an observer's counts nothing);
    the last 365 days and today when either date is missing or they make no period of at most
    ten years."""
    narrow = {
        "system": request.args.get("system") or None,
        "province": reach.province_for(request.args.get("province") or None),
        "reach": reach,
    }
    if start is not None and end is not None and start < end and (end - start).days <= 3660:
        return queries.ReportScope(start=start, end=end, **narrow)
    return queries.year_scope(local_today(), **narrow)


def names() -> dict[str, dict[str, str]]:
    language = str(get_locale() or "vi")
    return {
        "system": {s.code: s.ministry for s in catalogue.systems()},
        "province": {p.code: p.name for p in catalogue.provinces()},
        "category": {c.code: c.name(language) for c in catalogue.categories()},
    }


def build(reach: Reach) -> tuple[queries.Report, list[units.UnitRow] | None]:
    """The report asked for, and its units when it is of one province (else None)."""
    scope = scope_from_request(reach)
    timezone = current_app.config["HELPDESK_TIMEZONE"]
    report = queries.build(scope, timezone=timezone)
    by_unit = units.by_unit(scope, timezone=timezone) if units.is_by_unit(scope) else None
    return report, by_unit


def avoided(report: queries.Report) -> deflections.Avoided:
    """The filings help articles avoided in the report's period and reach."""
    return deflections.by_article(report.scope, timezone=current_app.config["HELPDESK_TIMEZONE"])


def incidents_of(report: queries.Report) -> incidents.Incidents:
    """The incidents declared in the report's period and reach."""
    return incidents.of_period(report.scope, timezone=current_app.config["HELPDESK_TIMEZONE"])


@bp.route("/")
@role_required(*READERS)
def dashboard():
    reach = reach_of(me())
    report, by_unit = build(reach)
    return render_template(
        "reports/dashboard.html",
        report=report,
        by_unit=by_unit,
        units_shown=units.TOP_UNITS,
        avoided=avoided(report),
        articles_shown=deflections.TOP_ARTICLES,
        incidents=incidents_of(report),
        incidents_shown=incidents.TOP_INCIDENTS,
        by_source=sources.by_source(report.scope, timezone=current_app.config["HELPDESK_TIMEZONE"]),
        source_labels=SOURCE_LABELS,
        trend=trend_chart(report),
        system_bars=compliance_chart(report.compliance_by_system),
        province_bars=compliance_chart(report.compliance_by_province),
        names=names(),
        systems=[s for s in catalogue.systems() if reach.allows_system(s.code)],
        provinces=[p for p in catalogue.provinces() if reach.allows_province(p.code)],
        every_province=reach.province is None,
        export_args=args_of("start", "end", "system", "province"),
        issue_args=IssueFilters(
            start=report.scope.start,
            end=report.scope.end - timedelta(days=1),
            system=report.scope.system,
            province=report.scope.province,
        ).args(),
    )


def trend_chart(report: queries.Report) -> charts.Trend:
    """Filed, resolved and resolved on time, per month (the lines in this order)."""
    months = report.by_month
    return charts.trend(
        [month for month, *_counts in months],
        {
            "filed": [filed for _month, filed, _resolved, _met in months],
            "resolved": [resolved for _month, _filed, resolved, _met in months],
            "on_time": [met for _month, _filed, _resolved, met in months],
        },
    )


def compliance_chart(rows: list[queries.Compliance]) -> charts.Bars:
    """The share of resolved tickets resolved within the target, per system or province."""
    return charts.bars([(row.key, row.resolution_percent) for row in rows])


def export_rows(
    report: queries.Report,
    labels: dict,
    by_unit: list[units.UnitRow] | None = None,
    avoided: deflections.Avoided | None = None,
    declared: incidents.Incidents | None = None,
) -> list[list]:
    rows: list[list] = [[_("section"), _("key"), _("name"), _("tickets")]]
    for section, values in (
        ("status", report.by_status),
        ("system", report.by_system),
        ("province", report.by_province),
        ("category", report.by_category),
    ):
        for key, count in values:
            name = _(key) if section == "status" else labels.get(section, {}).get(key, key)
            rows.append([section, key, name, count])
    for month, filed, _resolved, met in report.by_month:
        rows.append(["month", month, _("resolved within target: %(n)d", n=met), filed])
    for unit in by_unit or []:
        rows.append(["unit", unit.code or "", unit.name or _("Unit unknown"), unit.tickets])
    if avoided is not None and avoided.total:
        rows.append(["avoided", "", _("Filings avoided thanks to a help article"), avoided.total])
        for article in avoided.articles:
            rows.append(["avoided", article.slug, article.title, article.avoided])
    if declared is not None:
        rows += incident_rows(declared, labels.get("system", {}))
    return rows


def incident_rows(declared: incidents.Incidents, systems: dict[str, str]) -> list[list]:
    """The incidents per month and system (declared, and the tickets they gathered), each
    incident with its tickets, and the hours to declare and to resolve (no incident: no rows)."""
    rows: list[list] = []
    for month, system, count, tickets in declared.by_month:
        name = f"{systems.get(system, system)}, {month}"
        rows.append(["incidents", f"{month}/{system}", name, count])
        rows.append(["incident_tickets", f"{month}/{system}", name, tickets])
    for row in declared.rows:
        name = f"{systems.get(row.system, row.system)}, {row.month}"
        rows.append(["incident", row.number, name, row.tickets])
    for key, label, timing in (
        ("to_declare", _("Hours from the first ticket to the declaration"), declared.to_declare),
        ("to_resolve", _("Hours from the declaration to the resolution"), declared.to_resolve),
    ):
        for part, word, value in (
            ("median", _("median"), timing.median),
            ("p90", _("90th percentile"), timing.p90),
        ):
            if value is not None:
                rows.append(["incident_hours", f"{key}_{part}", f"{label}, {word}", value])
    return rows


@bp.route("/export.<any(csv, xlsx):kind>")
@role_required(*READERS)
def export(kind: str):
    report, by_unit = build(reach_of(me()))
    rows = export_rows(report, names(), by_unit, avoided(report), incidents_of(report))
    scope = report.scope
    stem = f"helpdesk-report-{scope.start.isoformat()}-{scope.end.isoformat()}"
    if kind == "csv":
        return Response(
            spreadsheets.csv_text(rows),
            mimetype=spreadsheets.CSV_MIMETYPE,
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )
    return Response(
        spreadsheets.xlsx_bytes(rows, sheet="report"),
        mimetype=spreadsheets.XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
    )


def issue_filters_from_request(reach: Reach) -> tuple[IssueFilters, list[str]]:
    """The issue list's filters asked for, within the reader's reach, and what was refused."""
    filters, problems = issue_filters.parse(request.args, today=local_today())
    return filters.within(reach), problems


@bp.route("/issues")
@role_required(*READERS)
def issue_list():
    reader = issues.reader_of(me())
    filters, problems = issue_filters_from_request(reader.reach)
    page = issues.page(
        filters,
        reader,
        timezone=current_app.config["HELPDESK_TIMEZONE"],
        after=id_from(request.args.get("after")),
    )
    return render_template(
        "reports/issues.html",
        page=page,
        filters=filters,
        problems=problems,
        reader=reader,
        names=names(),
        status_labels=issues.STATUS_LABELS,
        sla_labels=issues.SLA_LABELS,
        source_labels=SOURCE_LABELS,
        choices=issue_choices(reader.reach, filters),
        every_province=reader.reach.province is None,
        deeper=request.args.get("after") is not None,
    )


def issue_choices(reach: Reach, filters: IssueFilters) -> dict[str, list[tuple[str, str]]]:
    """(value, name) of what each select of the issue list offers, within the reader's reach."""
    language = str(get_locale() or "vi")
    return {
        "system": [
            (s.code, s.ministry) for s in catalogue.systems() if reach.allows_system(s.code)
        ],
        "province": [
            (p.code, p.name) for p in catalogue.provinces() if reach.allows_province(p.code)
        ],
        "unit": issues.unit_choices(filters),
        "category": [(c.code, c.name(language)) for c in catalogue.categories()],
        "queue": sorted(
            ((queue.code, queue.name) for queue in compliance_page.queue_choices(reach)),
            key=lambda choice: (choice[1], choice[0]),
        ),
        "status": [
            (status, _("Open (every open status)"))
            if status == issue_filters.OPEN
            else (status, str(issues.STATUS_LABELS[status]))
            for status in issue_filters.STATUSES
        ],
        "sla": [
            ("met", _("Met: resolved, no deadline breached")),
            ("missed", _("Missed: a deadline breached")),
        ],
        "source": [(str(source), str(label)) for source, label in SOURCE_LABELS.items()],
    }


@bp.route("/issues.<any(csv, xlsx):kind>")
@role_required(*READERS)
def issue_export(kind: str):
    """Every row of the issue list, streamed: the response starts at once and holds a batch
    of rows at a time, whatever the length."""
    reader = issues.reader_of(me())
    filters, _problems = issue_filters_from_request(reader.reach)
    words = issues.words_for(str(get_locale() or "vi"), staff=reader.staff)
    timezone = current_app.config["HELPDESK_TIMEZONE"]

    def chunks() -> Iterator[bytes]:
        rows = issues.table(filters, reader, timezone=timezone, words=words)
        if kind == "csv":
            return spreadsheets.csv_chunks(rows)
        return spreadsheets.xlsx_chunks(rows, sheet="issues")

    stem = f"helpdesk-issues-{filters.start.isoformat()}-{filters.end.isoformat()}"
    mimetype = spreadsheets.CSV_MIMETYPE if kind == "csv" else spreadsheets.XLSX_MIMETYPE
    return Response(
        streamed(current_app._get_current_object(), chunks),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{kind}"'},
    )


def streamed(app, chunks: Callable[[], Iterator[bytes]]) -> Iterator[bytes]:
    """A response body that reads the database after the view has returned, in an app context
    of its own (its own session and connection), entered when the server asks for the first
    chunk past an empty one and left when the body ends or is closed: never held across the
    view's own contexts (the server takes the empty chunk while they are still there)."""
    yield b""
    with app.app_context():
        yield from chunks()


def compliance_filters(reach: Reach) -> compliance.Filters:
    """The period asked (`from`, `to`: local dates, both included; the dashboard's, the last
    365 days and today, when either is missing or they make no period of at most ten years),
    system, province, category and queue (a code), within the reader's reach as on the
    dashboard."""
    last = date_arg("to")
    scope = scope_between(reach, date_arg("from"), last + timedelta(days=1) if last else None)
    return compliance.Filters(
        scope,
        category=request.args.get("category") or None,
        queue=request.args.get("queue") or None,
    )


def read_compliance(reach: Reach) -> compliance.Compliance:
    filters = compliance_filters(reach)
    timezone = current_app.config["HELPDESK_TIMEZONE"]
    return compliance.read(filters, timezone=timezone, now=utcnow())


def compliance_names() -> dict[str, dict[str, str]]:
    return names() | {"queue": {queue.code: queue.name for queue in all_queues()}}


@bp.route("/compliance", endpoint="compliance")
@role_required(*READERS)
def compliance_view():
    reach = reach_of(me())
    result = read_compliance(reach)
    return render_template(
        "reports/compliance.html",
        result=result,
        link=issue_links.linker(result.filters),
        trend=compliance_page.trend(result),
        names=compliance_names(),
        systems=[s for s in catalogue.systems() if reach.allows_system(s.code)],
        provinces=[p for p in catalogue.provinces() if reach.allows_province(p.code)],
        categories=catalogue.categories(),
        queues=compliance_page.queue_choices(reach),
        every_province=reach.province is None,
        export_args=args_of(*COMPLIANCE_ARGS),
    )


@bp.route("/compliance.<any(csv, xlsx):kind>")
@role_required(*READERS)
def compliance_export(kind: str):
    result = read_compliance(reach_of(me()))
    rows = compliance_page.rows(result, compliance_names())
    scope = result.filters.scope
    stem = f"helpdesk-compliance-{scope.start.isoformat()}-{result.filters.last_day.isoformat()}"
    if kind == "csv":
        body, mimetype = spreadsheets.csv_text(rows), spreadsheets.CSV_MIMETYPE
    else:
        body = spreadsheets.xlsx_bytes(rows, sheet="compliance")
        mimetype = spreadsheets.XLSX_MIMETYPE
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{kind}"'},
    )
