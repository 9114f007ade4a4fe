"""Choosing a unit from the province's list: registration, the profile, the accounts page, the
command line and imports take the chosen unit's code, match a typed name to the list, keep
a name that matches none as written, and refuse a code that is unknown or of another
province beside its field, keeping what was typed."""

from __future__ import annotations

import csv
import io

import pytest
from integration.listed_units import CHON_THANH, MINH_DUC, SAI_GON, make_listed_units
from integration.tickets.page_helpers import field_tag
from sqlalchemy import func, select
from support import csrf_token, post_form, save_profile

from helpdesk.auth.models import UnitKind, User


@pytest.fixture
def listed(db):
    """Listed units of provinces 80, 79 and 01: code -> unit."""
    return make_listed_units(db)


def user_with(db, cccd: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.cccd == cccd))


def count_users(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


# ---------------------------------------------------------------- registration


def register(client, registration, **changes):
    return post_form(client, "/auth/register", {**registration, "province": "80", **changes})


def test_registration_with_a_chosen_unit_code_belongs_to_that_unit(
    client, db, registration, listed
):
    response = register(client, registration, unit="Phường Chơn Thành", unit_code=CHON_THANH)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert user_with(db, registration["cccd"]).unit_id == listed[CHON_THANH].id


def test_a_typed_name_with_ubnd_and_without_diacritics_is_matched_to_the_record(
    client, db, registration, listed
):
    register(client, registration, unit="UBND phường Chơn Thành")
    assert user_with(db, registration["cccd"]).unit_id == listed[CHON_THANH].id
    register(client, registration, cccd="079090123457", unit="ubnd phuong chon thanh")
    assert user_with(db, "079090123457").unit_id == listed[CHON_THANH].id


def test_an_unknown_name_is_kept_as_written_as_an_unlisted_unit(client, db, registration, listed):
    register(client, registration, unit="Trung tâm Phục vụ hành chính công tỉnh")
    unit = user_with(db, registration["cccd"]).unit
    assert (unit.name, unit.code, unit.kind, unit.province_code) == (
        "Trung tâm Phục vụ hành chính công tỉnh",
        None,
        UnitKind.UNLISTED,
        "80",
    )


@pytest.mark.parametrize("code", [SAI_GON, "99999"])  # of province 79; of no unit
def test_a_code_of_another_province_or_unknown_is_refused_keeping_what_was_typed(
    english, db, registration, listed, code
):
    response = register(english, registration, unit="Phường Chơn Thành", unit_code=code)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a unit of the province from the list." in html
    assert 'value="Phường Chơn Thành"' in html  # the typed name stays
    assert 'name="unit_code" id="unit_code" value=""' in html  # sent again: the name is matched
    assert 'aria-invalid="true"' in field_tag(html, "unit")
    assert user_with(db, registration["cccd"]) is None


def test_a_bad_code_is_refused_alike_whether_or_not_the_cccd_has_an_account(
    english, db, registration, listed, make_user
):
    """The unit is checked before the CCCD is looked up: the answer tells nothing of it."""
    make_user("requester", username=f"{registration['cccd']}@ht.com")
    response = register(english, registration, unit_code=SAI_GON)
    assert "Choose a unit of the province from the list." in response.get_data(as_text=True)


def test_the_registration_page_offers_the_type_ahead(client, listed):
    html = client.get("/auth/register").get_data(as_text=True)
    assert 'data-unit-typeahead=""' in html
    assert 'data-province-select="province"' in html
    assert 'data-units-url="/api/v1/units"' in html
    assert '<input type="hidden" name="unit_code" id="unit_code" value="">' in html
    assert "js/units.js" in html


# ---------------------------------------------------------------- profile


def test_an_official_with_an_unlisted_unit_chooses_the_listed_one_on_the_profile(
    client, db, make_user, login, listed
):
    user = make_user("requester", province_code="80", unit="UBND P. Chơn Thành cũ")
    assert not user.unit.listed
    login(user.username)
    assert 'data-province-code="80"' in client.get("/auth/profile").get_data(as_text=True)
    response = save_profile(client, user, unit="Phường Chơn Thành", unit_code=CHON_THANH)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert user_with(db, user.cccd).unit_id == listed[CHON_THANH].id


def test_the_profile_refuses_a_code_of_another_province(english, db, make_user, listed):
    user = make_user("requester", province_code="80", unit="UBND P. Chơn Thành cũ", language="en")
    post_form(english, "/auth/login", {"username": user.username, "password": "Mật-khẩu-dài-2026"})
    response = save_profile(english, user, unit="Phường Sài Gòn", unit_code=SAI_GON)
    assert "Choose a unit of the province from the list." in response.get_data(as_text=True)
    assert user_with(db, user.cccd).unit.name == "UBND P. Chơn Thành cũ"


def test_a_listed_unit_is_not_changed_from_the_profile(client, db, make_user, login, listed):
    """A unit checked by an approver changes on the accounts pages, not by its owner alone."""
    user = make_user("requester", province_code="80", unit_code=CHON_THANH)
    assert user.unit_id == listed[CHON_THANH].id
    login(user.username)
    assert "data-unit-typeahead" not in client.get("/auth/profile").get_data(as_text=True)
    response = save_profile(client, user, unit="Xã Minh Đức", unit_code=MINH_DUC)
    assert response.status_code == 302
    assert user_with(db, user.cccd).unit_id == listed[CHON_THANH].id


# ---------------------------------------------------------------- the accounts page


def new_account(client, **fields):
    data = {
        "cccd": "079090123456",
        "domain": "ht.com",
        "full_name": "Lê Văn Mới",
        "email": "moi@example.vn",
        "province": "80",
        "unit": "Phường Chơn Thành",
        "role": "requester",
        **fields,
    }
    return post_form(client, "/accounts/new", data)


def test_an_admin_creates_an_account_of_a_chosen_unit(client, db, make_user, login, listed):
    login(make_user("admin").username)
    response = new_account(client, unit="", unit_code=MINH_DUC)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert user_with(db, "079090123456").unit.name == "Xã Minh Đức"


def test_the_accounts_page_refuses_a_code_of_another_province(
    english, db, make_user, login, listed
):
    login(make_user("admin", language="en").username)
    response = new_account(english, unit_code=SAI_GON)
    html = response.get_data(as_text=True)
    assert "Choose a unit of the province from the list." in html
    assert 'value="Phường Chơn Thành"' in html
    assert user_with(db, "079090123456") is None


def test_a_unit_admin_of_a_listed_unit_creates_accounts_of_it(client, db, make_user, login, listed):
    admin = make_user("unit_admin", province_code="80", unit_code=CHON_THANH)
    login(admin.username)
    page = client.get("/accounts/new").get_data(as_text=True)
    assert f'name="unit_code" id="unit_code" value="{CHON_THANH}"' in page
    response = new_account(client, unit_code=CHON_THANH)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert user_with(db, "079090123456").unit_id == listed[CHON_THANH].id
    # What the browser sends is ignored: the unit admin's own unit is the only choice.
    new_account(client, cccd="079090123457", unit="Xã Minh Đức", unit_code=MINH_DUC)
    assert user_with(db, "079090123457").unit_id == listed[CHON_THANH].id


# ---------------------------------------------------------------- command line and imports


def test_flask_user_create_matches_the_unit_or_takes_its_code(runner, db, listed):
    result = runner.invoke(
        args=["user", "create", "079090123456", "--email", "a@example.vn", "--province", "80"]
        + ["--unit", "UBND phuong Chon Thanh"]
    )
    assert result.exit_code == 0, result.output
    assert user_with(db, "079090123456").unit_id == listed[CHON_THANH].id
    result = runner.invoke(
        args=["user", "create", "079090123457", "--email", "b@example.vn", "--province", "80"]
        + ["--unit-code", MINH_DUC]
    )
    assert result.exit_code == 0, result.output
    assert user_with(db, "079090123457").unit.name == "Xã Minh Đức"
    refused = runner.invoke(
        args=["user", "create", "079090123458", "--email", "c@example.vn", "--province", "80"]
        + ["--unit-code", SAI_GON]
    )
    assert refused.exit_code == 1
    assert user_with(db, "079090123458") is None


HEADER = ["cccd", "full_name", "email", "phone", "province", "unit", "unit_code", "role"]


def csv_file(tmp_path, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = tmp_path / "accounts.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def test_an_import_takes_unit_codes_and_reports_a_bad_one_by_its_line(runner, db, tmp_path, listed):
    path = csv_file(
        tmp_path,
        [
            ["079090123456", "Chọn mã", "a@example.vn", "", "80", "", MINH_DUC, "requester"],
            ["079090123457", "Gõ tên", "b@example.vn", "", "80", "UBND phường Chơn Thành", "", ""],
            ["079090123458", "Mã tỉnh khác", "c@example.vn", "", "80", "Sài Gòn", SAI_GON, ""],
            ["079090123459", "Mã lạ", "d@example.vn", "", "80", "Chơn Thành", "12345", ""],
            ["079090123460", "Chưa có", "e@example.vn", "", "80", "Sở Tư pháp tỉnh", "", ""],
        ],
    )
    result = runner.invoke(args=["user", "import", str(path)])
    assert result.exit_code == 1
    assert "line 4: unit_code:" in result.output
    assert "line 5: unit_code:" in result.output
    assert "3 created, 2 rejected" in result.output
    assert user_with(db, "079090123456").unit.name == "Xã Minh Đức"
    assert user_with(db, "079090123457").unit_id == listed[CHON_THANH].id
    assert user_with(db, "079090123458") is None
    assert user_with(db, "079090123459") is None
    unlisted = user_with(db, "079090123460").unit
    assert (unlisted.name, unlisted.code) == ("Sở Tư pháp tỉnh", None)


def test_an_xlsx_unit_code_typed_as_a_number_keeps_its_leading_zeros(runner, db, tmp_path, listed):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["001170000123", "Số", "so@example.vn", "", "01", "", 4, "requester"])
    path = tmp_path / "accounts.xlsx"
    book.save(path)
    result = runner.invoke(args=["user", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert user_with(db, "001170000123").unit.name == "Phường Ba Đình"


def test_the_import_page_reports_a_bad_unit_code(english, db, make_user, login, listed):
    login(make_user("admin", language="en").username)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerow(["079090123458", "Mã tỉnh khác", "c@example.vn", "", "80", "", SAI_GON, ""])
    page = english.get("/accounts/import").get_data(as_text=True)
    response = english.post(
        "/accounts/import",
        data={
            "csrf_token": csrf_token(page),
            "file": (io.BytesIO(buffer.getvalue().encode()), "accounts.csv"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "Choose a unit of the province from the list." in html
    assert user_with(db, "079090123458") is None
    assert count_users(db) == 1


def test_a_unit_admin_cannot_name_another_units_code(db, make_user, listed):
    from helpdesk import errors
    from helpdesk.auth import services

    admin = make_user("unit_admin", province_code="80", unit_code=CHON_THANH)
    draft = services.AccountDraft(
        username="079090123456@ht.com",
        full_name="Lê Văn Mới",
        email="moi@example.vn",
        province_code="80",
        unit="Phường Chơn Thành",
        unit_code=MINH_DUC,
    )
    with pytest.raises(errors.Invalid) as refused:
        services.create_account(draft, actor=admin, require_unit=True)
    assert set(refused.value.fields) == {"unit"}
    assert user_with(db, "079090123456") is None
