"""The per-test restore (tests/seeded.py) puts the 3,321 seeded units back exactly, whatever a
test did to them: renamed, deactivated, deleted, added; on SQLite also when another connection
than the app's wrote them."""

from __future__ import annotations

import sqlite3

from sqlalchemy import delete, select, update

from helpdesk.auth.models import Unit, UnitKind


def all_units(db) -> list[tuple]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(select(Unit.__table__).order_by(Unit.id))]


def test_the_restore_puts_every_seeded_unit_back(app, db):
    before = all_units(db)
    assert len(before) == 3321
    db.session.execute(update(Unit).where(Unit.code == "27721").values(name="Xã Đổi Tên"))
    db.session.execute(update(Unit).where(Unit.code == "25432").values(active=False))
    db.session.execute(delete(Unit).where(Unit.code == "00070"))
    db.session.add(Unit(province_code="79", name="UBND phường Mới Lập", kind=UnitKind.UNLISTED))
    db.session.commit()
    assert all_units(db) != before

    app.extensions["test_seeded"].restore()
    assert all_units(db) == before


def test_the_restore_sees_units_written_by_another_connection(app, db, backend):
    before = all_units(db)
    if backend == "sqlite":
        other = sqlite3.connect(db.engine.url.database)
        other.execute(
            "INSERT INTO units (province_code, name, key, bare_key, kind, active, "
            "members_see_tickets) VALUES ('79', 'Khác', 'khac', 'khac', 'unlisted', 1, 0)"
        )
        other.commit()
        other.close()
    else:
        with db.engine.begin() as other:
            other.exec_driver_sql("UPDATE units SET active = false WHERE code = '27721'")
    assert all_units(db) != before

    app.extensions["test_seeded"].restore()
    assert all_units(db) == before


def test_units_a_test_only_added_are_deleted(app, db):
    before = all_units(db)
    for name in ("UBND phường Mới Lập", "UBND xã Mới Lập"):
        db.session.add(Unit(province_code="79", name=name, kind=UnitKind.UNLISTED))
        db.session.commit()
    assert len(all_units(db)) == len(before) + 2

    app.extensions["test_seeded"].restore()
    assert all_units(db) == before
