"""The test database put back as `flask seed` left it after each test, at the cost of what the
test wrote rather than of the whole seed.

The seed is loaded once per session (per xdist worker). After each test:

- PostgreSQL: a statement trigger on every table notes the table's name in
  test_support.written, whoever writes (the test, a request, a `flask worker` subprocess, a
  cascade). test_support.restore(), one round trip, empties the noted tables and copies their
  seeded rows back from test_seed.
- SQLite: one query finds the tables that hold rows; those are emptied and the seeded tables
  filled again. (A trigger would need a table in the app's schema, which the migration test
  compares with the models.)

Reference rows (KEPT_TABLES) are loaded once and never put back. Tables of many seeded rows
(COMPARED_TABLES: the 3,321 communes and wards) are put right row by row instead: only the rows
a test added, changed or deleted are deleted and copied back, so a test that writes one unit
does not cost a refill of the whole list. On SQLite they are read and compared only when the
test wrote them: a statement of the test process's engine that writes the table, or a number of
rows or a highest id that moved (what a `flask worker` subprocess could have done; none of its
jobs changes a unit).
"""

from __future__ import annotations

import functools
import re

import sqlalchemy as sa

# Reference rows are loaded once per session and survive the per-test cleanup; the rest of
# what `flask seed` loads (queues, rules, policies) is put back after each test.
KEPT_TABLES = {"alembic_version", "provinces", "systems", "categories"}
# Seeded tables too large to refill after every test that writes them (each has an `id` key).
COMPARED_TABLES = ("units",)

POSTGRES_SETUP = """
CREATE SCHEMA test_support;
CREATE SCHEMA test_seed;
CREATE UNLOGGED TABLE test_support.written (name text NOT NULL);
CREATE FUNCTION test_support.note_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO test_support.written VALUES (TG_TABLE_NAME);
  RETURN NULL;
END $$;
CREATE FUNCTION test_support.restore(compared text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  written text;
BEGIN
  -- Seeded rows refer to each other (a queue's escalation queue): no FK triggers (nor these
  -- notes) while they are put back. Needs the superuser the suite runs as.
  SET LOCAL session_replication_role = replica;
  FOR written IN SELECT DISTINCT name FROM test_support.written LOOP
    IF written = ANY(compared) THEN
      -- Only the rows that differ from the seeded ones go, then the missing seeded ones return.
      EXECUTE format(
        'DELETE FROM public.%1$I AS t WHERE NOT EXISTS (SELECT FROM test_seed.%1$I AS s '
        'WHERE s.id = t.id AND ROW(s.*) IS NOT DISTINCT FROM ROW(t.*))', written);
      EXECUTE format(
        'INSERT INTO public.%1$I SELECT * FROM test_seed.%1$I AS s '
        'WHERE NOT EXISTS (SELECT FROM public.%1$I AS t WHERE t.id = s.id)', written);
    ELSE
      EXECUTE format('DELETE FROM public.%I', written);
      IF to_regclass(format('test_seed.%I', written)) IS NOT NULL THEN
        EXECUTE format('INSERT INTO public.%I SELECT * FROM test_seed.%I', written, written);
      END IF;
    END IF;
  END LOOP;
  DELETE FROM test_support.written;
END $$;
"""


def cleaned_tables(database) -> list[sa.Table]:
    return [t for t in database.metadata.sorted_tables if t.name not in KEPT_TABLES]


def snapshot(database) -> dict[str, list[dict]]:
    """What `flask seed` left beyond the reference rows (queues, rules, policies, ...)."""
    with database.engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(table.select())]
            for table in cleaned_tables(database)
        }


class Seeded:
    """The seeded state of one test database and the way back to it."""

    def __init__(self, database) -> None:
        self.database = database
        self.tables = cleaned_tables(database)
        self.rows = snapshot(database)
        # Compared tables' seeded rows by id, as tuples in column order (SQLite compares them).
        self.seeded_rows = {
            name: {row["id"]: tuple(row.values()) for row in self.rows[name]}
            for name in COMPARED_TABLES
        }
        if database.engine.dialect.name == "postgresql":
            self.note_writes()
        else:
            # Compared table -> whether a statement may have changed or deleted seeded rows
            # (False: it only added rows).
            self.written: dict[str, bool] = {}
            self.shape = {name: self.shape_of(rows) for name, rows in self.seeded_rows.items()}
            sa.event.listen(database.engine, "before_cursor_execute", self.note_statement)

    WRITES = re.compile(
        r"\s*(?P<verb>INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|"
        r'DELETE\s+FROM)\s+"?(?P<table>\w+)"?',
        re.IGNORECASE,
    )

    def note_statement(self, _connection, _cursor, statement, *_args) -> None:
        """SQLite: note a compared table a statement writes, and whether it only adds rows."""
        found = self.WRITES.match(statement)
        if found and found["table"] in COMPARED_TABLES:
            verb = " ".join(found["verb"].upper().split())
            adds = verb == "INSERT INTO" and "ON CONFLICT" not in statement.upper()
            self.written[found["table"]] = self.written.get(found["table"], False) or not adds

    @staticmethod
    def shape_of(rows) -> tuple[int, int | None]:
        return len(rows), max(rows, default=None)

    def note_writes(self) -> None:
        """Keep the seeded rows in test_seed and note every write from now on."""
        seeded = [table.name for table in self.tables if self.rows[table.name]]
        with self.database.engine.begin() as connection:
            # psycopg itself: without parameters it leaves format()'s %I alone.
            connection.connection.driver_connection.execute(POSTGRES_SETUP)
            for name in seeded:
                connection.exec_driver_sql(f'CREATE TABLE test_seed."{name}" AS TABLE "{name}"')
                if name in COMPARED_TABLES:
                    connection.exec_driver_sql(f'CREATE UNIQUE INDEX ON test_seed."{name}" (id)')
            for table in self.tables:
                connection.exec_driver_sql(
                    f'CREATE TRIGGER test_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "'
                    f'{table.name}" FOR EACH STATEMENT EXECUTE FUNCTION test_support.note_written()'
                )

    def restore(self) -> None:
        """Empty what the test wrote and put the seeded rows back, in one transaction
        (DELETE, not TRUNCATE: on small tables it is ten times faster)."""
        with self.database.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    sa.text("SELECT test_support.restore(:compared)"),
                    {"compared": list(COMPARED_TABLES)},
                )
            else:
                self.restore_sqlite(connection)

    def restore_sqlite(self, connection) -> None:
        holding = set(connection.execute(self.holding_rows).scalars())
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for table in reversed(self.tables):
            if table.name in COMPARED_TABLES:
                self.put_back(connection, table)
            elif table.name in holding or self.rows[table.name]:
                connection.execute(table.delete())
        for table in self.tables:
            if self.rows[table.name] and table.name not in COMPARED_TABLES:
                connection.execute(table.insert(), self.rows[table.name])
        self.written.clear()  # this restore's own statements included

    def put_back(self, connection, table: sa.Table) -> None:
        """A compared table as seeded: nothing to do when untouched, the rows past the seeded
        ones deleted when the test only added rows, else compared row by row."""
        changed = self.written.get(table.name)
        if changed is None and not self.moved(connection, table):
            return
        if changed is False:
            connection.execute(table.delete().where(table.c.id > self.shape[table.name][1]))
            if not self.moved(connection, table):
                return
        self.put_right(connection, table)

    def moved(self, connection, table: sa.Table) -> bool:
        """Whether the number of rows or the highest id differs from the seeded ones."""
        count, highest = connection.execute(
            sa.select(sa.func.count(), sa.func.max(table.c.id))
        ).one()
        return (count, highest) != self.shape[table.name]

    def put_right(self, connection, table: sa.Table) -> None:
        """Delete the rows of `table` that differ from its seeded ones, then insert the seeded
        rows missing: one read of the table, writes only for what the test changed."""
        seeded = self.seeded_rows[table.name]
        key = list(table.columns.keys()).index("id")
        columns = ", ".join(f'"{column.name}"' for column in table.columns)
        present, stale = set(), []
        query = f'SELECT {columns} FROM "{table.name}"'  # noqa: S608 - the metadata's names
        for row in connection.exec_driver_sql(query):
            if seeded.get(row[key]) == tuple(row):
                present.add(row[key])
            else:
                stale.append(row[key])
        for start in range(0, len(stale), 500):
            connection.execute(table.delete().where(table.c.id.in_(stale[start : start + 500])))
        missing = [row for row in self.rows[table.name] if row["id"] not in present]
        if missing:
            connection.execute(table.insert(), missing)

    @functools.cached_property
    def holding_rows(self) -> sa.CompoundSelect:
        """One query naming the cleaned tables that hold at least one row."""
        return sa.union_all(
            *(
                sa.select(sa.literal(table.name)).where(sa.exists(sa.select(1).select_from(table)))
                for table in self.tables
            )
        )
