"""The support directory of the JSON API (public): its query and its items."""

from __future__ import annotations

from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.catalogue.services import find_province, find_system
from helpdesk.directory.models import DirectoryEntry


def entry_json(entry: DirectoryEntry) -> dict:
    """An entry as the API and the filing form's script read it: codes or null (every system,
    the whole country), handles as a list."""
    return {
        "system": entry.system_code,
        "province": entry.province_code,
        "organisation": entry.organisation,
        "kind": entry.kind,
        "name": entry.name,
        "phone": entry.phone,
        "email": entry.email,
        "hours": entry.hours,
        "handles": entry.handled,
    }


def directory_query(args) -> tuple[str | None, str | None]:
    """The system and province a GET /directory asks for (empty or missing: not filtered on);
    a 400 naming each one that is no code of the catalogue."""
    system = args.get("system", "") or None
    province = args.get("province", "") or None
    problems = {}
    if system is not None and find_system(system) is None:
        problems["system"] = _("Choose a system from the list.")
    if province is not None and find_province(province) is None:
        problems["province"] = _("Choose a province from the list.")
    if problems:
        raise errors.HelpdeskError(_("Please correct the marked parameters."), fields=problems)
    return system, province
