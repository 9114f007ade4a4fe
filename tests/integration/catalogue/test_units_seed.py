"""`flask seed` loads the 3,321 communes, wards and special zones of the 2025 list with their
official codes, refreshes them when the list changes (never deleting one), and changes nothing
the second time."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.auth.models import Unit, UnitKind
from helpdesk.auth.services import units, units_seed
from helpdesk.catalogue.services import SeedReport


def official_counts(db) -> dict[str, int]:
    rows = db.session.execute(
        select(Unit.kind, func.count()).where(Unit.code.is_not(None)).group_by(Unit.kind)
    )
    return dict(rows.all())


def test_the_seed_holds_every_commune_ward_and_special_zone_of_the_34_provinces(db):
    assert official_counts(db) == {
        UnitKind.COMMUNE: 2621,
        UnitKind.WARD: 687,
        UnitKind.SPECIAL_ZONE: 13,
    }
    provinces = db.session.scalar(select(func.count(func.distinct(Unit.province_code))))
    assert provinces == 34


def test_a_known_commune_has_its_official_code_and_province(db):
    commune = units.by_code("27721")
    assert (commune.name, commune.kind, commune.province_code, commune.active) == (
        "Xã Tân Hưng",
        UnitKind.COMMUNE,
        "80",
        True,
    )
    ward = units.by_code("25432")
    assert (ward.name, ward.kind, ward.province_code) == ("Phường Chơn Thành", "ward", "75")
    assert units.by_code("00070").name == "Phường Hoàn Kiếm"  # codes keep their 5 digits
    assert units.match("80", "UBND xã Tân Hưng") == commune


def test_a_second_seed_changes_nothing(runner, db):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    before = official_counts(db)
    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0, again.output
    assert "nothing to change" in again.output
    assert official_counts(db) == before


def test_a_new_list_renames_adds_and_deactivates_but_deletes_nothing(db):
    listed = units_seed.official_units()
    kept = [unit for unit in listed if unit.code not in ("27721", "25432")]
    renamed = units_seed.OfficialUnit("25432", "Phường Chơn Thành Mới", "ward", "75")
    added = units_seed.OfficialUnit("99999", "Xã Thử Nghiệm", "commune", "80")
    report = SeedReport()
    units_seed.stage_official_units(report, units=[*kept, renamed, added])
    db.session.commit()
    assert (report.created, report.updated) == ({"units": 1}, {"units": 2})
    gone = units.by_code("27721") or db.session.scalar(select(Unit).where(Unit.code == "27721"))
    assert (gone.name, gone.active) == ("Xã Tân Hưng", False)
    assert db.session.scalar(select(Unit.name).where(Unit.code == "25432")) == renamed.name
    assert units.match("75", "phuong chon thanh moi").code == "25432"
    assert units.by_code("99999").province_code == "80"

    # The package's list again: the name comes back; a deactivated unit stays as it is (an admin
    # may have deactivated it), the unit the list lost is deactivated, nothing is deleted.
    report = SeedReport()
    units_seed.stage_official_units(report)
    db.session.commit()
    assert (report.created, report.updated) == ({}, {"units": 2})
    assert units.by_code("25432").name == "Phường Chơn Thành"
    assert db.session.scalar(select(Unit.active).where(Unit.code == "27721")) is False
    assert db.session.scalar(select(Unit.active).where(Unit.code == "99999")) is False
    assert sum(official_counts(db).values()) == 3322
