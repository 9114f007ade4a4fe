"""The one writer of the spreadsheets the product hands out (CSV and XLSX), formula-safe.

Excel and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` (a tab or carriage
return before them is skipped) as a formula: `=HYPERLINK("http://x", "y")` in a rule's name
would become a link, and worse, in whoever opens the export. Every text cell that starts so
is written with a leading `'`, the spreadsheet's own mark for "text as typed"; so is text
that starts with `'` already, so that `read_cell` gives back exactly what was written.
Numbers, dates and booleans stay values: a negative number is no formula.

    response = Response(spreadsheets.csv_lines(rows), mimetype=spreadsheets.CSV_MIMETYPE)
    data = spreadsheets.xlsx_bytes(rows, sheet="report")

A table of any length streams: `csv_chunks(rows)` and `xlsx_chunks(rows)` give bytes a few
hundred rows at a time, holding no more than that (the XLSX is written as it goes, zip entries
with data descriptors, its text cells inline: no table of shared strings grows with the rows).

Pure: no Flask, no database.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from xml.sax.saxutils import quoteattr

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (Vietnamese names) only after it
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Row = Sequence[object]
ROWS_PER_CHUNK = 500
MAX_CELL_TEXT = 32_767  # what a spreadsheet cell holds; Excel refuses a file with more


def safe_cell(value: object) -> object:
    """The value as a spreadsheet must receive it: text that would run as a formula (or that
    starts with the quote) behind a `'`; anything else unchanged. None stays None."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, QUOTE)):
        return QUOTE + value
    return value


def read_cell(text: str) -> str:
    """A cell of an uploaded file without the `'` that safe_cell put before it (an import of
    an exported file reads what was exported); other text unchanged."""
    if text.startswith(QUOTE) and text[1:].startswith((*FORMULA_STARTS, QUOTE)):
        return text[1:]
    return text


def csv_lines(rows: Iterable[Row], *, bom: bool = True) -> Iterator[str]:
    """CSV text, one row at a time (a response can stream it), every cell formula-safe; None
    is an empty cell. Starts with the BOM unless told otherwise."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        yield BOM
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_text(rows: Iterable[Row], *, bom: bool = True) -> str:
    return "".join(csv_lines(rows, bom=bom))


def xlsx_bytes(rows: Iterable[Row], *, sheet: str = "Sheet1") -> bytes:
    """A workbook of one sheet, every cell formula-safe. openpyxl's write-only mode: rows go
    to the file as they come instead of being held as cells."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet)
    for row in rows:
        worksheet.append([xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_cell(value: object) -> object:
    """safe_cell, and the control characters XML cannot carry replaced (openpyxl refuses them)."""
    value = safe_cell(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def csv_chunks(rows: Iterable[Row], *, rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[bytes]:
    """csv_lines() as UTF-8 bytes, `rows_per_chunk` rows at a time (a streamed response
    writes a few large pieces instead of one per row)."""
    batch: list[str] = []
    for line in csv_lines(rows):
        batch.append(line)
        if len(batch) > rows_per_chunk:
            yield "".join(batch).encode()
            batch.clear()
    if batch:
        yield "".join(batch).encode()


# ---------------------------------------------------------------- a streamed XLSX

# The parts of a workbook of one sheet besides the sheet itself; styles: 0 the default, 1 a
# date and time, 2 a date.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="3">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    ),
}
_SHEET_START = (
    f'{_XML}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"
_EPOCH = datetime(1899, 12, 30)  # day 0 of a spreadsheet's dates (the 1900 date system)
_SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")
_QUOTED = (*FORMULA_STARTS, QUOTE)
_INLINE, _INLINE_END = '" t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"


class _Sink(io.RawIOBase):
    """Where the zip writes: the bytes written since the last take(). Not seekable, so that
    zipfile writes each entry once, its sizes after it (data descriptors)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def xlsx_chunks(
    rows: Iterable[Row], *, sheet: str = "Sheet1", rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[bytes]:
    """A workbook of one sheet, its first row frozen, as bytes `rows_per_chunk` rows at a
    time; every cell as xlsx_cell() makes it. Text is written inline, numbers and booleans as
    values, naive datetimes and dates as the spreadsheet's dates (time zones are the caller's:
    convert first). Memory does not grow with the rows."""
    sink = _Sink()
    # Level 3 compresses a sheet's XML twice as fast as the default 6, a tenth larger: the
    # export is bound by the web worker's time, not by the network.
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, _XML + text)
        title = _SHEET_NAME_REFUSED.sub(" ", sheet)[:31] or "Sheet1"
        archive.writestr(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>'
            f'<sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        yield sink.take()
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(_SHEET_START.encode())
            batch: list[str] = []
            for number, row in enumerate(rows, start=1):
                batch.append(_row_xml(number, row))
                if len(batch) >= rows_per_chunk:
                    part.write("".join(batch).encode())
                    batch.clear()
                    yield sink.take()
            part.write(("".join(batch) + _SHEET_END).encode())
    yield sink.take()


@functools.cache
def _columns(count: int) -> tuple[str, ...]:
    """The letters of the first `count` columns: A, B, ..., Z, AA, ..."""
    letters = []
    for index in range(count):
        number, name = index + 1, ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return tuple(letters)


def _xml_text(value: str) -> str:
    """xlsx_cell() of a text, cut to what a cell holds, escaped for XML (one pass each: this
    runs for every text cell of a million rows)."""
    if value.startswith(_QUOTED):
        value = QUOTE + value
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value[:MAX_CELL_TEXT])
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row_xml(number: int, row: Row) -> str:
    cells = [f'<row r="{number}">']
    add = cells.append
    for letters, value in zip(_columns(len(row)), row, strict=True):
        if value is None or value == "":
            continue
        if not isinstance(value, str | int | float | date):
            value = str(value)
        if isinstance(value, str):
            add(f'<c r="{letters}{number}{_INLINE}{_xml_text(value)}{_INLINE_END}')
        elif isinstance(value, bool):
            add(f'<c r="{letters}{number}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, datetime):
            since = (value if value.tzinfo is None else value.replace(tzinfo=None)) - _EPOCH
            serial = since.days + (since.seconds + since.microseconds / 1e6) / 86_400
            add(f'<c r="{letters}{number}" s="1"><v>{serial:.10f}</v></c>')
        elif isinstance(value, date):
            add(f'<c r="{letters}{number}" s="2"><v>{(value - _EPOCH.date()).days}</v></c>')
        else:
            add(f'<c r="{letters}{number}"><v>{value!r}</v></c>')
    add("</row>")
    return "".join(cells)
