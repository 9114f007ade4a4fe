"""A request's answers as one XLSX (formula-safe) and its answers' files as one ZIP, a folder
per province."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from integration.requests.helpers import PNG, tickets_of
from openpyxl import load_workbook

from helpdesk import storage
from helpdesk.tickets import services as tickets
from helpdesk.timeutil import utcnow

FORMULA = '=HYPERLINK("http://x", "bấm vào đây")'


def test_the_answers_export_holds_each_province_and_is_formula_safe(
    db, browser, admin, coordinators, send
):
    request = send(admin, provinces=["79", "01"], now=utcnow() - timedelta(hours=1))
    ticket79 = next(t for t in tickets_of(db, request) if t.province_code == "79")
    tickets.respond(
        coordinators["79"],
        ticket79,
        FORMULA,
        uploads=(storage.Upload("danh-sach.png", PNG),),
        status="resolved",
        resolution="Danh sách đã gửi.",
    )

    response = browser(admin).get(f"/requests/{request.number}/answers.xlsx")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Province", "State", "Answered at", "Answer", "Files"]
    by_name = {row[0]: row for row in rows[1:]}
    answered = by_name["TP. Hồ Chí Minh"]
    assert answered[1] == "Answered"
    assert answered[3].startswith("'=HYPERLINK(")  # text, never a formula
    assert answered[4] == "danh-sach.png"
    assert by_name["Hà Nội"][1] == "Not opened"


def test_the_files_export_holds_a_folder_per_province(db, browser, admin, coordinators, send):
    request = send(admin, provinces=["79", "01"], now=utcnow() - timedelta(hours=1))
    found = {t.province_code: t for t in tickets_of(db, request)}
    twice = (storage.Upload("bao-cao.png", PNG), storage.Upload("bao-cao.png", PNG + b"\0"))
    tickets.respond(coordinators["79"], found["79"], "Gửi hai tệp.", uploads=twice)
    tickets.respond(
        coordinators["01"], found["01"], "Gửi một tệp.", uploads=(storage.Upload("hn.png", PNG),)
    )

    response = browser(admin).get(f"/requests/{request.number}/files.zip")

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = sorted(archive.namelist())
    assert names == [
        "01 Hà Nội/hn.png",
        "79 TP. Hồ Chí Minh/bao-cao (2).png",
        "79 TP. Hồ Chí Minh/bao-cao.png",
    ]
    assert archive.read("01 Hà Nội/hn.png") == PNG
    assert archive.testzip() is None


def test_a_coordinator_exports_its_own_province_only(db, browser, admin, coordinators, send):
    request = send(admin, provinces=["79", "01"], now=utcnow() - timedelta(hours=1))
    for ticket in tickets_of(db, request):
        coordinator = coordinators[ticket.province_code]
        upload = storage.Upload(f"tep-{ticket.province_code}.png", PNG)
        tickets.respond(coordinator, ticket, f"Trả lời {ticket.province_code}", uploads=(upload,))
    reader = browser(coordinators["79"])

    sheet = reader.get(f"/requests/{request.number}/answers.xlsx").get_data()
    archive = zipfile.ZipFile(io.BytesIO(reader.get(f"/requests/{request.number}/files.zip").data))

    rows = list(load_workbook(io.BytesIO(sheet), read_only=True).active.iter_rows(values_only=True))
    assert [row[3] for row in rows[1:]] == ["Trả lời 79"]
    assert archive.namelist() == ["79 TP. Hồ Chí Minh/tep-79.png"]
    other = next(t for t in tickets_of(db, request) if t.province_code == "01")
    file_id = other.attachments[0].id
    assert reader.get(f"/requests/{request.number}/files/{file_id}").status_code == 404
