"""Bulk account creation from a CSV or XLSX file: each row checked, the good ones created."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpdesk import errors, table_files
from helpdesk.auth import cccd as cccd_rules
from helpdesk.auth import permissions
from helpdesk.auth.models import Role, User
from helpdesk.auth.services.accounts import parse_username, queue_activation
from helpdesk.auth.services.administration import (
    AccountDraft,
    actor_label,
    build_account,
    duplicate_message,
)
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

COLUMNS = ("cccd", "full_name", "email", "phone", "province", "unit", "unit_code", "role")
REQUIRED_COLUMNS = ("cccd", "full_name", "email", "province", "unit", "role")
MAX_ROWS = 5000
# The service's field names, as the file's columns name them.
FIELD_COLUMNS = {"username": "cccd", "province_code": "province"}


# A row of the file (helpdesk/table_files.py).
ImportRow = table_files.FileRow


@dataclass(frozen=True)
class RowResult:
    line: int
    created: bool
    username: str  # masked: the report is shown and printed
    message: str = ""


@dataclass
class ImportReport:
    results: list[RowResult] = field(default_factory=list)

    @property
    def created(self) -> list[RowResult]:
        return [r for r in self.results if r.created]

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.results if not r.created]


def read_rows(filename: str, data: bytes) -> list[ImportRow]:
    """The rows of a CSV (UTF-8, comma or semicolon) or XLSX file; raises errors.Invalid on
    `file` when the file as a whole cannot be read."""
    return table_files.read_rows(
        filename, data, columns=COLUMNS, check_header=_check_header, max_rows=MAX_ROWS
    )


def _check_header(names: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise errors.Invalid(
            _("The file lacks the columns: %(columns)s.", columns=", ".join(missing)), "file"
        )


def import_accounts(
    rows: list[ImportRow], *, actor: User | None = None, now: datetime | None = None
) -> ImportReport:
    """Create an account per good row, with an activation mail; report each bad row. Commits.

    A row's unit is the province's unit its `unit_code` names, else the listed unit its
    `unit` matches, else that name kept as written (units.resolve); a code unknown or of
    another province makes the row bad. A bad row (its line and reason in the report) creates
    nothing; the good rows are created together in one transaction. `actor` None is the
    command line; a coordinator may import requesters and unit admins of its province only (a
    row of another province is bad); a unit admin may import requesters of their own unit only.
    """
    now = now or utcnow()
    if actor is not None:
        permissions.require(actor, "accounts.import")
    report = ImportReport()
    taken = _existing_cccds(rows)
    seen: dict[str, int] = {}
    created: list[User] = []
    for row in rows:
        shown = cccd_rules.mask(row.values["cccd"]) if row.values["cccd"] else "-"
        try:
            user = _build(row, actor=actor, taken=taken, seen=seen, now=now)
        except errors.HelpdeskError as error:
            report.results.append(RowResult(row.line, False, shown, _reason(error)))
            continue
        db.session.add(user)
        seen[user.cccd] = row.line
        created.append(user)
        report.results.append(RowResult(row.line, True, user.masked_username))
    try:
        db.session.flush()
    except IntegrityError as error:  # a concurrent change took a CCCD: create none at all
        db.session.rollback()
        raise errors.Conflict(
            _("The accounts changed during the import; nothing was created. Try again.")
        ) from error
    outbox = [queue_activation(user, now=now) for user in created]
    db.session.commit()
    dispatch(outbox)
    log.info(
        "import by %s: %s created, %s rejected",
        actor_label(actor),
        len(report.created),
        len(report.rejected),
    )
    return report


def _build(
    row: ImportRow,
    *,
    actor: User | None,
    taken: set[str],
    seen: dict[str, int],
    now: datetime,
) -> User:
    values = row.values
    if "cccd" in row.numeric:
        raise errors.Invalid(
            _(
                "The CCCD cell is a number, which loses the leading zeros: format the column "
                "as text."
            ),
            "cccd",
        )
    for column in ("full_name", "email"):
        if not values[column]:
            raise errors.Invalid(_("This column is required."), column)
    login = parse_username(values["cccd"], now=now, field="cccd")
    if login.cccd in seen:
        raise errors.Invalid(_("The same CCCD as line %(line)d.", line=seen[login.cccd]), "cccd")
    if login.cccd in taken:
        raise errors.Conflict(duplicate_message(), "cccd")
    draft = AccountDraft(
        username=login.username,
        role=values["role"].lower() or Role.REQUESTER,
        full_name=values["full_name"],
        email=values["email"],
        phone=values["phone"],
        province_code=values["province"].zfill(2) if values["province"].isdigit() else None,
        unit=values["unit"],
        unit_code=_code_text(values["unit_code"], numeric="unit_code" in row.numeric),
    )
    if values["province"] and draft.province_code is None:
        raise errors.Invalid(_("Choose a province from the list."), "province")
    if draft.role == Role.COORDINATOR:
        # A coordinator joins its province's queue, which only the accounts pages and
        # `flask user create` arrange.
        raise errors.Invalid(
            _("Create provincial coordinators one by one, on the accounts page."), "role"
        )
    if actor is not None and actor.role == Role.COORDINATOR and not values["province"]:
        # A coordinator's file may leave the column empty: its rows are of its province.
        draft = replace(draft, province_code=actor.province_code)
    return build_account(draft, actor=actor, require_unit=True, now=now)


def _code_text(value: str, *, numeric: bool) -> str:
    """A unit code as the list writes it (5 digits): a spreadsheet's number cell loses its
    leading zeros (00004 becomes 4), given back here."""
    return value.zfill(5) if numeric and value.isdigit() else value


def _reason(error: errors.HelpdeskError) -> str:
    columns = [FIELD_COLUMNS.get(name, name) for name in error.fields]
    return f"{columns[0]}: {error.message}" if columns else error.message


def _existing_cccds(rows: list[ImportRow]) -> set[str]:
    """The CCCDs of the file that already have an account (one query per 500 rows)."""
    numbers = sorted({row.values["cccd"].strip() for row in rows if row.values["cccd"]})
    taken: set[str] = set()
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        taken.update(db.session.scalars(select(User.cccd).where(User.cccd.in_(chunk))))
    return taken
