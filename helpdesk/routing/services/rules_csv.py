"""Routing rules as CSV: export, and import all-or-nothing with each bad row reported.

Columns (header row required, any order; only `queue` is mandatory): name, system, category,
province, priority, queue, rank, priority_override, escalation_queue, active. Codes as in
reference/; queues by their code; an empty condition means "any"; `active` is 1/0, yes/no or
true/false (empty: yes). A rule is identified by its four conditions: a row whose conditions
equal an existing rule's updates that rule, any other row creates one, so an export edited
and imported again changes only what was edited. Rules absent from the file are kept.

A file with any bad row changes nothing: every bad row is reported with its line number
(the header is line 1), so one corrected upload applies the whole table at once and tickets
are never routed by half of it.
"""

from __future__ import annotations

import csv
import io
import itertools

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors, inputs, spreadsheets
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db
from helpdesk.routing import engine
from helpdesk.routing.models import Queue, Rule
from helpdesk.routing.services.rules import (
    DEFAULT_RANK,
    RANKS,
    RuleDraft,
    RuleFilter,
    apply_draft,
    rules_query,
)
from helpdesk.table_files import ImportResult, RowProblem

COLUMNS = (
    "name",
    "system",
    "category",
    "province",
    "priority",
    "queue",
    "rank",
    "priority_override",
    "escalation_queue",
    "active",
)
MAX_ROWS = 50_000
TRUE = {"", "1", "yes", "y", "true", "x", "có", "co"}
FALSE = {"0", "no", "n", "false", "không", "khong"}


def export_rules(actor: User, filters: RuleFilter | None = None) -> str:
    """The rules matching the filters as formula-safe CSV text (UTF-8 with BOM when encoded,
    for Excel); import_rules reads it back unchanged."""
    rows = (
        [
            rule.name,
            rule.system_code or "",
            rule.category_code or "",
            rule.province_code or "",
            rule.priority or "",
            rule.queue.code,
            rule.rank,
            rule.priority_override or "",
            rule.escalation_queue.code if rule.escalation_queue else "",
            1 if rule.active else 0,
        ]
        for rule in db.session.scalars(rules_query(actor, filters)).unique()
    )
    return spreadsheets.csv_text(itertools.chain([COLUMNS], rows), bom=False)


class _Lookups:
    """Every code a file may name, loaded once (a query per table, not per row)."""

    def __init__(self) -> None:
        self.systems = set(db.session.scalars(select(System.code)))
        self.categories = set(db.session.scalars(select(Category.code)))
        self.provinces = set(db.session.scalars(select(Province.code)))
        self.queues = dict(db.session.execute(select(Queue.code, Queue.id)).all())
        self.rules = {rule.conditions_key: rule for rule in db.session.scalars(select(Rule))}


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise errors.Invalid(
            _("The file is not UTF-8 text; save it as CSV UTF-8."), "file"
        ) from error


def _reader(text: str) -> csv.reader:
    first_line = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale separates with semicolons (the comma is the decimal mark).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _parse_row(values: dict[str, str], lookups: _Lookups) -> tuple[RuleDraft | None, list[str]]:
    problems: list[str] = []

    def code(column: str, known: set[str]) -> str | None:
        value = values.get(column, "").strip()
        if column == "province" and len(value) == 1 and value.isdigit():
            value = "0" + value  # a spreadsheet drops the leading zero of "01"
        if value and value not in known:
            problems.append(_("%(column)s: unknown code %(value)r.", column=column, value=value))
        return value if value in known else None

    def number(column: str, allowed: range, default: int | None) -> int | None:
        value = values.get(column, "").strip()
        if not value:
            return default
        parsed = int(value) if value.isascii() and value.isdigit() else None
        if parsed is None or parsed not in allowed:
            problems.append(
                _(
                    "%(column)s: %(value)r is not a whole number from %(low)d to %(high)d.",
                    column=column,
                    value=value,
                    low=allowed[0],
                    high=allowed[-1],
                )
            )
            return default
        return parsed

    system = code("system", lookups.systems)
    category = code("category", lookups.categories)
    province = code("province", lookups.provinces)
    priority = number("priority", engine.PRIORITIES, None)
    override = number("priority_override", engine.PRIORITIES, None)
    rank = number("rank", RANKS, DEFAULT_RANK)
    queue_code = values.get("queue", "").strip()
    queue_id = lookups.queues.get(queue_code)
    if not queue_code:
        problems.append(_("queue: required."))
    elif queue_id is None:
        problems.append(_("queue: no queue has the code %(value)r.", value=queue_code))
    escalation_code = values.get("escalation_queue", "").strip()
    escalation_id = lookups.queues.get(escalation_code) if escalation_code else None
    if escalation_code and escalation_id is None:
        problems.append(
            _("escalation_queue: no queue has the code %(value)r.", value=escalation_code)
        )
    elif escalation_id is not None and escalation_id == queue_id:
        problems.append(_("escalation_queue: must differ from the rule's queue."))
    active_text = values.get("active", "").strip().lower()
    if active_text not in TRUE | FALSE:
        problems.append(_("active: %(value)r is not 1 or 0.", value=active_text))
    name = values.get("name", "").strip()
    if len(name) > 200:
        problems.append(_("name: at most %(n)d characters.", n=200))
    elif unreadable := inputs.readable_problem(name):
        problems.append(f"name: {unreadable}")
    if problems:
        return None, problems
    draft = RuleDraft(
        queue_id=queue_id,
        name=name,
        system_code=system,
        category_code=category,
        province_code=province,
        priority=priority,
        rank=rank,
        priority_override=override,
        escalation_queue_id=escalation_id,
        active=active_text not in FALSE,
    )
    return draft, []


def import_rules(actor: User, data: bytes) -> ImportResult:
    """Create or update rules from a CSV file, all or nothing; commits only a clean file.

    A row whose conditions match an existing rule updates it; others create rules. Raises
    errors.Invalid (field `file`) when the file as a whole is unreadable (encoding, header).
    """
    permissions.require(actor, "admin.configure")
    reader = _reader(_decode(data))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        raise errors.Invalid(_("The file is empty."), "file") from None
    except csv.Error as error:
        raise errors.Invalid(_("Line 1: %(error)s", error=str(error)), "file") from error
    unknown = [name for name in header if name not in COLUMNS]
    if unknown or "queue" not in header or len(set(header)) != len(header):
        raise errors.Invalid(
            _(
                "Line 1 must name the columns: %(columns)s (queue is required; each once).",
                columns=", ".join(COLUMNS),
            ),
            "file",
        )
    lookups = _Lookups()
    result = ImportResult()
    drafts: list[tuple[int, RuleDraft]] = []
    first_line_of: dict[tuple, int] = {}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.problems.append(RowProblem(start, (str(error),)))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(drafts) + len(result.problems) >= MAX_ROWS:
            raise errors.Invalid(_("At most %(n)d rules per file.", n=MAX_ROWS), "file")
        if len(cells) > len(header):
            result.problems.append(
                RowProblem(start, (_("More cells than the header has columns."),))
            )
            continue
        cells = [spreadsheets.read_cell(cell) for cell in cells]  # the quote export_rules added
        draft, messages = _parse_row(dict(zip(header, cells, strict=False)), lookups)
        if draft is not None:
            earlier = first_line_of.setdefault(draft.conditions_key, start)
            if earlier != start:
                messages = [_("Same conditions as line %(line)d.", line=earlier)]
        if messages:
            result.problems.append(RowProblem(start, tuple(messages)))
        else:
            drafts.append((start, draft))
    if result.problems:
        return result
    for _line, draft in drafts:
        rule = lookups.rules.get(draft.conditions_key)
        if rule is None:
            rule = Rule()
            apply_draft(rule, draft)
            db.session.add(rule)
            result.added += 1
        elif apply_draft(rule, draft):
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.commit()
    return result
