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

Reference rows (KEPT_TABLES) are loaded once and never put back.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

# Reference rows are loaded once per session and survive the per-test cleanup; the rest of
# what `flask seed` loads (queues, rules, policies) is put back after each test.
KEPT_TABLES = {"alembic_version", "provinces", "systems", "categories"}

POSTGRES_SETUP = """
CREATE SCHEMA test_support;
CREATE SCHEMA test_seed;
CREATE UNLOGGED TABLE test_support.written (name text NOT NULL);
CREATE FUNCTION test_support.note_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO test_support.written VALUES (TG_TABLE_NAME);
  RETURN NULL;
END $$;
CREATE FUNCTION test_support.restore() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  written text;
BEGIN
  -- Seeded rows refer to each other (a queue's escalation queue): no FK triggers (nor these
  -- notes) while they are put back. Needs the superuser the suite runs as.
  SET LOCAL session_replication_role = replica;
  FOR written IN SELECT DISTINCT name FROM test_support.written LOOP
    EXECUTE format('DELETE FROM public.%I', written);
    IF to_regclass(format('test_seed.%I', written)) IS NOT NULL THEN
      EXECUTE format('INSERT INTO public.%I SELECT * FROM test_seed.%I', written, written);
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
        if database.engine.dialect.name == "postgresql":
            self.note_writes()

    def note_writes(self) -> None:
        """Keep the seeded rows in test_seed and note every write from now on."""
        seeded = [table.name for table in self.tables if self.rows[table.name]]
        with self.database.engine.begin() as connection:
            # psycopg itself: without parameters it leaves format()'s %I alone.
            connection.connection.driver_connection.execute(POSTGRES_SETUP)
            for name in seeded:
                connection.exec_driver_sql(f'CREATE TABLE test_seed."{name}" AS TABLE "{name}"')
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
                connection.exec_driver_sql("SELECT test_support.restore()")
            else:
                self.restore_sqlite(connection)

    def restore_sqlite(self, connection) -> None:
        holding = set(connection.execute(self.holding_rows).scalars())
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for table in reversed(self.tables):
            if table.name in holding or self.rows[table.name]:
                connection.execute(table.delete())
        for table in self.tables:
            if self.rows[table.name]:
                connection.execute(table.insert(), self.rows[table.name])

    @functools.cached_property
    def holding_rows(self) -> sa.CompoundSelect:
        """One query naming the cleaned tables that hold at least one row."""
        return sa.union_all(
            *(
                sa.select(sa.literal(table.name)).where(sa.exists(sa.select(1).select_from(table)))
                for table in self.tables
            )
        )
