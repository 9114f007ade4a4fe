"""The one writer of the spreadsheets the product hands out (CSV and XLSX), formula-safe.

Excel and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` (a tab or carriage
return before them is skipped) as a formula: `=HYPERLINK("http://x", "y")` in a rule's name
would become a link, and worse, in whoever opens the export. Every text cell that starts so
is written with a leading `'`, the spreadsheet's own mark for "text as typed"; so is text
that starts with `'` already, so that `read_cell` gives back exactly what was written.
Numbers, dates and booleans stay values: a negative number is no formula.

    response = Response(spreadsheets.csv_lines(rows), mimetype=spreadsheets.CSV_MIMETYPE)
    data = spreadsheets.xlsx_bytes(rows, sheet="report")

Pure: no Flask, no database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (Vietnamese names) only after it
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Row = Sequence[object]


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
