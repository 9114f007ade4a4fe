"""The workbook a digest carries: its key figures against the period before, then its tickets by
queue and by province (filed, resolved, resolved on time, breached); one sheet, formula-safe
(helpdesk/spreadsheets.py), in the language in force."""

from __future__ import annotations

from flask_babel import gettext as _

from helpdesk import spreadsheets
from helpdesk.reports.digests.figures import FIGURES, Digest, Place
from helpdesk.reports.digests.schedule import WEEK, Period

DAY = "%d/%m/%Y"


def figure_labels() -> dict[str, str]:
    """Each key figure's name, as the mail and the workbook write it."""
    return {
        "filed": _("Tickets filed"),
        "resolved": _("Of them resolved"),
        "first_response_percent": _("First response on time (%)"),
        "resolution_percent": _("Resolved on time (%)"),
        "breached": _("Tickets past a deadline"),
        "backlog": _("Open at the period's end"),
    }


def title(period: Period) -> str:
    """`Weekly digest 30/11/2026 – 06/12/2026`, `Monthly digest 11/2026`."""
    if period.kind == WEEK:
        return _(
            "Weekly digest %(first)s – %(last)s",
            first=period.start.strftime(DAY),
            last=period.last.strftime(DAY),
        )
    return _("Monthly digest %(month)s", month=period.start.strftime("%m/%Y"))


def file_name(period: Period) -> str:
    """The attachment's name: the title's words, the period in ISO dates."""
    if period.kind == WEEK:
        return _("Weekly digest %(start)s.xlsx", start=period.start.isoformat())
    return _("Monthly digest %(month)s.xlsx", month=period.start.strftime("%Y-%m"))


def rows(digest: Digest) -> list[list]:
    """The sheet's rows: a title, the key figures, the queues, the provinces."""
    labels = figure_labels()
    sheet: list[list] = [[title(digest.period)], []]
    sheet.append([_("Figure"), _("This period"), _("Period before"), _("Change")])
    for name in FIGURES:
        now, then = getattr(digest.figures, name), getattr(digest.before, name)
        sheet.append([labels[name], now, then, digest.change(name)])
    for heading, places in ((_("Queue"), digest.queues), (_("Province"), digest.provinces)):
        sheet += [[], place_header(heading), *(place_row(place) for place in places)]
    return sheet


def place_header(heading: str) -> list[str]:
    return [
        heading,
        _("Tickets filed"),
        _("Of them resolved"),
        _("Resolved on time (%)"),
        _("Tickets past a deadline"),
    ]


def place_row(place: Place) -> list:
    return [place.name, place.filed, place.resolved, place.on_time_percent, place.breached]


def xlsx(digest: Digest) -> bytes:
    return spreadsheets.xlsx_bytes(rows(digest), sheet=_("Digest")[:31])
