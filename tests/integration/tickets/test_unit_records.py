"""The seed turns today's free-text units into records: a name that matches a listed unit of its
province is merged into it (accounts and tickets re-pointed, the free-text row gone), a ticket
filed with a name only gets the unit that name means, and the rest stay listed for an admin,
the seed's output saying how many of each."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from helpdesk import errors
from helpdesk.auth.models import Unit, UnitKind, User
from helpdesk.auth.services import units
from helpdesk.catalogue.services import SeedReport
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import unit_records


def free_text_unit(db, province: str, name: str) -> Unit:
    """A unit as an official wrote it before the list was loaded."""
    unit = Unit(province_code=province, name=name, kind=UnitKind.UNLISTED)
    db.session.add(unit)
    db.session.commit()
    return unit


def file(db, requester, province: str, unit_name: str, *, unit: Unit | None) -> Ticket:
    ticket = tickets.create_ticket(
        requester,
        tickets.TicketDraft(
            system="moj",
            category="payment",
            province=province,
            unit=unit_name,
            subject="Tiền thanh toán trực tuyến chưa về tài khoản",
            description="Người dân đã nộp lệ phí nhưng tiền chưa về tài khoản thụ hưởng.",
        ),
    )
    # As filed before the list existed: the name as written, and the free-text record or none.
    db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(unit=unit_name, unit_id=unit.id if unit else None)
    )
    return ticket


@pytest.fixture
def free_text(db, make_user):
    """Accounts and tickets of three free-text units: two that now match a listed unit, one
    that does not; and a ticket with a unit's name only."""
    chon_thanh = free_text_unit(db, "75", "UBND phường Chơn Thành")
    tan_hung = free_text_unit(db, "80", "ubnd xa tan hung")
    unknown = free_text_unit(db, "79", "Trung tâm Hành chính công quận cũ")
    people = {}
    for key, unit in (("chon_thanh", chon_thanh), ("tan_hung", tan_hung), ("unknown", unknown)):
        user = make_user("requester", province_code=unit.province_code)
        db.session.execute(update(User).where(User.id == user.id).values(unit_id=unit.id))
        people[key] = user
    db.session.commit()
    filed = {
        "chon_thanh": file(db, people["chon_thanh"], "75", chon_thanh.name, unit=chon_thanh),
        "tan_hung": file(db, people["tan_hung"], "80", tan_hung.name, unit=tan_hung),
        "unknown": file(db, people["unknown"], "79", unknown.name, unit=unknown),
        "name_only": file(db, people["tan_hung"], "80", "Xã  Tân Hưng", unit=None),
        "other_name_only": file(db, people["unknown"], "79", "Phòng Tư pháp quận 13", unit=None),
    }
    db.session.commit()
    return {"units": (chon_thanh.id, tan_hung.id, unknown.id), "people": people, "filed": filed}


def unit_of(db, row) -> Unit | None:
    db.session.expire_all()
    found = db.session.get(type(row), row.id)
    return db.session.get(Unit, found.unit_id) if found.unit_id else None


def test_the_seed_merges_free_text_units_that_match_and_reports_the_rest(runner, db, free_text):
    chon_thanh_id, tan_hung_id, unknown_id = free_text["units"]
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "unlisted units matched to the list: 2" in result.output
    assert "units still unlisted (for an admin to match): 2" in result.output
    assert "tickets given their unit record: 2" in result.output

    db.session.expire_all()
    assert db.session.get(Unit, chon_thanh_id) is None
    assert db.session.get(Unit, tan_hung_id) is None
    people, filed = free_text["people"], free_text["filed"]
    assert unit_of(db, people["chon_thanh"]).code == "25432"  # Phường Chơn Thành
    assert unit_of(db, people["tan_hung"]).code == "27721"  # Xã Tân Hưng, province 80
    assert unit_of(db, filed["chon_thanh"]).code == "25432"
    assert unit_of(db, filed["tan_hung"]).code == "27721"
    assert unit_of(db, filed["name_only"]).code == "27721"
    # What matches nothing stays as written, for an admin to match.
    assert unit_of(db, people["unknown"]).id == unknown_id
    assert unit_of(db, filed["unknown"]).id == unknown_id
    kept = unit_of(db, filed["other_name_only"])
    assert (kept.code, kept.name, kept.province_code) == (None, "Phòng Tư pháp quận 13", "79")
    # The names as filed are kept on the tickets.
    assert db.session.get(Ticket, filed["name_only"].id).unit == "Xã  Tân Hưng"

    again = runner.invoke(args=["seed"])
    assert "matched" not in again.output and "given" not in again.output
    assert "units still unlisted (for an admin to match): 2" in again.output


def test_an_admin_merges_an_unlisted_name_into_the_unit_it_means(db, make_user, free_text):
    admin = make_user("admin")
    unknown_id = free_text["units"][2]
    into, moved = unit_records.merge_unit(admin, unknown_id, "26740")  # Phường Sài Gòn
    assert (into.name, moved.users, moved.tickets) == ("Phường Sài Gòn", 1, 1)
    assert unit_of(db, free_text["people"]["unknown"]).code == "26740"
    assert db.session.get(Unit, unknown_id) is None


def test_a_merge_refuses_a_unit_of_another_province_or_a_listed_one(db, make_user, free_text):
    admin = make_user("admin")
    unknown_id = free_text["units"][2]
    with pytest.raises(errors.Invalid):
        unit_records.merge_unit(admin, unknown_id, "27721")  # province 80, not 79
    listed = units.by_code("26740")
    with pytest.raises(errors.NotFound):
        unit_records.merge_unit(admin, listed.id, "26737")
    db.session.rollback()
    assert db.session.get(Unit, unknown_id) is not None


def test_the_unlisted_names_count_their_accounts_and_tickets(db, make_user, free_text):
    coordinator = make_user("coordinator", province_code="79")
    report = SeedReport()
    unit_records.stage_reconcile(report)
    db.session.commit()
    rows = unit_records.unlisted_units(coordinator, "79")
    assert [(row.unit.name, row.users, row.tickets) for row in rows] == [
        ("Trung tâm Hành chính công quận cũ", 1, 1),
        ("Phòng Tư pháp quận 13", 0, 1),
    ]
    with pytest.raises(errors.NotFound):
        unit_records.unlisted_units(coordinator, "01")
    unlisted_75 = select(Unit.id).where(Unit.code.is_(None), Unit.province_code == "75")
    assert db.session.scalar(unlisted_75) is None  # Chơn Thành is a listed ward now
