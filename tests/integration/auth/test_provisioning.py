"""Accounts made by operators: the web page, `flask user create`, `flask user import`."""

import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from support import post_form

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.models import Status, User

UNIT = "UBND phường Bến Nghé"


def count_users(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def user_with(db, cccd):
    return db.session.scalar(select(User).where(User.cccd == cccd))


def new_account(client, **fields):
    data = {
        "cccd": "079090123456",
        "domain": "ht.com",
        "full_name": "Lê Văn Mới",
        "email": "moi@example.vn",
        "phone": "",
        "province": "79",
        "unit": UNIT,
        "role": "requester",
        **fields,
    }
    return post_form(client, "/accounts/new", data)


# ---------------------------------------------------------------- web


def test_admin_creates_an_account_that_gets_an_activation_mail(client, db, make_user, login, mails):
    admin = make_user("admin")
    login(admin.username)
    response = new_account(client, role="agent", province="", unit="")
    assert response.status_code == 302
    user = user_with(db, "079090123456")
    assert (user.role, user.status, user.password_hash) == ("agent", Status.ACTIVE, None)
    assert user.created_by_id == admin.id
    [mail] = mails("account_activate")
    assert mail.to == "moi@example.vn"
    assert mail.context["username"] == "********3456@ht.com"


def test_requester_created_on_the_web_needs_a_unit(english, db, make_user, login):
    admin = make_user("admin", language="en")
    login(admin.username)
    response = new_account(english, unit="")
    assert "Enter the name of the unit" in response.get_data(as_text=True)
    assert user_with(db, "079090123456") is None


def test_unit_admin_creates_requesters_of_their_own_unit_only(client, db, make_user, login):
    unit_admin = make_user("unit_admin", province_code="79", unit=UNIT)
    login(unit_admin.username)
    # What the browser sends for province, unit and role is replaced by the unit admin's own.
    response = new_account(client, role="admin", province="01", unit="Sở Tư pháp")
    assert response.status_code == 302
    user = user_with(db, "079090123456")
    assert (user.role, user.province_code, user.unit_id) == ("requester", "79", unit_admin.unit_id)


def test_unit_admin_cannot_create_outside_their_unit_through_the_service(db, make_user):
    unit_admin = make_user("unit_admin", province_code="79", unit=UNIT)
    for draft in (
        services.AccountDraft(
            username="079090123456", email="a@example.vn", province_code="79", unit="Phường khác"
        ),
        services.AccountDraft(
            username="079090123456",
            email="a@example.vn",
            province_code="79",
            unit=UNIT,
            role="agent",
        ),
    ):
        with pytest.raises(errors.Invalid):
            services.create_account(draft, actor=unit_admin, require_unit=True)
    assert user_with(db, "079090123456") is None


def test_duplicate_cccd_on_the_new_account_page_is_refused(english, db, make_user, login):
    admin = make_user("admin", language="en")
    make_user(username="079090123456@ht.com")
    login(admin.username)
    response = new_account(english)
    assert "already exists" in response.get_data(as_text=True)


# ---------------------------------------------------------------- CLI create


def test_cli_create_without_password_mails_an_activation_link(runner, db, mails):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "079090123456@ht.com",
            "--role",
            "agent",
            "--email",
            "agent@example.vn",
            "--name",
            "Cán bộ hỗ trợ",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "079090123456" not in result.output
    user = user_with(db, "079090123456")
    assert (user.role, user.password_hash, user.must_change_password) == ("agent", None, False)
    assert [m.to for m in mails("account_activate")] == ["agent@example.vn"]


def test_cli_create_without_password_or_email_fails(runner, db):
    result = runner.invoke(args=["user", "create", "079090123456"])
    assert result.exit_code == 1
    assert count_users(db) == 0


def test_cli_create_refuses_a_default_password(runner, db):
    result = runner.invoke(args=["user", "create", "079090123456", "--password", "Ab@123456"])
    assert result.exit_code == 1
    assert count_users(db) == 0


def test_cli_create_refuses_a_taken_cccd(runner, db, make_user):
    make_user(username="079090123456@ht.com")
    result = runner.invoke(args=["user", "create", "079090123456", "--email", "x@example.vn"])
    assert result.exit_code == 1
    assert count_users(db) == 1


# ---------------------------------------------------------------- import

HEADER = ["cccd", "full_name", "email", "phone", "province", "unit", "role"]
GOOD_1 = ["079090123456", "Nguyễn Văn An", "an@example.vn", "0912345678", "79", UNIT, "requester"]
GOOD_2 = ["001170000123", "Trần Thị Bình", "binh@example.vn", "", "01", "Sở Tư pháp", "unit_admin"]
BAD_ROWS = [
    ["12345678", "Số ngắn", "ngan@example.vn", "", "79", UNIT, "requester"],  # line 4
    ["079090123456", "Trùng dòng 2", "trung@example.vn", "", "79", UNIT, "requester"],  # line 5
    ["079090654321", "Sai vai trò", "vaitro@example.vn", "", "79", UNIT, "boss"],  # line 6
    ["079090654322", "Không thư", "", "", "79", UNIT, "requester"],  # line 7
    ["079090654323", "Sai tỉnh", "tinh@example.vn", "", "99", UNIT, "requester"],  # line 8
    ["079090654324", "Không đơn vị", "dv@example.vn", "", "79", "", "requester"],  # line 9
]


def csv_bytes(rows, *, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_cli_import_creates_good_rows_and_reports_each_bad_line(runner, db, tmp_path, mails):
    path = tmp_path / "accounts.csv"
    path.write_bytes(csv_bytes([GOOD_1, GOOD_2, *BAD_ROWS]))
    result = runner.invoke(args=["user", "import", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in lines] == [f"line {n}" for n in range(4, 10)]
    assert "line 5: cccd:" in result.output and "dòng 2" in lines[1]  # reasons in Vietnamese
    assert "line 6: role:" in result.output
    assert "line 7: email:" in result.output
    assert "line 8: province:" in result.output
    assert "line 9: unit:" in result.output
    assert "2 created, 6 rejected" in result.output
    assert "079090123456" not in result.output
    assert sorted(u.cccd for u in db.session.scalars(select(User))) == [
        "001170000123",
        "079090123456",
    ]
    assert sorted(m.to for m in mails("account_activate")) == ["an@example.vn", "binh@example.vn"]
    assert user_with(db, "001170000123").role == "unit_admin"


def test_cli_import_of_good_rows_only_exits_zero(runner, db, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes(csv_bytes([GOOD_1, GOOD_2], delimiter=";"))  # Excel's Vietnamese CSV
    result = runner.invoke(args=["user", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert count_users(db) == 2


def test_cli_import_reads_xlsx(runner, db, tmp_path):
    path = tmp_path / "accounts.xlsx"
    path.write_bytes(xlsx_bytes([GOOD_1, BAD_ROWS[0]]))
    result = runner.invoke(args=["user", "import", str(path)])
    assert result.exit_code == 1
    assert "line 3: cccd:" in result.output
    assert count_users(db) == 1


def test_xlsx_cccd_stored_as_a_number_is_refused_with_its_reason(runner, db, tmp_path):
    path = tmp_path / "accounts.xlsx"
    path.write_bytes(xlsx_bytes([[79090123456, *GOOD_1[1:]]]))
    result = runner.invoke(args=["user", "import", str(path)])
    assert result.exit_code == 1
    assert "line 2: cccd:" in result.output
    assert count_users(db) == 0


def test_cli_import_refuses_a_file_without_the_columns(runner, db, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text("cccd,name\n079090123456,An\n", encoding="utf-8")
    result = runner.invoke(args=["user", "import", str(path)])
    assert result.exit_code == 1
    assert "full_name" in result.output
    assert count_users(db) == 0


def test_cli_import_refuses_other_file_types(runner, db, tmp_path):
    path = tmp_path / "accounts.txt"
    path.write_text("x", encoding="utf-8")
    assert runner.invoke(args=["user", "import", str(path)]).exit_code == 1


def test_import_row_with_a_taken_cccd_is_bad_and_the_rest_are_created(
    runner, db, tmp_path, make_user
):
    make_user(username="001170000123@ht.com", full_name="Đã có")
    path = tmp_path / "accounts.csv"
    path.write_bytes(csv_bytes([GOOD_1, GOOD_2]))
    result = runner.invoke(args=["user", "import", str(path)])
    assert result.exit_code == 1
    assert "line 3: cccd:" in result.output
    assert user_with(db, "001170000123").full_name == "Đã có"
    assert user_with(db, "079090123456") is not None


def test_import_page_shows_a_result_table(client, db, make_user, login):
    admin = make_user("admin")
    login(admin.username)
    response = post_form(
        client,
        "/accounts/import",
        {"file": (io.BytesIO(csv_bytes([GOOD_1, *BAD_ROWS[:2]])), "accounts.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="import-result"' in html
    assert 'data-line="2"' in html and 'data-line="3"' in html and 'data-line="4"' in html
    assert "********3456@ht.com" in html
    assert "079090123456" not in html
    assert count_users(db) == 2


def test_unit_admin_import_creates_only_rows_of_their_unit(db, make_user):
    unit_admin = make_user("unit_admin", province_code="79", unit=UNIT)
    rows = services.read_rows("a.csv", csv_bytes([GOOD_1, GOOD_2]))
    report = services.import_accounts(rows, actor=unit_admin)
    assert [(r.line, r.created) for r in report.results] == [(2, True), (3, False)]
    assert user_with(db, "001170000123") is None


def test_import_is_not_for_requesters(db, make_user):
    requester = make_user()
    rows = services.read_rows("a.csv", csv_bytes([GOOD_1]))
    with pytest.raises(errors.NotFound):
        services.import_accounts(rows, actor=requester)
    assert user_with(db, "079090123456") is None


def test_cli_import_refuses_a_coordinator_row(runner, db, tmp_path):
    """A coordinator joins its province's queue, which an import does not arrange: the row is
    refused, the others are made."""
    path = tmp_path / "accounts.csv"
    coordinator = ["079090654321", "Điều phối", "dp@example.vn", "", "79", "", "coordinator"]
    path.write_bytes(csv_bytes([GOOD_1, coordinator]))
    result = runner.invoke(args=["user", "import", str(path)])
    assert result.exit_code == 1
    assert "line 3: role:" in result.output
    assert count_users(db) == 1
