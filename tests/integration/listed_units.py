"""Listed units for the tests that choose one: two made in province 80 with codes of their own
(the seeded list's codes are taken), and the seeded Phường Sài Gòn (79) and Phường Ba Đình
(01)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.auth.models import Unit, UnitKind

CHON_THANH = "T80-901"
MINH_DUC = "T80-902"
SAI_GON = "26740"  # seeded: Phường Sài Gòn
BA_DINH = "00004"  # seeded: its leading zeros matter (an XLSX cell may hold it as 4)

MADE = (
    (CHON_THANH, "80", "Phường Chơn Thành", UnitKind.WARD),
    (MINH_DUC, "80", "Xã Minh Đức", UnitKind.COMMUNE),
)


def make_listed_units(db) -> dict[str, Unit]:
    """code -> unit, the made ones committed."""
    rows = [
        Unit(code=code, province_code=province, name=name, kind=kind)
        for code, province, name, kind in MADE
    ]
    db.session.add_all(rows)
    db.session.commit()
    seeded = db.session.scalars(select(Unit).where(Unit.code.in_([SAI_GON, BA_DINH])))
    return {unit.code: unit for unit in [*rows, *seeded]}
