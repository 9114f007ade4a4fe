"""The one INSERT of a flush's outbox rows, written per database dialect.

Why this exists: the rows queued in a transaction go in together, and a row whose key is
already in the outbox is skipped (ON CONFLICT DO NOTHING), which the ORM's unit of work cannot
say. PostgreSQL gets the rows as one JSON document (json_to_recordset), so the statement has
one parameter and the same text whatever the number of rows; other databases (SQLite in
development) get a plain multi-row INSERT, INSERT_BATCH rows a statement. This is the only
module of the package that writes SQL for one dialect.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from helpdesk.extensions import insert_with_conflicts
from helpdesk.notifications.models import Outbox

# Rows an INSERT carries at most: 16 columns each stays under SQLite's 32766 parameters.
INSERT_BATCH = 500


def insert_rows(session: Session, rows: list[Outbox]) -> dict[str, int]:
    """Insert the rows, skipping those whose key is taken; {key: id} of the rows inserted."""
    if session.get_bind().dialect.name == "postgresql":
        return insert_as_json(session, rows)
    return insert_in_batches(session, rows)


def insert_in_batches(session: Session, rows: list[Outbox]) -> dict[str, int]:
    """{key: id} of the rows inserted, INSERT_BATCH a statement ("insertmanyvalues")."""
    columns = [column.key for column in Outbox.__table__.columns if column.key != "id"]
    statement = (
        insert_with_conflicts(session)(Outbox)
        .on_conflict_do_nothing(index_elements=[Outbox.key])
        .returning(Outbox.id, Outbox.key)
    )
    ids: dict[str, int] = {}
    for start in range(0, len(rows), INSERT_BATCH):
        values = [
            {name: getattr(row, name) for name in columns}
            for row in rows[start : start + INSERT_BATCH]
        ]
        ids.update((key, row_id) for row_id, key in session.execute(statement, values))
    return ids


def insert_as_json(session: Session, rows: list[Outbox]) -> dict[str, int]:
    """{key: id} of the rows inserted, all with one INSERT ... SELECT FROM json_to_recordset()
    (PostgreSQL): the rows go as one JSON document, one parameter whatever their number.

    psycopg parses a long query anew each time (past its length limit a query is not cached),
    so a VALUES list of sixteen placeholders a row is not used here.
    """
    statement, names = json_statement(session.get_bind().dialect)
    document = json.dumps(
        [{name: getattr(row, name) for name in names} for row in rows], default=json_instant
    )
    return {key: row_id for row_id, key in session.execute(statement, {"rows": document})}


@cache
def json_statement(dialect) -> tuple[TextClause, tuple[str, ...]]:
    """insert_as_json's statement for the dialect and the columns its JSON rows carry, built
    once per process (writing the columns' types out cost more than the rest of a filing's
    mail)."""
    columns = [column for column in Outbox.__table__.columns if column.key != "id"]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in columns)
    types = ", ".join(f"{quote(column.name)} {column.type.compile(dialect)}" for column in columns)
    statement = text(
        f"INSERT INTO {Outbox.__tablename__} ({names}) SELECT {names} "  # noqa: S608 - our columns
        f"FROM json_to_recordset(CAST(:rows AS json)) AS given({types}) "
        "ON CONFLICT (key) DO NOTHING RETURNING id, key"
    )
    return statement, tuple(column.key for column in columns)


def json_instant(value) -> str:
    """An instant of an outbox row as JSON: ISO 8601 in UTC (a naive one is a bug)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise TypeError(f"not an aware instant: {value!r}")
    return value.astimezone(UTC).isoformat()
