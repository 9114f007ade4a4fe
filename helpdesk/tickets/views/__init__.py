"""The tickets blueprint: filing, the requester's tickets, the ticket page, the agent
workspace, attachments, canned replies. Views parse, call one service, respond."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app

from helpdesk import reference_cache
from helpdesk.auth import permissions
from helpdesk.catalogue import services as catalogue
from helpdesk.tickets.forms import (
    ATTACHMENT_TYPES,
    PRIORITY_HELP,
    PRIORITY_LABELS,
    SOURCE_NOTES,
    STATUS_LABELS,
)
from helpdesk.tickets.services import demo
from helpdesk.tickets.services.known_incidents import KnownIncident
from helpdesk.tickets.services.known_incidents import known_incidents as open_known_incidents

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


# What a ticket number may look like in a URL or a form (HT-2026-000123); anything else is
# answered 404 before it reaches the database.
NUMBER = re.compile(r"[A-Za-z0-9-]{1,20}")


def checked_number(number: str) -> str:
    number = (number or "").strip()
    if not NUMBER.fullmatch(number):
        abort(404)
    return number


@bp.app_context_processor
def ticket_menu_flags():
    """Menu flags for every template (the main menu shows the tickets links by them)."""
    user = permissions.signed_in_user()  # each check below reads several of its attributes
    return {
        "can_file_tickets": permissions.can(user, "tickets.file"),
        "can_work_tickets": permissions.can(user, "tickets.work"),
        "can_take_calls": permissions.can(user, "tickets.take_calls"),
        "can_manage_canned": permissions.can(user, "tickets.supervise"),
    }


@bp.app_template_global()
def demo_data_shown() -> bool:
    """Whether demo tickets exist (the banner of templates/_demo_banner.html): read once per
    change of reference data, which `flask user demo` moves when it is done."""
    return reference_cache.cached("tickets.demo_present", demo.demo_exists)


@bp.app_template_global()
def known_incidents(system: str | None = None, province: str | None = None) -> list[KnownIncident]:
    """The open incidents a page shows as banners (tickets/_incident_banners.html): of that
    system (none given: of every system; one that does not exist: none), that concern the
    province (none given, or none that exists: the signed-in account's; a visitor or an account
    without one: every incident). Two queries."""
    if system and catalogue.find_system(system) is None:
        return []
    if not province or catalogue.find_province(province) is None:
        user = permissions.signed_in_user()
        province = user.province_code if user is not None else None
    return open_known_incidents(system or None, province=province or None)


@bp.context_processor
def ticket_labels():
    return {
        "status_labels": STATUS_LABELS,
        "priority_labels": PRIORITY_LABELS,
        "priority_help": PRIORITY_HELP,
        "source_notes": SOURCE_NOTES,
        "attachment_types": ATTACHMENT_TYPES,
        "max_upload_bytes": current_app.config["MAX_CONTENT_LENGTH"],
    }


from helpdesk.tickets.views import (  # noqa: E402, F401 - routes
    article,
    calls,
    canned,
    followers,
    incidents,
    queue,
    requester,
    staff,
)
