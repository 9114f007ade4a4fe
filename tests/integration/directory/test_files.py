"""Import and export: a bad file is refused whole with each bad row's line and reason (page
and command line), a good one adds and updates, an export reads back unchanged, a coordinator's
file holds its province's rows only."""

from __future__ import annotations

import io

from integration.directory.helpers import add_entry, csv_file
from openpyxl import load_workbook
from sqlalchemy import func, select
from support import csrf_token

from helpdesk.directory.models import DirectoryEntry

GOOD = {
    "system": "moj",
    "province": "79",
    "kind": "focal_point",
    "organisation": "Sở Tư pháp TP. Hồ Chí Minh",
    "name": "Nguyễn Văn Ân",
    "phone": "028 3829 6390",
    "handles": "business; accounts",
}


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(DirectoryEntry))


def upload(client, data: bytes, name: str = "danh-ba.csv"):
    html = client.get("/directory/import").get_data(as_text=True)
    return client.post(
        "/directory/import",
        data={"file": (io.BytesIO(data), name), "csrf_token": csrf_token(html)},
        content_type="multipart/form-data",
    )


def test_a_bad_file_is_refused_whole_with_every_bad_line(db, browser, make_user):
    client = browser(make_user("admin"), "vi")
    before = count(db)
    data = csv_file(
        GOOD,
        {**GOOD, "name": "Bad phone", "phone": "gọi tôi"},
        {**GOOD, "name": "Bad system", "system": "nope"},
        {**GOOD, "name": "No contact", "phone": ""},
        {**GOOD, "name": "Bad kind", "kind": "boss", "handles": "coffee"},
        GOOD,
    )
    response = upload(client, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for line in (3, 4, 5, 6, 7):
        assert f"Dòng {line}:" in html
    assert "Dòng 2:" not in html
    assert "phone: Số điện thoại" in html and "system:" in html and "kind:" in html
    assert "handles:" in html and "coffee" in html
    assert "Dòng 7: Trùng với dòng 2" in html
    assert count(db) == before


def test_a_good_file_adds_and_updates(db, browser, make_user):
    admin = make_user("admin")
    entry = add_entry(admin, name="Nguyễn Văn Ân")
    client = browser(admin, "en")
    data = csv_file(
        {**GOOD, "organisation": "  sở tư pháp tp. hồ chí minh ", "phone": "0909 000 111"},
        {
            **GOOD,
            "system": "",
            "province": "1",
            "kind": "coordinator",
            "organisation": "VP UBND Hà Nội",
            "email": "vp@hanoi.gov.vn",
            "phone": "",
        },
    )
    response = upload(client, data)
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.phone == "0909 000 111" and entry.handles == "business,accounts"
    added = db.session.scalar(
        select(DirectoryEntry).where(DirectoryEntry.organisation == "VP UBND Hà Nội")
    )
    assert added.system_code is None and added.province_code == "01" and added.kind == "coordinator"
    assert "1 added, 1 updated" in client.get("/directory").get_data(as_text=True)


def test_an_export_reads_back_unchanged_csv_and_xlsx(db, browser, make_user, runner, tmp_path):
    admin = make_user("admin")
    add_entry(admin, organisation='=HYPERLINK("http://x")', note="-1 dòng\nhai", hours="@8h")
    client = browser(admin)
    before = count(db)
    csv_response = client.get("/directory/export.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    text = csv_response.get_data(as_text=True)
    assert text.startswith(
        "\ufeffsystem,province,kind,organisation,name,phone,email,hours,handles,note"
    )
    assert "'=HYPERLINK" in text and "'@8h" in text and "'-1 dòng" in text
    assert (
        "moj,,it_unit,Cục Công nghệ thông tin,,024.6273.9716,cds@moj.gov.vn,,technical;accounts"
        in text
    )
    xlsx = client.get("/directory/export.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(xlsx)).active
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells
    for name, data in (("back.csv", csv_response.get_data()), ("back.xlsx", xlsx)):
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(args=["directory", "import", str(path)])
        assert result.exit_code == 0, result.output
        assert f"0 added, 0 updated, {before} unchanged" in result.output
    assert count(db) == before


def test_the_command_line_refuses_a_bad_file_and_exports_by_suffix(db, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file(GOOD, {**GOOD, "name": "X", "province": "99"}))
    before = count(db)
    result = runner.invoke(args=["directory", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 3: province:" in result.output
    assert count(db) == before
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file(GOOD))
    result = runner.invoke(args=["directory", "import", str(good)])
    assert result.exit_code == 0 and "1 added, 0 updated" in result.output
    out = tmp_path / "all.xlsx"
    assert runner.invoke(args=["directory", "export", str(out)]).exit_code == 0
    assert out.read_bytes().startswith(b"PK")
    assert runner.invoke(args=["directory", "export", str(tmp_path / "x.txt")]).exit_code == 1


def test_a_coordinator_imports_rows_of_its_province_only(db, browser, make_user):
    client = browser(make_user("coordinator", province_code="79"), "vi")
    before = count(db)
    other = {**GOOD, "province": "01", "name": "Tỉnh khác"}
    national = {**GOOD, "province": "", "name": "Toàn quốc"}
    response = upload(client, csv_file(GOOD, other, national))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Dòng 3: province:" in html and "Dòng 4: province:" in html
    assert count(db) == before
    assert upload(client, csv_file(GOOD)).status_code == 302
    assert count(db) == before + 1


def test_an_unreadable_file_is_refused(db, browser, make_user):
    client = browser(make_user("admin"))
    assert upload(client, b"a,b\n1,2\n").status_code == 422
    assert upload(client, b"\xff\xfe", "x.csv").status_code == 422
    assert upload(client, b"PK", "x.xlsx").status_code == 422
    assert upload(client, csv_file(GOOD), "x.txt").status_code == 422
