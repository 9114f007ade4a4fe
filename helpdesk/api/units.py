"""The units list of the JSON API (the type-ahead's answers): its query and its items."""

from __future__ import annotations

from flask_babel import gettext as _

from helpdesk import errors, text
from helpdesk.api.schemas import QUERY_LIMIT, is_code
from helpdesk.catalogue.services import find_province


def unit_json(unit) -> dict:
    """A unit as the type-ahead lists it."""
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": str(unit.kind),
        "province": unit.province_code,
    }


def unit_query(args) -> tuple[str, str]:
    """The province and the words a GET /units asks for: a 400 naming the province when it is
    missing or unknown, a 422 naming `q` past QUERY_LIMIT characters. Control characters in
    the words read as spaces (a type-ahead answers what it can)."""
    province = args.get("province", "")
    if not is_code(province) or find_province(province) is None:
        raise errors.HelpdeskError(
            _("Please correct the marked parameters."),
            fields={"province": _("Choose a province from the list.")},
        )
    words = args.get("q", "")
    if len(words) > QUERY_LIMIT:
        message = _("At most %(n)d characters, without control characters.", n=QUERY_LIMIT)
        raise errors.Invalid(_("Please correct the marked parameters."), fields={"q": message})
    return province, text.FORBIDDEN_IN_LINE.sub(" ", words)
