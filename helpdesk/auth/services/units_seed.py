"""The communes, wards and special zones of the 34 provinces (the 2025 list, from the
`vietnam_provinces` package) as unit records: loaded by `flask seed`, refreshed when the
package brings a new list.

Official units are never deleted (accounts and tickets point at them): one the list no longer
holds is marked inactive. The seed never reactivates a unit: an admin may have deactivated it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update
from vietnam_provinces import VietNamDivisionType, Ward

from helpdesk.auth.models import Unit, UnitKind
from helpdesk.catalogue.services import SeedReport
from helpdesk.extensions import db

KINDS = {
    VietNamDivisionType.XA: UnitKind.COMMUNE,
    VietNamDivisionType.PHUONG: UnitKind.WARD,
    VietNamDivisionType.DAC_KHU: UnitKind.SPECIAL_ZONE,
}
OFFICIAL_KINDS = tuple(KINDS.values())
REPORTED_AS = "units"


@dataclass(frozen=True, slots=True)
class OfficialUnit:
    """One commune, ward or special zone as the official list names it."""

    code: str
    name: str
    kind: str
    province_code: str


def official_units() -> list[OfficialUnit]:
    """The package's communes, wards and special zones, codes as stored (5 and 2 digits)."""
    return [
        OfficialUnit(
            code=f"{int(ward.code):05d}",
            name=ward.name,
            kind=KINDS[ward.division_type],
            province_code=f"{int(ward.province_code):02d}",
        )
        for ward in Ward.iter_all()
    ]


def stage_official_units(report: SeedReport, *, units: list[OfficialUnit] | None = None) -> None:
    """Insert the official units missing, rename those whose name or kind changed, deactivate
    those the list lost (`units` replaces the package's list, for tests). Does not commit; a
    few statements whatever the number of units."""
    wanted = {unit.code: unit for unit in (official_units() if units is None else units)}
    stored = {
        row.code: row
        for row in db.session.execute(
            select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.province_code, Unit.active).where(
                Unit.code.is_not(None), Unit.kind.in_(OFFICIAL_KINDS)
            )
        )
    }
    missing = [_values(unit) for code, unit in wanted.items() if code not in stored]
    changed = [
        {"id": stored[code].id, **_values(unit)}
        for code, unit in wanted.items()
        if code in stored
        and (stored[code].name, stored[code].kind, stored[code].province_code)
        != (unit.name, unit.kind, unit.province_code)
    ]
    gone = [row.id for code, row in stored.items() if code not in wanted and row.active]
    if missing:
        db.session.execute(insert(Unit), missing)
    if changed:
        db.session.execute(update(Unit), changed)
    if gone:
        db.session.execute(
            update(Unit).where(Unit.id.in_(gone)).values(active=False),
            execution_options={"synchronize_session": False},
        )
    report.count(REPORTED_AS, created=True, number=len(missing))
    report.count(REPORTED_AS, created=False, number=len(changed) + len(gone))


def _values(unit: OfficialUnit) -> dict:
    """The columns of a unit row; the keys too, which bulk statements do not compute."""
    return {
        "code": unit.code,
        "name": unit.name,
        "key": Unit.key_for(unit.name)[:200],
        "bare_key": Unit.bare_key_for(unit.name)[:200],
        "kind": unit.kind,
        "province_code": unit.province_code,
    }
