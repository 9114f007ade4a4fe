"""The support directory as a CSV or XLSX file: export, and import all-or-nothing with each
bad row reported.

Columns (the header row names them, in any order, each once): system, province, kind,
organisation, name, phone, email, hours, handles, note. An empty system means every system,
an empty province the whole country; handles are separated by `;` or `,`. A row whose system,
province, kind, organisation and name (case and spacing aside) equal an existing entry's
updates that entry; any other row adds one; entries absent from the file are kept.

A file with any bad row changes nothing: every bad row is reported with its line number (the
header is line 1), so one corrected upload applies the whole file at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors, spreadsheets, table_files
from helpdesk.auth.models import User
from helpdesk.directory import access
from helpdesk.directory import services as directory
from helpdesk.directory.models import DirectoryEntry
from helpdesk.extensions import db
from helpdesk.table_files import FileRow, ImportResult, RowProblem
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

COLUMNS = (
    "system",
    "province",
    "kind",
    "organisation",
    "name",
    "phone",
    "email",
    "hours",
    "handles",
    "note",
)
MAX_ROWS = 5000
HANDLES_SEPARATOR = re.compile(r"[;,]")


# ---------------------------------------------------------------- export


def export_rows() -> Iterator[list]:
    """The header, then every entry (by system, province and the directory's order)."""
    yield list(COLUMNS)
    statement = directory.ordered(
        select(DirectoryEntry).order_by(
            DirectoryEntry.system_code.is_(None),
            DirectoryEntry.system_code,
            DirectoryEntry.province_code.is_(None).desc(),
            DirectoryEntry.province_code,
        )
    )
    for entry in db.session.scalars(statement):
        yield [
            entry.system_code or "",
            entry.province_code or "",
            entry.kind,
            entry.organisation,
            entry.name,
            entry.phone,
            entry.email,
            entry.hours,
            ";".join(entry.handled),
            entry.note,
        ]


def export_csv() -> str:
    """Every entry as formula-safe CSV text (with the BOM Excel needs for Vietnamese)."""
    return spreadsheets.csv_text(export_rows())


def export_xlsx() -> bytes:
    return spreadsheets.xlsx_bytes(export_rows(), sheet="directory")


# ---------------------------------------------------------------- reading a file


def read_rows(filename: str, data: bytes) -> list[FileRow]:
    """The rows of a CSV (UTF-8, comma or semicolon) or XLSX file; raises errors.Invalid on
    `file` when the file as a whole cannot be read (format, encoding, header, size)."""
    return table_files.read_rows(
        filename, data, columns=COLUMNS, check_header=_check_header, max_rows=MAX_ROWS
    )


def _check_header(names: list[str]) -> None:
    if sorted(name for name in names if name) != sorted(COLUMNS):
        raise errors.Invalid(
            _(
                "Line 1 must name the columns: %(columns)s (each once).",
                columns=", ".join(COLUMNS),
            ),
            "file",
        )


# ---------------------------------------------------------------- import


def match_key(draft: directory.EntryDraft) -> tuple:
    """What makes a row the same entry: system, province, kind, organisation and name."""

    def same(value: str) -> str:
        return " ".join(value.split()).casefold()

    return (
        draft.system_code,
        draft.province_code,
        draft.kind,
        same(draft.organisation),
        same(draft.name),
    )


def row_draft(row: FileRow) -> directory.EntryDraft:
    """A file row as a draft, unchecked: codes as typed (a province's lost zero restored)."""
    values = row.values
    province = values["province"]
    if province.isdigit() and len(province) == 1:
        province = province.zfill(2)  # a spreadsheet drops the leading zero of "01"
    return directory.EntryDraft(
        system_code=values["system"].lower() or None,
        province_code=province or None,
        kind=values["kind"].lower(),
        organisation=values["organisation"],
        name=values["name"],
        phone=values["phone"],
        email=values["email"],
        hours=values["hours"],
        handles=tuple(
            part.strip().lower()
            for part in HANDLES_SEPARATOR.split(values["handles"])
            if part.strip()
        ),
        note=values["note"],
    )


def _messages(error: errors.HelpdeskError) -> tuple[str, ...]:
    if not error.fields:
        return (error.message,)
    return tuple(f"{name}: {message}" for name, message in error.fields.items())


def import_entries(
    user: User | None, rows: list[FileRow], *, now: datetime | None = None
) -> ImportResult:
    """Add or update an entry per row, all or nothing; commits only a clean file.

    `user` None is the command line (every province). A coordinator's file may hold rows of
    its own province only: a national row or one of another province is a bad row. An updated
    entry counts as edited (the seed leaves it alone from then on); a row equal to its entry
    changes nothing (an exported entry without phone or e-mail may come back unchanged).
    """
    if user is not None and not access.can_keep(user):
        raise errors.NotFound(_("No such directory entry."))
    now = now or utcnow()
    existing = {
        match_key(directory.draft_of(e)): e for e in db.session.scalars(select(DirectoryEntry))
    }
    result = ImportResult()
    staged: list[tuple[DirectoryEntry | None, directory.EntryDraft]] = []
    first_line_of: dict[tuple, int] = {}
    for row in rows:
        try:
            draft = _checked_row(row, user, existing)
        except errors.HelpdeskError as error:
            result.problems.append(RowProblem(row.line, _messages(error)))
            continue
        key = match_key(draft)
        earlier = first_line_of.setdefault(key, row.line)
        if earlier != row.line:
            result.problems.append(
                RowProblem(row.line, (_("The same entry as line %(line)d.", line=earlier),))
            )
            continue
        staged.append((existing.get(key), draft))
    if result.problems:
        return result
    for entry, draft in staged:
        if entry is None:
            entry = DirectoryEntry()
            directory.stage_edit(entry, draft, user, now)
            db.session.add(entry)
            result.added += 1
        elif directory.stage_edit(entry, _keeping_position(draft, entry), user, now):
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.commit()
    log.info(
        "directory import by %s: %s added, %s updated, %s unchanged",
        user.id if user is not None else "command line",
        result.added,
        result.updated,
        result.unchanged,
    )
    return result


def _checked_row(row: FileRow, user: User | None, existing: dict) -> directory.EntryDraft:
    draft = row_draft(row)
    problems: dict[str, str] = {}
    if "phone" in row.numeric:
        problems["phone"] = _(
            "The phone cell is a number, which loses the leading zero: format the column as text."
        )
    try:
        draft = directory.check(draft, require_contact=False)
    except errors.Invalid as error:
        problems = {**error.fields, **problems}
    else:
        entry = existing.get(match_key(draft))
        unchanged = entry is not None and directory.draft_of(entry) == _keeping_position(
            draft, entry
        )
        if not draft.phone and not draft.email and not unchanged:
            problems["phone"] = _("Give a phone number or an e-mail address: a way to reach them.")
    if user is not None and "province" not in problems:
        try:
            directory.require_place(user, draft)
        except errors.Invalid as error:
            problems.update(error.fields)
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return draft


def _keeping_position(draft: directory.EntryDraft, entry: DirectoryEntry) -> directory.EntryDraft:
    """The file has no position column: an updated entry keeps its own."""
    return replace(draft, position=entry.position)
