"""The units pages: admins keep every province's units, a coordinator its own province's (any
other province is not found), everyone else finds nothing; adding, renaming, deactivating, the
members-see-tickets setting and "this name is unit X" for the names officials wrote."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update
from support import csrf_token, post_form

from helpdesk.auth.models import Unit, UnitKind, User
from helpdesk.auth.services import units

PAGES = ("/admin/units/", "/admin/units/new", "/admin/units/unlisted")


@pytest.fixture
def admin(make_user):
    return make_user("admin", province_code="01")


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator", province_code="79")


def codes_on(html: str) -> list[str]:
    return re.findall(r'data-unit="([^"]+)"', html)


def post_from(client, page: str, url: str, data: dict):
    html = client.get(page).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(html)})


def test_the_list_filters_by_kind_and_words_without_diacritics(browser, admin):
    client = browser(admin, "vi")
    html = client.get("/admin/units/?province=80&q=tan%20hung").get_data(as_text=True)
    assert codes_on(html) == ["27721"]
    assert "Xã Tân Hưng" in html and "Xã" in html
    wards = client.get("/admin/units/?province=79&kind=ward").get_data(as_text=True)
    assert len(codes_on(wards)) == 50  # a page
    assert "?province=79&amp;kind=ward&amp;page=2" in wards or "page=2" in wards
    assert all(units.by_code(code).kind == UnitKind.WARD for code in codes_on(wards))
    communes = client.get("/admin/units/?province=79&kind=commune&q=tan").get_data(as_text=True)
    assert codes_on(communes) and all(
        units.by_code(code).kind == UnitKind.COMMUNE for code in codes_on(communes)
    )


def test_the_list_costs_the_same_queries_for_one_unit_or_a_page(browser, admin, count_queries):
    client = browser(admin)
    client.get("/admin/units/?province=79")
    with count_queries() as one:
        assert client.get("/admin/units/?province=80&q=tan%20hung").status_code == 200
    with count_queries() as page:
        assert client.get("/admin/units/?province=79").status_code == 200
    assert len(page) == len(one)


def test_a_coordinator_keeps_its_own_province_only(browser, coordinator, db):
    client = browser(coordinator)
    html = client.get("/admin/units/").get_data(as_text=True)
    assert "Phường Sài Gòn" in html or "26740" in client.get("/admin/units/?q=sai%20gon").get_data(
        as_text=True
    )
    for path in PAGES:
        assert client.get(path).status_code == 200, path
        assert client.get(f"{path}?province=01").status_code == 404, path
    hoan_kiem = units.by_code("00070")
    assert client.get(f"/admin/units/{hoan_kiem.id}").status_code == 404
    response = post_from(
        client,
        "/admin/units/",
        f"/admin/units/{hoan_kiem.id}/settings",
        {"members_see_tickets": "y"},
    )
    assert response.status_code == 404
    response = post_from(client, "/admin/units/", f"/admin/units/{hoan_kiem.id}/deactivate", {})
    assert response.status_code == 404
    db.session.expire_all()
    assert (hoan_kiem.members_see_tickets, hoan_kiem.active) == (False, True)


@pytest.mark.parametrize("role", ["requester", "unit_admin", "agent", "supervisor", "observer"])
def test_other_roles_find_no_units_page(browser, make_user, role):
    client = browser(make_user(role, province_code="79"))
    for path in PAGES:
        assert client.get(path).status_code == 404, path
    assert "/admin/units/" not in client.get("/").get_data(as_text=True)


def test_admins_and_coordinators_find_the_page_in_the_menu(browser, admin, coordinator):
    for user in (admin, coordinator):
        assert 'href="/admin/units/"' in browser(user).get("/").get_data(as_text=True)


def test_a_coordinator_adds_provincial_and_ministry_units_with_their_own_codes(
    browser, coordinator, db
):
    client = browser(coordinator, "vi")
    for name, kind, system in (
        ("Sở Tư pháp", "provincial", ""),
        ("Trung tâm Phục vụ hành chính công", "provincial", ""),
        ("Cục Thi hành án dân sự", "ministry", "moj"),
    ):
        response = post_form(
            client, "/admin/units/new", {"name": name, "kind": kind, "system": system}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    added = {
        unit.code: (unit.name, unit.kind, unit.system_code)
        for unit in db.session.scalars(
            select(Unit).where(
                Unit.province_code == "79", Unit.kind.in_(["provincial", "ministry"])
            )
        )
    }
    assert added["T79-001"] == ("Sở Tư pháp", "provincial", None)
    assert added["T79-002"] == ("Trung tâm Phục vụ hành chính công", "provincial", None)
    assert added["B-moj-001"] == ("Cục Thi hành án dân sự", "ministry", "moj")
    assert units.match("79", "so tu phap").code == "T79-001"

    again = post_form(client, "/admin/units/new", {"name": "SỞ TƯ PHÁP", "kind": "provincial"})
    assert again.status_code == 422
    assert "Tỉnh đã có đơn vị mang tên này." in again.get_data(as_text=True)
    no_system = post_form(client, "/admin/units/new", {"name": "Cục mới", "kind": "ministry"})
    assert no_system.status_code == 422
    assert "Hãy chọn hệ thống của bộ." in no_system.get_data(as_text=True)


def test_an_added_unit_is_renamed_an_official_one_is_not(browser, admin, db):
    client = browser(admin)
    post_form(client, "/admin/units/new?province=79", {"name": "Sở Tư pháp", "kind": "provincial"})
    added = units.by_code("T79-001")
    page = f"/admin/units/{added.id}"
    response = post_from(client, page, f"{page}/rename", {"name": "Sở Tư pháp TP. Hồ Chí Minh"})
    assert response.status_code == 302
    db.session.expire_all()
    assert units.by_code("T79-001").name == "Sở Tư pháp TP. Hồ Chí Minh"

    ward = units.by_code("26740")
    page = f"/admin/units/{ward.id}"
    assert 'name="name"' not in client.get(page).get_data(as_text=True)
    response = post_from(client, page, f"{page}/rename", {"name": "Phường Khác"})
    assert response.status_code == 422
    db.session.expire_all()
    assert units.by_code("26740").name == "Phường Sài Gòn"


def test_a_unit_is_deactivated_and_offered_again(browser, admin, db):
    client = browser(admin)
    ward = units.by_code("26740")
    page = f"/admin/units/{ward.id}"
    assert post_from(client, page, f"{page}/deactivate", {}).status_code == 302
    assert units.by_code("26740") is None  # no longer offered
    assert units.match("79", "UBND phường Sài Gòn") is None
    inactive = client.get("/admin/units/?province=79&state=inactive").get_data(as_text=True)
    assert codes_on(inactive) == ["26740"]
    assert post_from(client, page, f"{page}/activate", {}).status_code == 302
    assert units.by_code("26740").active


def test_the_province_coordinator_lets_members_see_the_units_tickets(browser, coordinator, db):
    client = browser(coordinator)
    ward = units.by_code("26740")
    page = f"/admin/units/{ward.id}"
    assert (
        post_from(client, page, f"{page}/settings", {"members_see_tickets": "y"}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Unit, ward.id).members_see_tickets is True
    assert "checked" in client.get(page).get_data(as_text=True)
    assert post_from(client, page, f"{page}/settings", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, ward.id).members_see_tickets is False


def test_a_form_without_its_csrf_token_changes_nothing(browser, admin, db):
    client = browser(admin)
    ward = units.by_code("26740")
    response = client.post(f"/admin/units/{ward.id}/settings", data={"members_see_tickets": "y"})
    assert response.status_code in (302, 400)
    client.post(f"/admin/units/{ward.id}/deactivate")
    db.session.expire_all()
    unit = db.session.get(Unit, ward.id)
    assert (unit.members_see_tickets, unit.active) == (False, True)


def test_an_unlisted_name_is_merged_into_the_unit_it_is(browser, coordinator, make_user, db):
    written = Unit(province_code="79", name="P. Sài Gòn (cũ Q1)", kind=UnitKind.UNLISTED)
    db.session.add(written)
    db.session.commit()
    written_id = written.id
    official = make_user("requester", province_code="79")
    db.session.execute(update(User).where(User.id == official.id).values(unit_id=written_id))
    db.session.commit()
    client = browser(coordinator, "vi")

    listing = client.get("/admin/units/unlisted").get_data(as_text=True)
    row = re.search(rf'data-unlisted="{written_id}".*?</tr>', listing, re.S).group(0)
    assert "P. Sài Gòn (cũ Q1)" in row and re.findall(r">(\d+)</td>", row) == ["1", "0"]
    page = f"/admin/units/unlisted/{written_id}?q=sai%20gon"
    assert "26740" in codes_on(client.get(page).get_data(as_text=True))

    response = post_from(
        client, page, f"/admin/units/unlisted/{written_id}/merge", {"into": "27721"}
    )  # Xã Tân Hưng is of province 80: refused
    assert response.status_code == 302
    assert db.session.get(Unit, written_id) is not None

    response = post_from(
        client, page, f"/admin/units/unlisted/{written_id}/merge", {"into": "26740"}
    )
    assert response.status_code == 302
    assert "đã chuyển 1 tài khoản và 0 yêu cầu" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, written_id) is None
    assert db.session.get(User, official.id).unit.code == "26740"
    assert (
        db.session.scalar(select(Unit.id).where(Unit.code.is_(None), Unit.province_code == "79"))
        is None
    )


def test_a_province_that_does_not_exist_is_not_found(browser, admin):
    client = browser(admin)
    for path in PAGES:
        assert client.get(f"{path}?province=00").status_code == 404, path


def test_a_unit_admin_chooses_from_the_accounts_page_that_its_members_see_its_tickets(
    browser, make_user, db
):
    ward = units.by_code("26740")
    other = units.by_code("00004")
    unit_admin = make_user("unit_admin", province_code="79", unit_code="26740")
    client = browser(unit_admin)
    page = client.get("/accounts/").get_data(as_text=True)
    assert 'data-testid="unit-sharing"' in page
    assert f'action="/admin/units/{ward.id}/settings"' in page
    response = post_form(
        client, f"/admin/units/{ward.id}/settings", {"members_see_tickets": "y"}, page="/accounts/"
    )
    assert response.status_code == 302 and response.location.endswith("/accounts/")
    db.session.expire_all()
    assert db.session.get(Unit, ward.id).members_see_tickets is True
    # Another unit's setting, and the units pages themselves, are not its business.
    refused = post_form(
        client, f"/admin/units/{other.id}/settings", {"members_see_tickets": "y"}, page="/accounts/"
    )
    assert refused.status_code == 404
    assert client.get(f"/admin/units/{ward.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Unit, other.id).members_see_tickets is False


def test_the_accounts_page_offers_the_setting_to_unit_admins_only(browser, make_user, admin):
    assert 'data-testid="unit-sharing"' not in browser(admin).get("/accounts/").get_data(
        as_text=True
    )
