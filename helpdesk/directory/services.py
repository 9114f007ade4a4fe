"""The support directory's entries: listed by system and province, searched without
diacritics, and kept (created, edited, deleted) by admins and by each province's coordinator.

An entry whose system is None applies to every system, one whose province is None to the
whole country: asked for system `moj` and province `79`, the directory answers moj's national
entries, moj's entries of 79 and the entries of 79 for every system.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, or_, select

from helpdesk import errors, inputs, text
from helpdesk.auth.models import User
from helpdesk.auth.services.fields import normalised_email
from helpdesk.catalogue import services as catalogue
from helpdesk.directory import access
from helpdesk.directory.models import DirectoryEntry, Handles, Kind
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

KINDS = tuple(Kind)
HANDLES = tuple(Handles)
KIND_RANK = {kind.value: rank for rank, kind in enumerate(KINDS)}
LIMITS = {"organisation": 200, "name": 200, "phone": 100, "email": 254, "hours": 200}
NOTE_LIMIT = 2000
POSITIONS = range(0, 10_000)
# Digits, spaces, dots, +, -, parentheses; commas between several numbers.
PHONE = re.compile(r"[0-9 .+\-()]*[0-9][0-9 .+\-()]*")
FILING_CONTACTS = 6  # the filing form's "or call ..." names at most this many


@dataclass(frozen=True)
class EntryDraft:
    """An entry as a form, a file row or the seed gives it (codes; None: every system, the
    whole country)."""

    system_code: str | None
    province_code: str | None
    kind: str
    organisation: str
    name: str = ""
    phone: str = ""
    email: str = ""
    hours: str = ""
    handles: tuple[str, ...] = ()
    note: str = ""
    position: int = 0


# ---------------------------------------------------------------- reading


def place_condition(system: str | None, province: str | None):
    """The entries that apply to that system and province (None: not filtered on)."""
    conditions = []
    if system:
        conditions.append(
            or_(DirectoryEntry.system_code == system, DirectoryEntry.system_code.is_(None))
        )
    if province:
        conditions.append(
            or_(DirectoryEntry.province_code == province, DirectoryEntry.province_code.is_(None))
        )
    return and_(*conditions) if conditions else None


def search_condition(query: str):
    """Every word of the query in the entry's folded text (diacritics and case ignored)."""
    conditions = text.like_every_word(DirectoryEntry.search_text, query)
    return and_(*conditions) if conditions else None


def ordered(statement: Select) -> Select:
    """IT unit, vendor, coordinator, focal points; then position and organisation."""
    rank = case(KIND_RANK, value=DirectoryEntry.kind, else_=len(KIND_RANK))
    return statement.order_by(
        rank, DirectoryEntry.position, DirectoryEntry.organisation, DirectoryEntry.id
    )


def list_entries(
    *, system: str | None = None, province: str | None = None, q: str = ""
) -> list[DirectoryEntry]:
    """The entries that apply to the system and province (each None: all), holding every word
    of `q`, in the directory's order. One query."""
    statement = select(DirectoryEntry)
    for condition in (place_condition(system, province), search_condition(q)):
        if condition is not None:
            statement = statement.where(condition)
    return list(db.session.scalars(ordered(statement)))


def contacts_for(system: str | None, province: str | None) -> list[DirectoryEntry]:
    """Whom the filing form offers to call for that system and province: the entries that
    apply to both and have a phone or an e-mail. Nothing (and no query) unless both codes are
    known."""
    if catalogue.find_system(system) is None or catalogue.find_province(province) is None:
        return []
    reachable = or_(DirectoryEntry.phone != "", DirectoryEntry.email != "")
    statement = select(DirectoryEntry).where(place_condition(system, province), reachable)
    return list(db.session.scalars(ordered(statement).limit(FILING_CONTACTS)))


@dataclass(frozen=True)
class Group:
    """The entries of one system (None: every system) and one province (None: national)."""

    system_code: str | None
    province_code: str | None
    entries: list[DirectoryEntry]


def grouped(entries: list[DirectoryEntry]) -> list[Group]:
    """Entries by system (the catalogue's order, every-system last), then province (national
    first, then by name); each group keeps the directory's order."""
    system_rank = {system.code: rank for rank, system in enumerate(catalogue.catalogue().systems)}
    groups: dict[tuple[str | None, str | None], list[DirectoryEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.system_code, entry.province_code), []).append(entry)

    def key(place: tuple[str | None, str | None]) -> tuple:
        system, province = place
        return (
            system is None,
            system_rank.get(system, len(system_rank)) if system else 0,
            province is not None,
            text.fold(catalogue.province_name(province)) if province else "",
        )

    return [
        Group(system, province, groups[(system, province)])
        for system, province in sorted(groups, key=key)
    ]


def get_entry(user: User, entry_id: int) -> DirectoryEntry:
    """The entry, if the account keeps it; raises errors.NotFound otherwise (not yours is not
    found)."""
    entry = db.session.get(DirectoryEntry, entry_id)
    if entry is None or not access.can_keep_province(user, entry.province_code):
        raise errors.NotFound(_("No such directory entry."))
    return entry


def draft_of(entry: DirectoryEntry) -> EntryDraft:
    return EntryDraft(
        system_code=entry.system_code,
        province_code=entry.province_code,
        kind=entry.kind,
        organisation=entry.organisation,
        name=entry.name,
        phone=entry.phone,
        email=entry.email,
        hours=entry.hours,
        handles=tuple(entry.handled),
        note=entry.note,
        position=entry.position,
    )


# ---------------------------------------------------------------- checking


def check(draft: EntryDraft, *, require_contact: bool = True) -> EntryDraft:
    """The draft tidied (spaces trimmed, codes checked, handles in their fixed order); raises
    errors.Invalid naming every wrong field (system, province, kind, organisation, name,
    phone, email, hours, handles, note, position). Without `require_contact` an entry may
    have neither phone nor e-mail (what the seed loads where the reference data names none)."""
    problems: dict[str, str] = {}
    values = {
        name: " ".join(getattr(draft, name).split())
        for name in ("organisation", "name", "phone", "hours")
    }
    for name, limit in LIMITS.items():
        value = values.get(name, draft.email.strip())
        if len(value) > limit:
            problems[name] = _("At most %(n)d characters.", n=limit)
        elif problem := inputs.readable_problem(value):
            problems[name] = problem
    note = draft.note.strip()
    if len(note) > NOTE_LIMIT:
        problems["note"] = _("At most %(n)d characters.", n=NOTE_LIMIT)
    elif problem := inputs.readable_problem(note, multiline=True):
        problems["note"] = problem
    system = draft.system_code or None
    if system is not None and catalogue.find_system(system) is None:
        problems["system"] = _("Choose a system from the list, or none for every system.")
    province = draft.province_code or None
    if province is not None and catalogue.find_province(province) is None:
        problems["province"] = _("Choose a province from the list, or none for the whole country.")
    if draft.kind not in KIND_RANK:
        problems["kind"] = _(
            "Choose what the entry is: %(kinds)s.", kinds=", ".join(k.value for k in KINDS)
        )
    if not values["organisation"] and "organisation" not in problems:
        problems["organisation"] = _("Enter the organisation's name.")
    phone = values["phone"]
    if (
        phone
        and "phone" not in problems
        and not all(PHONE.fullmatch(part.strip()) for part in phone.split(","))
    ):
        problems["phone"] = _(
            "A phone number holds digits, spaces, dots, +, - and parentheses; separate "
            "several numbers with commas."
        )
    email = draft.email.strip()
    if email and "email" not in problems:
        try:
            email = normalised_email(email)
        except errors.Invalid as error:
            problems["email"] = error.message
    unknown = [value for value in draft.handles if value not in set(HANDLES)]
    if unknown:
        problems["handles"] = _(
            "Unknown: %(values)s. Choose among %(handles)s.",
            values=", ".join(unknown),
            handles=", ".join(h.value for h in HANDLES),
        )
    if draft.position not in POSITIONS:
        problems["position"] = _("A whole number from 0 to 9999.")
    if require_contact and not phone and not email and not {"phone", "email"} & set(problems):
        problems["phone"] = _("Give a phone number or an e-mail address: a way to reach them.")
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return replace(
        draft,
        system_code=system,
        province_code=province,
        phone=phone,
        email=email,
        handles=tuple(h.value for h in HANDLES if h.value in draft.handles),
        note=note,
        **{name: values[name] for name in ("organisation", "name", "hours")},
    )


def require_place(user: User, draft: EntryDraft) -> None:
    """Raise errors.Invalid on `province` unless the account keeps entries of that province:
    a coordinator writes its own province's entries only."""
    if not access.can_keep_province(user, draft.province_code):
        raise errors.Invalid(_("You keep the entries of your own province only."), "province")


def search_text_of(entry: DirectoryEntry) -> str:
    """What the search reads: organisation, name, phone, e-mail and note, folded."""
    parts = (entry.organisation, entry.name, entry.phone, entry.email, entry.note)
    return text.fold(" ".join(part for part in parts if part))


def apply(entry: DirectoryEntry, draft: EntryDraft) -> bool:
    """Write a checked draft on the entry and refresh its search text; whether anything
    changed."""
    values = {
        "system_code": draft.system_code,
        "province_code": draft.province_code,
        "kind": draft.kind,
        "organisation": draft.organisation,
        "name": draft.name,
        "phone": draft.phone,
        "email": draft.email,
        "hours": draft.hours,
        "handles": ",".join(draft.handles),
        "note": draft.note,
        "position": draft.position,
    }
    changed = False
    for column, value in values.items():
        if getattr(entry, column) != value:
            setattr(entry, column, value)
            changed = True
    entry.search_text = search_text_of(entry)
    return changed


def stage_edit(entry: DirectoryEntry, draft: EntryDraft, user: User | None, now: datetime) -> bool:
    """Write the draft as someone's edit: the seed no longer updates the entry. Does not
    commit; whether anything changed."""
    changed = apply(entry, draft)
    if changed or entry.id is None:
        entry.seeded = False
        entry.updated_at = now
        entry.updated_by_id = user.id if user is not None else None
    return changed


# ---------------------------------------------------------------- keeping


def create_entry(user: User, draft: EntryDraft, *, now: datetime | None = None) -> DirectoryEntry:
    """Add an entry. Commits. Raises errors.NotFound for an account that keeps none,
    errors.Invalid naming the field for a bad draft or a province the account does not keep."""
    if not access.can_keep(user):
        raise errors.NotFound(_("No such directory entry."))
    draft = check(draft)
    require_place(user, draft)
    entry = DirectoryEntry()
    stage_edit(entry, draft, user, now or utcnow())
    db.session.add(entry)
    db.session.commit()
    log.info("directory entry %s created by user %s", entry.id, user.id)
    return entry


def update_entry(
    user: User, entry_id: int, draft: EntryDraft, *, now: datetime | None = None
) -> DirectoryEntry:
    """Change an entry the account keeps (404 otherwise). Commits. Raises errors.Invalid as
    create_entry does: a coordinator cannot move an entry out of its province."""
    entry = get_entry(user, entry_id)
    draft = check(draft)
    require_place(user, draft)
    stage_edit(entry, draft, user, now or utcnow())
    db.session.commit()
    log.info("directory entry %s edited by user %s", entry.id, user.id)
    return entry


def delete_entry(user: User, entry_id: int) -> None:
    """Remove an entry the account keeps (404 otherwise). Commits."""
    entry = get_entry(user, entry_id)
    db.session.delete(entry)
    db.session.commit()
    log.info("directory entry %s deleted by user %s", entry_id, user.id)
