"""Reading an uploaded table, CSV or XLSX: its rows as text, each with its line number as a
spreadsheet shows it (the header is line 1). The XLSX is read without trusting the file."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl import load_workbook

from helpdesk import errors, spreadsheets

log = logging.getLogger(__name__)

MAX_XLSX_UNPACKED = 32 * 1024 * 1024  # a sheet of 5 000 accounts unpacks to about 2 MB
MAX_XLSX_MEMBERS = 1000
MAX_XLSX_COLUMNS = 64


@dataclass(frozen=True)
class FileRow:
    line: int  # as a spreadsheet shows it: the header is line 1
    values: dict[str, str]  # every column named, "" where the row has nothing
    numeric: frozenset[str] = frozenset()  # columns whose XLSX cell was a number, not text


@dataclass(frozen=True)
class RowProblem:
    line: int  # as a text editor or spreadsheet shows it: the header is line 1
    messages: tuple[str, ...]


@dataclass
class ImportResult:
    """What an all-or-nothing import did, or (with problems) why it did nothing."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# Checks the header's names (lower case, stripped); raises errors.Invalid on `file`.
HeaderCheck = Callable[[list[str]], None]


def read_rows(
    filename: str,
    data: bytes,
    *,
    columns: Sequence[str],
    check_header: HeaderCheck,
    max_rows: int,
) -> list[FileRow]:
    """The non-blank rows of a CSV (UTF-8, comma or semicolon) or XLSX file, as text without
    the quote an export puts before a formula; raises errors.Invalid on `file` when the file
    as a whole cannot be read (format, encoding, header, size)."""
    name = filename.lower()
    if name.endswith(".csv"):
        rows = _read_csv(data, columns, check_header)
    elif name.endswith(".xlsx"):
        rows = _read_xlsx(data, columns, check_header, max_rows)
    else:
        raise errors.Invalid(_("The file must be a CSV or XLSX file."), "file")
    if not rows:
        raise errors.Invalid(_("The file has no rows under its header."), "file")
    if len(rows) > max_rows:
        raise errors.Invalid(
            _("The file has more than %(count)d rows; split it.", count=max_rows), "file"
        )
    return rows


def _header(cells, check_header: HeaderCheck) -> list[str]:
    names = [str(cell or "").strip().lower() for cell in cells]
    check_header(names)
    return names


def _values(columns: Sequence[str], names: list[str], cells: list[str]) -> dict[str, str]:
    values = dict.fromkeys(columns, "")
    for name, cell in zip(names, cells, strict=False):
        if name in values:
            values[name] = spreadsheets.read_cell(cell.strip())
    return values


def _read_csv(data: bytes, columns: Sequence[str], check_header: HeaderCheck) -> list[FileRow]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise errors.Invalid(_("The CSV file must be saved as UTF-8."), "file") from error
    first = content.split("\n", 1)[0]
    # Excel in a Vietnamese locale separates with semicolons (the comma is the decimal mark).
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as error:
        raise errors.Invalid(_("The file is empty."), "file") from error
    names = _header(header, check_header)
    rows = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(FileRow(line, _values(columns, names, cells)))
            line = reader.line_num + 1
    except csv.Error as error:
        raise errors.Invalid(
            _("Line %(line)d of the CSV file cannot be read.", line=line), "file"
        ) from error
    return rows


def _read_xlsx(
    data: bytes, columns: Sequence[str], check_header: HeaderCheck, max_rows: int
) -> list[FileRow]:
    lines = xlsx_rows(data, max_rows=max_rows)
    if not lines:
        raise errors.Invalid(_("The file is empty."), "file")
    names = _header(lines[0], check_header)
    rows = []
    for line, cells in enumerate(lines[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        numeric = frozenset(
            name
            for name, cell in zip(names, cells, strict=False)
            if isinstance(cell, int | float) and not isinstance(cell, bool)
        )
        texts = [_cell_text(cell) for cell in cells]
        rows.append(FileRow(line, _values(columns, names, texts), numeric))
    return rows


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def xlsx_rows(data: bytes, *, max_rows: int, field: str = "file") -> list[tuple]:
    """The values of the first sheet's rows, at most MAX_XLSX_COLUMNS wide, read without
    trusting the file: a zip of at most MAX_XLSX_UNPACKED unpacked, XML without entities
    (openpyxl reads through defusedxml), and no more than twice `max_rows` lines (blank
    ones count: a row number far down the sheet is not read down to).

    Raises errors.Invalid on `field` when the file cannot be read or is too large.
    """
    max_lines = 2 * max_rows + 1
    cannot_read = errors.Invalid(_("The XLSX file cannot be read."), field)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise cannot_read from error
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_XLSX_MEMBERS or unpacked > MAX_XLSX_UNPACKED:
        raise errors.Invalid(
            _("The XLSX file unpacks to more than %(n)d MB.", n=MAX_XLSX_UNPACKED // 2**20),
            field,
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            lines = sheet.iter_rows(
                max_row=max_lines + 1, max_col=MAX_XLSX_COLUMNS, values_only=True
            )
            rows = list(lines)
        finally:
            workbook.close()
    # A malformed file makes openpyxl's parser fail with whatever it met (a zip, XML or
    # entity error, a missing part, a bad number): every one of them means "cannot be read".
    except Exception as error:  # noqa: BLE001
        log.info("unreadable xlsx upload: %s", type(error).__name__)
        raise cannot_read from error
    if len(rows) > max_lines:
        raise errors.Invalid(
            _("The file has more than %(count)d rows; split it.", count=max_rows), field
        )
    return rows
