"""What `flask seed` loads into the support directory: each active system's IT unit and each
known vendor (national entries), with the contacts of reference/contacts.csv where it states
them, and that file's other entries.

Seeded entries are marked `seeded`; seeding again updates those nobody edited and never adds
a second one. An edit (page, import) clears the mark and the seed leaves that entry alone.
"""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.catalogue.models import System
from helpdesk.catalogue.services import SeedReport, read_csv
from helpdesk.directory import services as directory
from helpdesk.directory.files import FileRow, match_key, row_draft
from helpdesk.directory.models import DirectoryEntry, Kind
from helpdesk.extensions import db

CONTACTS = "contacts.csv"
# One national entry of these kinds per system: the seed finds it whatever its organisation's
# name became (a renamed IT unit is the same entry).
ONE_PER_SYSTEM = (Kind.IT_UNIT, Kind.VENDOR)


def seed_key(draft: directory.EntryDraft) -> tuple:
    if draft.kind in ONE_PER_SYSTEM and draft.province_code is None:
        return (draft.system_code, None, draft.kind)
    return match_key(draft)


def drafts() -> list[directory.EntryDraft]:
    """The entries the reference data states, checked (a wrong line of contacts.csv is a
    bug of the product: it raises)."""
    systems = list(db.session.scalars(select(System).order_by(System.position, System.code)))
    active = {system.code for system in systems if system.active}
    found: dict[tuple, directory.EntryDraft] = {}
    for system in systems:
        if not system.active:
            continue
        it_unit = directory.EntryDraft(system.code, None, Kind.IT_UNIT, system.it_unit)
        found[seed_key(it_unit)] = it_unit
        if system.vendor:
            vendor = directory.EntryDraft(system.code, None, Kind.VENDOR, system.vendor)
            found[seed_key(vendor)] = vendor
    for line, values in enumerate(read_csv(CONTACTS), start=2):
        draft = row_draft(
            FileRow(line, {name: (value or "").strip() for name, value in values.items()})
        )
        if draft.system_code is not None and draft.system_code not in active:
            continue
        found[seed_key(draft)] = draft
    return [directory.check(draft, require_contact=False) for draft in found.values()]


def stage_entries(report: SeedReport) -> None:
    """Add or update the seeded entries; does not commit. Runs after the catalogue (the
    entries name its systems)."""
    held: dict[tuple, list[DirectoryEntry]] = {}
    for entry in db.session.scalars(select(DirectoryEntry).order_by(DirectoryEntry.id)):
        held.setdefault(seed_key(directory.draft_of(entry)), []).append(entry)
    for draft in drafts():
        entries = held.get(seed_key(draft), [])
        seeded = next((entry for entry in entries if entry.seeded), None)
        if seeded is not None:
            if directory.apply(seeded, draft):
                report.count("directory entries", created=False)
        elif not entries:  # an entry someone edited is theirs now
            entry = DirectoryEntry(seeded=True)
            directory.apply(entry, draft)
            db.session.add(entry)
            report.count("directory entries", created=True)
