"""The issue list (/reports/issues) that a figure of the compliance page counts: the issue
list's filters (helpdesk/reports/issue_filters.py) that list the same tickets: the period's
days, the page's system, province, category and queue, the row's key, and `status=open` for the
backlog and its ages, `sla=missed` for the breached."""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for

from helpdesk.reports.compliance import CATEGORY, PLACE, QUEUE, Filters, Row
from helpdesk.reports.issue_filters import OPEN, IssueFilters

# What the issue list adds for the figures that count some of a key's tickets.
FIGURES = {"backlog": {"status": OPEN}, "breached": {"sla": "missed"}}


def issue_filters(
    filters: Filters, kind: str | None = None, row: Row | None = None, figure: str | None = None
) -> IssueFilters:
    """The issue list's filters of the compliance filters' tickets, of the row's key in its
    table (`kind`; none: every ticket of the filters), of the figure's (FIGURES; none: all)."""
    scope = filters.scope
    given = {
        "system": scope.system,
        "province": scope.province,
        "category": filters.category,
        "queue": filters.queue,
    }
    if row is not None and kind == PLACE:
        given |= {"system": row.key, "province": row.province}
    elif row is not None and kind == QUEUE:
        given["queue"] = row.key
    elif row is not None and kind == CATEGORY:
        given["category"] = row.key
    return IssueFilters(
        start=scope.start, end=filters.last_day, **given, **FIGURES.get(figure or "", {})
    )


def linker(filters: Filters) -> Callable[..., str]:
    """link(kind, row, figure): the address of the issue list of a figure of the page."""

    def link(kind: str | None = None, row: Row | None = None, figure: str | None = None) -> str:
        return url_for("reports.issue_list", **issue_filters(filters, kind, row, figure).args())

    return link
