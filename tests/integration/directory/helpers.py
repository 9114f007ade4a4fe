"""Helpers for the support directory's tests: entries made through the service, files."""

from __future__ import annotations

from helpdesk.directory import services
from helpdesk.directory.files import COLUMNS
from helpdesk.spreadsheets import csv_text


def add_entry(admin, **fields):
    """An entry created by the service as `admin` (a focal point of moj in 79 by default)."""
    values = {
        "system_code": "moj",
        "province_code": "79",
        "kind": "focal_point",
        "organisation": "Sở Tư pháp TP. Hồ Chí Minh",
        "phone": "028 3829 6390",
        **fields,
    }
    return services.create_entry(admin, services.EntryDraft(**values))


def csv_file(*rows: dict) -> bytes:
    """A CSV file with the import's header and these rows (missing columns empty)."""
    lines = [list(COLUMNS)] + [[row.get(column, "") for column in COLUMNS] for row in rows]
    return csv_text(lines).encode("utf-8")
