"""Keeping entries: the form's checks, admins everywhere, a coordinator in its own province
only (another province's entry is not found), search text and the seeded mark kept right."""

from __future__ import annotations

import pytest
from integration.directory.helpers import add_entry
from sqlalchemy import select
from support import post_form

from helpdesk import errors
from helpdesk.directory import services
from helpdesk.directory.models import DirectoryEntry

FORM = {
    "system": "moj",
    "province": "79",
    "kind": "focal_point",
    "organisation": "Sở Tư pháp TP. Hồ Chí Minh",
    "name": "Nguyễn Văn Ân",
    "phone": "028 3829 6390, 0909.123.456",
    "email": "stp@tphcm.gov.vn",
    "hours": "7:30–17:00",
    "handles": ["business", "accounts"],
    "note": "",
    "position": "0",
}


def entry_named(db, organisation: str) -> DirectoryEntry | None:
    return db.session.scalar(
        select(DirectoryEntry).where(DirectoryEntry.organisation == organisation)
    )


def test_an_admin_adds_an_entry_through_the_form(db, browser, make_user):
    client = browser(make_user("admin"))
    response = post_form(client, "/directory/new", FORM)
    assert response.status_code == 302
    entry = entry_named(db, FORM["organisation"])
    assert entry.handles == "business,accounts" and entry.phone == FORM["phone"]
    assert "nguyen van an" in entry.search_text and not entry.seeded
    html = client.get("/directory?q=nguyen+van").get_data(as_text=True)
    assert 'href="tel:0909.123.456"' in html and "Thủ tục và nghiệp vụ" in html


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"phone": "gọi 0909"}, "phone", "chữ số"),
        ({"email": "not-an-address"}, "email", "email hợp lệ"),
        ({"phone": "", "email": ""}, "phone", "cách liên hệ"),
        ({"phone": "0909,,"}, "phone", "chữ số"),
    ],
)
def test_a_bad_entry_is_refused_beside_its_field(db, browser, make_user, changes, field, words):
    client = browser(make_user("admin"), "vi")
    response = post_form(client, "/directory/new", {**FORM, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert words in html
    assert f'id="{field}-error-1"' in html
    assert entry_named(db, FORM["organisation"]) is None


def test_an_edit_changes_the_search_text_and_ends_the_seeded_mark(db, browser, make_user):
    seeded = db.session.scalar(
        select(DirectoryEntry).where(
            DirectoryEntry.system_code == "moha", DirectoryEntry.kind == "vendor"
        )
    )
    assert seeded.seeded
    client = browser(make_user("admin"))
    page = f"/directory/{seeded.id}/edit"
    assert 'value="VNPT"' in client.get(page).get_data(as_text=True)
    data = {**FORM, "system": "moha", "province": "", "kind": "vendor", "organisation": "VNPT IT"}
    assert post_form(client, page, data).status_code == 302
    db.session.refresh(seeded)
    assert seeded.organisation == "VNPT IT" and not seeded.seeded
    assert "vnpt it" in seeded.search_text


def test_an_admin_deletes_an_entry(db, browser, make_user):
    admin = make_user("admin")
    entry_id = add_entry(admin).id
    client = browser(admin)
    response = post_form(client, f"/directory/{entry_id}/delete", {}, page="/directory")
    assert response.status_code == 302
    assert db.session.get(DirectoryEntry, entry_id) is None


def test_a_coordinator_keeps_its_own_province(db, browser, make_user):
    coordinator = make_user("coordinator", province_code="79")
    client = browser(coordinator)
    assert 'value="01"' not in client.get("/directory/new").get_data(as_text=True)
    assert post_form(client, "/directory/new", FORM).status_code == 302
    entry = entry_named(db, FORM["organisation"])
    page = f"/directory/{entry.id}/edit"
    assert post_form(client, page, {**FORM, "name": "Lê Thị Bình"}).status_code == 302
    db.session.refresh(entry)
    assert entry.name == "Lê Thị Bình" and entry.updated_by_id == coordinator.id
    entry_id = entry.id
    response = post_form(client, f"/directory/{entry_id}/delete", {}, page="/directory")
    assert response.status_code == 302
    assert db.session.get(DirectoryEntry, entry_id) is None


def test_a_coordinator_finds_no_entry_of_another_province(db, browser, make_user):
    admin = make_user("admin")
    other = add_entry(admin, province_code="01", organisation="Sở Tư pháp Hà Nội")
    national = db.session.scalar(
        select(DirectoryEntry).where(
            DirectoryEntry.kind == "it_unit", DirectoryEntry.system_code == "moj"
        )
    )
    client = browser(make_user("coordinator", province_code="79"))
    for entry in (other, national):
        assert client.get(f"/directory/{entry.id}/edit").status_code == 404
        response = post_form(client, f"/directory/{entry.id}/delete", {}, page="/directory")
        assert response.status_code == 404
        assert (
            post_form(client, f"/directory/{entry.id}/edit", FORM, page="/directory").status_code
            == 404
        )
    assert db.session.get(DirectoryEntry, other.id).organisation == "Sở Tư pháp Hà Nội"


def test_a_coordinator_may_not_write_national_entries_or_move_one_away(db, make_user):
    coordinator = make_user("coordinator", province_code="79")
    draft = services.EntryDraft("moj", None, "focal_point", "Toàn quốc", phone="0909")
    with pytest.raises(errors.Invalid) as refused:
        services.create_entry(coordinator, draft)
    assert "province" in refused.value.fields
    entry = services.create_entry(
        coordinator, services.EntryDraft("moj", "79", "focal_point", "Của tỉnh", phone="0909")
    )
    moved = services.EntryDraft("moj", "01", "focal_point", "Của tỉnh", phone="0909")
    with pytest.raises(errors.Invalid):
        services.update_entry(coordinator, entry.id, moved)
    db.session.rollback()
    assert db.session.get(DirectoryEntry, entry.id).province_code == "79"


def test_a_coordinator_without_a_province_and_other_roles_keep_nothing(make_user):
    draft = services.EntryDraft("moj", "79", "focal_point", "X", phone="0909")
    for user in (make_user("agent"), make_user("supervisor"), make_user("requester")):
        with pytest.raises(errors.NotFound):
            services.create_entry(user, draft)
