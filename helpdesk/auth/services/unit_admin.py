"""Keeping a province's units: the list an admin or the province's coordinator reads, the
provincial and ministry units they add (Sở, Trung tâm Phục vụ hành chính công, a ministry's
department), renaming those, deactivating and reactivating any listed unit, and the unit's
choice that its members see all of its tickets.

Communes, wards and special zones keep the names of the official list (`flask seed` refreshes
them): only the units added here are renamed here. Merging an unlisted name into a listed unit
is tickets/services/unit_records.py (it re-points tickets too).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, select

from helpdesk import errors, inputs
from helpdesk.auth import permissions
from helpdesk.auth.models import Unit, UnitKind, User
from helpdesk.auth.services import units
from helpdesk.catalogue.services import find_province, find_system
from helpdesk.extensions import db

# The kinds admins and coordinators add; the official ones come from the list.
ADDED_KINDS = (UnitKind.PROVINCIAL, UnitKind.MINISTRY)
NAME_LIMIT = 200


@dataclass(frozen=True)
class UnitDraft:
    """A provincial or ministry unit to add (`system_code`: the ministry's system, for a
    ministry unit only)."""

    province_code: str
    name: str
    kind: str
    system_code: str = ""


@dataclass(frozen=True)
class UnitFilters:
    """What the units list shows: a kind (None: every listed kind), words of the name (case
    and diacritics ignored), active or inactive units only (None: both)."""

    kind: str | None = None
    text: str = ""
    active: bool | None = None


def units_of(actor: User, province_code: str, filters: UnitFilters) -> Select:
    """The listed units of the province by name, for an admin or the province's coordinator
    (errors.NotFound for others and for an unknown province)."""
    _require(actor, province_code)
    query = select(Unit).where(Unit.province_code == province_code, Unit.code.is_not(None))
    if filters.kind:
        query = query.where(Unit.kind == filters.kind)
    holds = units.name_holds(filters.text)
    if holds is not None:
        query = query.where(holds)
    if filters.active is not None:
        query = query.where(Unit.active == filters.active)
    return query.order_by(Unit.key, Unit.id)


def get_unit(actor: User, unit_id: int) -> Unit:
    """A listed unit the actor may keep; errors.NotFound otherwise."""
    unit = db.session.get(Unit, unit_id)
    if (
        unit is None
        or not unit.listed
        or not permissions.can_manage_units(actor, unit.province_code)
    ):
        raise errors.NotFound(_("Unit not found."))
    return unit


def get_shared_unit(actor: User, unit_id: int) -> Unit:
    """A unit whose sharing setting the actor may change (units.can_set_unit_sharing: a unit
    admin's own unit, even one not listed yet); errors.NotFound otherwise."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or not permissions.can_set_unit_sharing(actor, unit):
        raise errors.NotFound(_("Unit not found."))
    return unit


def add_unit(actor: User, draft: UnitDraft) -> Unit:
    """Add a provincial or ministry unit to the province, with a code of its own
    (`T79-001`, `B-moj-001`). Commits. errors.Invalid names the field at fault; errors.NotFound
    when the actor may not keep the province's units."""
    _require(actor, draft.province_code)
    if draft.kind not in ADDED_KINDS:
        raise errors.Invalid(_("Choose a provincial or a ministry unit."), "kind")
    system_code = None
    if draft.kind == UnitKind.MINISTRY:
        system = find_system(draft.system_code)
        if system is None or not system.active:
            raise errors.Invalid(_("Choose the ministry's system."), "system")
        system_code = system.code
    name = _checked_name(draft.province_code, draft.name)
    unit = Unit(
        province_code=draft.province_code,
        name=name,
        kind=draft.kind,
        system_code=system_code,
        code=_next_code(draft.province_code, system_code),
    )
    db.session.add(unit)
    db.session.commit()
    return unit


def rename_unit(actor: User, unit_id: int, name: str) -> Unit:
    """Rename a provincial or ministry unit (official units keep the list's name). Commits."""
    unit = get_unit(actor, unit_id)
    if unit.kind not in ADDED_KINDS:
        raise errors.Invalid(_("Communes and wards keep the name of the official list."), "name")
    unit.name = _checked_name(unit.province_code, name, unit=unit)
    db.session.commit()
    return unit


def set_unit_active(actor: User, unit_id: int, *, active: bool) -> Unit:
    """Deactivate a listed unit (no longer offered to forms; its accounts and tickets keep it)
    or reactivate it. Commits."""
    unit = get_unit(actor, unit_id)
    unit.active = active
    db.session.commit()
    return unit


def set_members_see_tickets(actor: User, unit: Unit, value: bool) -> Unit:
    """Whether the unit's members see all of the unit's tickets (off unless the unit chose it),
    set by an admin, the province's coordinator or the unit's own administrator
    (errors.NotFound for others). Commits."""
    if not permissions.can_set_unit_sharing(actor, unit):
        raise errors.NotFound(_("Unit not found."))
    unit.members_see_tickets = bool(value)
    db.session.commit()
    return unit


def _require(actor: User, province_code: str) -> None:
    if find_province(province_code) is None:
        raise errors.NotFound(_("Unit not found."))
    permissions.require_units(actor, province_code)


def _checked_name(province_code: str, name: str, *, unit: Unit | None = None) -> str:
    """The name, tidied, unless empty, too long or the name of another listed unit of the
    province (a name two units share would match neither)."""
    name = inputs.require_readable(" ".join((name or "").split()), "name")
    if not Unit.key_for(name):
        raise errors.Invalid(_("Enter the unit's name."), "name")
    if len(name) > NAME_LIMIT:
        raise errors.Invalid(_("At most %(n)d characters.", n=NAME_LIMIT), "name")
    taken = select(Unit.id).where(
        Unit.province_code == province_code,
        Unit.code.is_not(None),
        Unit.bare_key == Unit.bare_key_for(name)[:NAME_LIMIT],
    )
    if unit is not None:
        taken = taken.where(Unit.id != unit.id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise errors.Invalid(_("The province already has a unit of this name."), "name")
    return name


def _next_code(province_code: str, system_code: str | None) -> str:
    """`T<province>-<n>` for a provincial unit, `B-<system>-<n>` for a ministry's: the next
    number of that series (three digits at least)."""
    prefix = f"B-{system_code}-" if system_code else f"T{province_code}-"
    codes = db.session.scalars(
        select(Unit.code).where(Unit.code.startswith(prefix, autoescape=True))
    )
    numbers = [int(code[len(prefix) :]) for code in codes if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"
