"""What the compliance page shows of a read (helpdesk/reports/compliance.py) beside its tables:
the trend's chart, the queues a reader may choose, and the tables as one sheet (CSV and XLSX
through helpdesk/spreadsheets.py, which makes every cell formula-safe: a row per key of each
table, the total, and the months; raw numbers, codes beside the names)."""

from __future__ import annotations

from flask_babel import gettext as _

from helpdesk.reports import charts
from helpdesk.reports.compliance import ALL, CATEGORY, PLACE, QUEUE, Compliance, Row
from helpdesk.reports.scope import Reach
from helpdesk.routing.services import CachedQueue, all_queues


def trend(result: Compliance) -> charts.Trend:
    """First response and resolution on time, per month of filing (percentages; a month with
    nothing measured has no point)."""
    months = result.by_month
    return charts.trend(
        [month.month for month in months],
        {
            "first_response": [month.first_response_percent for month in months],
            "resolution": [month.resolution_percent for month in months],
        },
        top=100,
    )


def queue_choices(reach: Reach) -> list[CachedQueue]:
    """The queues the reader may narrow to, on the compliance page and the issue list: its own
    (a supervisor), of its systems or of no system (an observer of a ministry), every queue
    (others); from process memory."""
    return [
        queue
        for queue in all_queues()
        if reach.allows_queue(queue.id)
        and (queue.system_code is None or reach.allows_system(queue.system_code))
    ]


def header() -> list[str]:
    return [
        _("table"),
        _("key"),
        _("province"),
        _("name"),
        _("tickets"),
        _("first response met"),
        _("first response measured"),
        _("first response on time, %"),
        _("resolution met"),
        _("resolution measured"),
        _("resolved on time, %"),
        _("hours to first response, median"),
        _("hours to first response, 90th percentile"),
        _("hours to resolution, median"),
        _("hours to resolution, 90th percentile"),
        _("open now"),
        _("open under 1 day"),
        _("open 1 to 3 days"),
        _("open 3 to 7 days"),
        _("open 7 days or more"),
        _("breached"),
    ]


def rows(result: Compliance, names: dict[str, dict[str, str]]) -> list[list]:
    """The sheet's rows, header first; `names` maps each kind of code to its name."""
    sheet: list[list] = [header()]
    tables = [
        (PLACE, result.by_place),
        (QUEUE, result.by_queue),
        (CATEGORY, result.by_category),
        (ALL, [result.total]),
    ]
    for kind, table in tables:
        for row in table:
            sheet.append(figures(kind, row, name_of(kind, row, names)))
    for month in result.by_month:
        sheet.append(
            [
                "month",
                month.month,
                "",
                "",
                month.tickets,
                month.first_response_met,
                month.first_response_measured,
                month.first_response_percent,
                month.resolution_met,
                month.resolution_measured,
                month.resolution_percent,
            ]
        )
    return sheet


def name_of(kind: str, row: Row, names: dict[str, dict[str, str]]) -> str:
    if kind == PLACE:
        system = names["system"].get(row.key, row.key)
        return f"{system}, {names['province'].get(row.province, row.province)}"
    if kind == ALL:
        return _("All tickets")
    return names[kind].get(row.key, row.key)


def figures(kind: str, row: Row, name: str) -> list:
    return [
        kind,
        row.key,
        row.province,
        name,
        row.tickets,
        row.first_response_met,
        row.first_response_measured,
        row.first_response_percent,
        row.resolution_met,
        row.resolution_measured,
        row.resolution_percent,
        row.to_first_response.median,
        row.to_first_response.p90,
        row.to_resolution.median,
        row.to_resolution.p90,
        row.backlog,
        *row.ageing,
        row.breached,
    ]
