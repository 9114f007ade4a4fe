"""The query of GET /tickets: its filters and its page, read from the query string."""

from __future__ import annotations

from flask_babel import gettext as _

from helpdesk import errors, text
from helpdesk.api.schemas import QUERY_LIMIT, find_queue, is_code
from helpdesk.auth.services import units
from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db
from helpdesk.tickets.models import Status
from helpdesk.tickets.services import TicketFilters
from helpdesk.tickets.services.listing import MAX_PER_PAGE

DEFAULT_PER_PAGE = 50


def ticket_filters(args) -> tuple[TicketFilters, int, int]:
    """The filters and page a GET /tickets query asks for; errors.Invalid naming each bad
    parameter (unknown codes included). Empty filters count as not given; an empty page
    number is not a number."""
    problems: dict[str, str] = {}
    values: dict = {}
    status = args.get("status") or None
    if status is not None:
        if status not in {*Status, "open"}:
            problems["status"] = _("Unknown status.")
        values["status"] = status
    if args.get("queue"):
        queue = find_queue(args["queue"])
        if queue is None:
            problems["queue"] = _("Unknown queue.")
        else:
            values["queue_id"] = queue.id
    if args.get("unit"):
        if not is_code(args["unit"]) or units.by_code(args["unit"]) is None:
            problems["unit"] = _("Unknown code.")
        values["unit"] = args["unit"]
    for name, model in (("province", Province), ("category", Category), ("system", System)):
        code = args.get(name) or None
        if code is None:
            continue
        if not is_code(code) or db.session.get(model, code) is None:
            problems[name] = _("Unknown code.")
        values[name] = code
    q = args.get("q", "")
    if len(q) > QUERY_LIMIT or text.has_control_characters(q, multiline=False):
        problems["q"] = _("At most %(n)d characters, without control characters.", n=QUERY_LIMIT)
    values["q"] = q
    page = whole_number(args, "page", default=1, low=1, high=None, problems=problems)
    per_page = whole_number(
        args, "per_page", default=DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE, problems=problems
    )
    if problems:
        raise errors.Invalid(_("Please correct the marked parameters."), fields=problems)
    return TicketFilters(**values), page, per_page


def whole_number(args, name: str, *, default: int, low: int, high: int | None, problems) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < low:
        problems[name] = _("A whole number of at least %(n)d.", n=low)
        return default
    if high is not None and int(raw) > high:
        problems[name] = _("At most %(n)d.", n=high)
        return default
    return int(raw)
