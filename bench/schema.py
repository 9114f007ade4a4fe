"""What the bench needs to know of the migrated schema at run time.

Other engineers add columns while the bench is written: the generator and the baseline name
their columns explicitly and fill any other NOT NULL column that has no server default from the
model's own default, or stop with a message naming it.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

import psycopg


class SchemaError(RuntimeError):
    """The migrated schema and the bench disagree; the message says what to change."""


def model_table(table: str):
    import helpdesk  # noqa: F401 - the app's package imports every model module
    from helpdesk.extensions import db

    return db.metadata.tables.get(table)


def columns(conn: psycopg.Connection, table: str) -> dict[str, tuple[bool, bool]]:
    """Column name -> (nullable, has a server default), in table order."""
    rows = conn.execute(
        "SELECT column_name, is_nullable = 'YES', column_default IS NOT NULL"
        " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s"
        " ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return {name: (nullable, has_default) for name, nullable, has_default in rows}


def extra_values(conn: psycopg.Connection, table: str, given: list[str]) -> dict[str, Any]:
    """Values for the NOT NULL columns without a server default that `given` leaves out.

    Raises SchemaError when a column of `given` is gone, or a required one has no scalar or
    argument-free model default to take.
    """
    present = columns(conn, table)
    if not present:
        raise SchemaError(f"table {table} does not exist: are the migrations applied?")
    gone = [name for name in given if name not in present]
    if gone:
        raise SchemaError(
            f"{table} has no column {', '.join(gone)} any more: update bench/generate.py "
            "and bench/baseline.py"
        )
    required = [
        name
        for name, (nullable, has_default) in present.items()
        if not nullable and not has_default and name not in given
    ]
    model = model_table(table)
    values: dict[str, Any] = {}
    for name in required:
        column = model.columns.get(name) if model is not None else None
        default = column.default if column is not None else None
        if default is not None and default.is_scalar:
            values[name] = default.arg
        elif default is not None and default.is_callable:
            try:
                values[name] = default.arg(None)
            except TypeError as error:
                raise SchemaError(f"{table}.{name}: cannot compute its default") from error
        else:
            raise SchemaError(
                f"{table}.{name} is NOT NULL without a default: teach bench/generate.py and "
                "bench/baseline.py its value"
            )
    return values


def copy_text(value: Any) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def droppable_indexes(conn: psycopg.Connection, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, index, definition) of the non-unique indexes that no constraint owns."""
    return conn.execute(
        "SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)"
        " AND i.indexdef NOT LIKE 'CREATE UNIQUE%%'"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        " ORDER BY i.tablename, i.indexname",
        (tables,),
    ).fetchall()


def copy_rows(conn: psycopg.Connection, table: str, columns: list[str], rows) -> int:
    count = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            if isinstance(row, str):
                copy.write(row)
            else:
                copy.write_row(row)
            count += 1
    return count
