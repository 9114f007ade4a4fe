"""Msgids that the code translates from a variable, so that `pybabel extract` cannot see them.

`_(key)` in reports/views.py and templates/reports/dashboard.html and `_(old)` / `_(new)` in
tickets/services/status.py pass a ticket status code to gettext; role codes and SLA states are
codes of the same kind. Listing them here puts them in the catalogue, where they get a label.
Nothing imports this file: it is read only by Babel (babel.cfg takes every helpdesk/**.py).
"""


def _(message: str) -> str:
    return message


TICKET_STATUSES = (
    _("new"),
    _("open"),
    _("waiting_requester"),
    _("waiting_third_party"),
    _("resolved"),
    _("closed"),
)

ROLES = (
    _("requester"),
    _("unit_admin"),
    _("coordinator"),
    _("agent"),
    _("supervisor"),
    _("observer"),
    _("admin"),
)

SLA_STATES = (
    _("ok"),
    _("warning"),
    _("breached"),
    _("paused"),
    _("met"),
)
