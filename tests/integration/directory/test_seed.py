"""`flask seed` loads each active system's IT unit and the known vendors, with the contacts of
reference/contacts.csv; seeding again updates what nobody edited and never duplicates."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.catalogue.cli import stage_seed
from helpdesk.catalogue.services import SeedReport
from helpdesk.directory import services
from helpdesk.directory.models import DirectoryEntry


def entries(db) -> list[DirectoryEntry]:
    return list(db.session.scalars(select(DirectoryEntry).order_by(DirectoryEntry.id)))


def test_seeding_again_changes_nothing(db):
    before = [(e.id, e.organisation, e.phone, e.handles) for e in entries(db)]
    assert all(e.seeded for e in entries(db))
    report = SeedReport()
    stage_seed(report)
    assert "directory entries" not in report.created
    assert "directory entries" not in report.updated
    assert [(e.id, e.organisation, e.phone, e.handles) for e in entries(db)] == before


def test_seeding_again_restores_a_seeded_entry_but_never_an_edited_one(db, make_user):
    vnpt, fpt = (
        db.session.scalar(
            select(DirectoryEntry).where(
                DirectoryEntry.kind == "vendor", DirectoryEntry.system_code == system
            )
        )
        for system in ("moha", "moj")
    )
    vnpt.phone = "0000"  # changed behind the seed's back: still seeded
    draft = services.draft_of(fpt)
    admin = make_user("admin")
    services.update_entry(
        admin, fpt.id, services.EntryDraft(**{**draft.__dict__, "phone": "1900 1234"})
    )
    count = db.session.scalar(select(func.count()).select_from(DirectoryEntry))
    report = SeedReport()
    stage_seed(report)
    db.session.commit()
    assert report.updated.get("directory entries") == 1
    db.session.refresh(vnpt)
    db.session.refresh(fpt)
    assert vnpt.phone == "" and vnpt.seeded
    assert fpt.phone == "1900 1234" and not fpt.seeded
    assert db.session.scalar(select(func.count()).select_from(DirectoryEntry)) == count
