"""`flask seed` loads the reference data; twice changes nothing; a changed row updates."""

import shutil

from sqlalchemy import func, select

from helpdesk.catalogue import services
from helpdesk.catalogue.models import Category, Province, System


def counts(db):
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Province, System, Category)
    )


def test_seed_loads_34_provinces_15_systems_15_categories(runner, db):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert counts(db) == (34, 15, 15)


def test_seed_twice_changes_nothing(runner, db):
    runner.invoke(args=["seed"])
    before = [(p.code, p.name, p.kind) for p in services.provinces()]
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert "nothing to change" in result.output
    assert [(p.code, p.name, p.kind) for p in services.provinces()] == before
    assert counts(db) == (34, 15, 15)


def test_reference_facts_are_kept(db):
    moj = db.session.get(System, "moj")
    assert (moj.vendor, moj.url) == ("FPT", "https://motcua.moj.gov.vn")
    assert db.session.get(Province, "79").name == "TP. Hồ Chí Minh"
    assert db.session.get(Province, "75").kind == "thanh_pho"
    assert db.session.get(Province, "24").name == "Bắc Ninh"
    assert db.session.get(Category, "payment").name_en == "Online payment and beneficiary account"


def test_a_changed_csv_row_updates_its_record(runner, db, tmp_path, monkeypatch):
    reference = tmp_path / "reference"
    shutil.copytree(services.REFERENCE, reference)
    path = reference / "provinces.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "96,Cà Mau,Ca Mau,tinh", "96,Cà Mau,Ca Mau,thanh_pho"
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(services, "REFERENCE", reference)
    try:
        result = runner.invoke(args=["seed"])
        assert "provinces: 0 created, 1 updated" in result.output
        assert db.session.get(Province, "96").kind == "thanh_pho"
    finally:
        monkeypatch.undo()
        runner.invoke(args=["seed"])
    assert db.session.get(Province, "96").kind == "tinh"
