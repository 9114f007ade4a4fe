"""The observers' dashboard and its exports (aggregates only, no personal data)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from helpdesk import spreadsheets
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import role_required
from helpdesk.catalogue import services as catalogue
from helpdesk.inputs import args_of, date_arg
from helpdesk.reports import charts, queries
from helpdesk.timeutil import to_local, utcnow

bp = Blueprint("reports", __name__, url_prefix="/reports")
READERS = (Role.OBSERVER, Role.SUPERVISOR, Role.ADMIN)


def scope_from_request() -> queries.ReportScope:
    today = to_local(utcnow(), current_app.config["HELPDESK_TIMEZONE"]).date()
    narrow = {
        "system": request.args.get("system") or None,
        "province": request.args.get("province") or None,
    }
    scope = queries.year_scope(today, **narrow)
    start, end = date_arg("start"), date_arg("end")
    if start is None or end is None:
        return scope
    if start < end and (end - start).days <= 3660:
        return queries.ReportScope(start=start, end=end, **narrow)
    return scope


def names() -> dict[str, dict[str, str]]:
    language = str(get_locale() or "vi")
    return {
        "system": {s.code: s.ministry for s in catalogue.systems()},
        "province": {p.code: p.name for p in catalogue.provinces()},
        "category": {c.code: c.name(language) for c in catalogue.categories()},
    }


@bp.route("/")
@role_required(*READERS)
def dashboard():
    scope = scope_from_request()
    report = queries.build(scope, timezone=current_app.config["HELPDESK_TIMEZONE"])
    return render_template(
        "reports/dashboard.html",
        report=report,
        trend=trend_chart(report),
        system_bars=compliance_chart(report.compliance_by_system),
        province_bars=compliance_chart(report.compliance_by_province),
        names=names(),
        systems=catalogue.systems(),
        provinces=catalogue.provinces(),
        export_args=args_of("start", "end", "system", "province"),
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


def export_rows(report: queries.Report, labels: dict) -> list[list]:
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
    return rows


@bp.route("/export.<any(csv, xlsx):kind>")
@role_required(*READERS)
def export(kind: str):
    scope = scope_from_request()
    report = queries.build(scope, timezone=current_app.config["HELPDESK_TIMEZONE"])
    rows = export_rows(report, names())
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
