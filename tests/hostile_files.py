"""Uploads made to hurt their reader: spreadsheets that are not, or that carry XML entities."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

HEADER = ["cccd", "full_name", "email", "phone", "province", "unit", "role"]
ROW = ["079090123456", "Trần Văn B", "b@example.vn", "", "79", "UBND phường Bến Nghé", "requester"]
SHEET = "xl/worksheets/sheet1.xml"
# A billion laughs: ten entities each ten times the one before, a gigabyte once expanded.
LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY a "ha">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">' for i in range(9))
    + "]>"
)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_part(data: bytes, name: str, change) -> bytes:
    """The zip with one member's bytes changed by `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            target.writestr(member, change(content) if member.filename == name else content)
    return out.getvalue()


def billion_laughs() -> bytes:
    """An accounts sheet whose first cell is an entity that expands to a gigabyte."""

    def bomb(xml: bytes) -> bytes:
        text = xml.decode()
        text = text.replace("<t>cccd</t>", "<t>&j;</t>", 1)
        return (LAUGHS + text).encode()

    return with_part(xlsx_bytes([HEADER, ROW]), SHEET, bomb)


def external_entity() -> bytes:
    """An accounts sheet whose first cell reads a file of the server (XXE)."""

    def xxe(xml: bytes) -> bytes:
        text = xml.decode().replace("<t>cccd</t>", "<t>&x;</t>", 1)
        return ('<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + text).encode()

    return with_part(xlsx_bytes([HEADER, ROW]), SHEET, xxe)


def far_row() -> bytes:
    """A sheet whose second row is numbered past any sheet's end (a reader that fills the gap
    with blank rows never ends)."""

    def far(xml: bytes) -> bytes:
        text = xml.decode().replace('<dimension ref="A1:G2" />', "")
        return text.replace('<row r="2">', '<row r="99999999999999999999">').encode()

    return with_part(xlsx_bytes([HEADER, ROW]), SHEET, far)


def broken_xml() -> bytes:
    """A sheet whose XML breaks after its header (a streaming reader meets it late)."""

    def cut(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b"<row><unclosed></sheetData>")

    return with_part(xlsx_bytes([HEADER, ROW]), SHEET, cut)


def zip_not_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


def zip_bomb() -> bytes:
    """A workbook with a member that unpacks to 64 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, ROW]))) as source:
            for member in source.infolist():
                archive.writestr(member, source.read(member.filename))
        archive.writestr("xl/padding.bin", b"\0" * (64 * 1024 * 1024))
    return out.getvalue()


HOSTILE_XLSX = {
    "not a zip": b"PK\x03\x04 not really a zip",
    "a zip that is not a workbook": zip_not_xlsx(),
    "billion laughs": billion_laughs(),
    "external entity": external_entity(),
    "a row past the sheet's end": far_row(),
    "XML broken after the header": broken_xml(),
}
