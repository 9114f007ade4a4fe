"""Names officials wrote, turned into unit records: an unlisted unit merged into the listed unit
it means (its accounts and tickets re-pointed, the unlisted row gone), by `flask seed` for every
name that matches and by an admin or the province's coordinator for the rest ("this is unit X");
tickets filed with a unit's name only are given the unit record that name means.

The tickets package does it because tickets point at units too (auth, below it, cannot reach
them); the accounts are re-pointed in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from helpdesk import errors
from helpdesk.auth import permissions
from helpdesk.auth.models import Unit, User
from helpdesk.auth.services import units
from helpdesk.catalogue.services import SeedReport, find_province
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket

MATCHED = "unlisted units matched to the list"
STILL_UNLISTED = "units still unlisted (for an admin to match)"
TICKETS_LINKED = "tickets given their unit record"


@dataclass(frozen=True, slots=True)
class Merged:
    """What a merge moved: the accounts and tickets now pointing at the listed unit."""

    users: int
    tickets: int


@dataclass(frozen=True, slots=True)
class UnlistedRow:
    """An unlisted name of a province and how many accounts and tickets use it."""

    unit: Unit
    users: int
    tickets: int


def stage_merge(unlisted: Unit, into: Unit) -> Merged:
    """Point the accounts and tickets of `unlisted` at `into`, a listed, active unit of the same
    province, and delete the unlisted row. Does not commit; raises errors.Invalid otherwise."""
    if unlisted.listed:
        raise errors.Invalid(_("Only a unit that is not on the list can be merged."), "unit")
    if not into.listed or not into.active or into.province_code != unlisted.province_code:
        raise errors.Invalid(_("Choose an active unit of the same province."), "into")
    moved_users = db.session.execute(
        update(User).where(User.unit_id == unlisted.id).values(unit_id=into.id),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    moved_tickets = db.session.execute(
        update(Ticket).where(Ticket.unit_id == unlisted.id).values(unit_id=into.id),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    db.session.delete(unlisted)
    db.session.flush()
    return Merged(users=moved_users, tickets=moved_tickets)


def get_unlisted(actor: User, unit_id: int) -> Unit:
    """An unlisted unit of a province the actor keeps the units of; errors.NotFound otherwise."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.listed or not permissions.can_manage_units(actor, unit.province_code):
        raise errors.NotFound(_("Unit not found."))
    return unit


def merge_unit(actor: User, unlisted_id: int, into_code: str) -> tuple[Unit, Merged]:
    """ "This name is unit X": merge an unlisted unit into the listed unit with code
    `into_code`, for an admin or the province's coordinator (errors.NotFound for others).
    Commits. Returns the listed unit and what moved."""
    unlisted = get_unlisted(actor, unlisted_id)
    into = units.by_code(into_code)
    if into is None or into.province_code != unlisted.province_code:
        raise errors.Invalid(_("Choose an active unit of the same province."), "into")
    merged = stage_merge(unlisted, into)
    db.session.commit()
    return into, merged


def stage_reconcile(report: SeedReport) -> None:
    """Give tickets filed with a unit's name only their unit record (the listed unit it means,
    else the name kept as an unlisted unit), then merge every unlisted unit whose name now
    matches a listed unit of its province. Reports what it matched and what stays unlisted.
    Does not commit; a few queries per distinct name, none per row."""
    _stage_link_tickets(report)
    unlisted = list(db.session.scalars(select(Unit).where(Unit.code.is_(None))))
    found = units.match_all((unit.province_code, unit.name) for unit in unlisted)
    matched = 0
    for unit in unlisted:
        into = found.get((unit.province_code, unit.name))
        if into is not None:
            stage_merge(unit, into)
            matched += 1
    report.tell(MATCHED, matched)
    report.tell(STILL_UNLISTED, len(unlisted) - matched)


def _stage_link_tickets(report: SeedReport) -> None:
    pairs = list(
        db.session.execute(
            select(Ticket.province_code, Ticket.unit)
            .where(Ticket.unit_id.is_(None), Ticket.unit != "")
            .distinct()
        )
    )
    if not pairs:
        return
    found = units.match_all((province, name) for province, name in pairs)
    linked = 0
    for province, name in pairs:
        unit = found.get((province, name))
        if unit is None:
            try:
                unit = units.resolve(province, name)
            except errors.Invalid:
                continue  # a name no form would take today: the ticket keeps its text only
        linked += db.session.execute(
            update(Ticket)
            .where(Ticket.province_code == province, Ticket.unit == name, Ticket.unit_id.is_(None))
            .values(unit_id=unit.id),
            execution_options={"synchronize_session": False},
        ).rowcount
    report.tell(TICKETS_LINKED, linked)


def unlisted_units(actor: User, province_code: str) -> list[UnlistedRow]:
    """The province's unlisted names with their number of accounts and tickets, most used
    first, for an admin or the province's coordinator (errors.NotFound for others). Three
    queries."""
    if find_province(province_code) is None:
        raise errors.NotFound(_("Unit not found."))
    permissions.require_units(actor, province_code)
    rows = list(
        db.session.scalars(
            select(Unit).where(Unit.province_code == province_code, Unit.code.is_(None))
        )
    )
    ids = [unit.id for unit in rows]
    users = _counts(User.unit_id, ids)
    tickets = _counts(Ticket.unit_id, ids)
    found = [UnlistedRow(unit, users.get(unit.id, 0), tickets.get(unit.id, 0)) for unit in rows]
    return sorted(found, key=lambda row: (-(row.users + row.tickets), row.unit.key, row.unit.id))


def _counts(column, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(column, func.count()).where(column.in_(ids)).group_by(column)
        ).all()
    )
