"""report cells: tickets counted by local month, system, province, and status or category

The dashboard summed a year's tickets on every view (half a million at a million tickets: about
a second). It now reads two small tables, per local month of creation, system and province:
`report_cells` by status, with the figures the dashboard sums (first response and resolution met
and measured, deadlines breached, ratings), and `report_places` by category; only the partial
months at the ends of a period are read from the tickets. Triggers on tickets keep both exact in
the transaction of every write, whoever writes (the app, a bulk load, a psql session).

PostgreSQL: statement-level triggers with transition tables (one upsert per table and statement,
however many tickets it writes; nothing when a statement changes no figure, as a reply does),
enabled ALWAYS so that a load with session_replication_role = replica counts too. SQLite:
row-level triggers on the columns read. Cells go up by upsert and down by UPDATE only, so
emptying the tables in any order leaves no stray row (a cell may stay at zero).

The local months are those of Asia/Ho_Chi_Minh (UTC+7 without summer time since 1975), as
helpdesk.reports.models.CELL_TIMEZONE says; reports in another zone read the tickets. The
figures are written out here as helpdesk.reports.queries.from_tickets counts them: a change there
needs a migration that replaces these triggers and refills the tables. On SQLite, a batch
migration that copies the tickets table drops its triggers: it must create them again.

Revision ID: c5a2d3e4f6b7
Revises: b4f1c2d3e5a6
Create Date: 2026-12-04 16:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c5a2d3e4f6b7"
down_revision = "b4f1c2d3e5a6"
branch_labels = None
depends_on = None

FIGURES = [
    "tickets",
    "first_response_met",
    "first_response_measured",
    "resolution_met",
    "resolution_measured",
    "breached",
    "rating_sum",
    "rating_count",
]
# Each table: its key (a cell) and the figures it sums.
TABLES = {
    "report_cells": (["month", "system_code", "province_code", "status"], FIGURES),
    "report_places": (["month", "system_code", "province_code", "category_code"], ["tickets"]),
}
# Each figure of one ticket (a row of tickets, or of a transition table, named t).
FIGURE_OF = {
    "tickets": "1",
    "first_response_met": "CASE WHEN t.first_responded_at IS NOT NULL"
    " AND t.first_response_due IS NOT NULL"
    " AND t.first_responded_at <= t.first_response_due THEN 1 ELSE 0 END",
    "first_response_measured": "CASE WHEN t.first_responded_at IS NOT NULL THEN 1 ELSE 0 END",
    "resolution_met": "CASE WHEN t.resolved_at IS NOT NULL"
    " AND t.resolution_breached_at IS NULL THEN 1 ELSE 0 END",
    "resolution_measured": "CASE WHEN t.resolved_at IS NOT NULL THEN 1 ELSE 0 END",
    "breached": "CASE WHEN t.first_response_breached_at IS NOT NULL"
    " OR t.resolution_breached_at IS NOT NULL THEN 1 ELSE 0 END",
    "rating_sum": "COALESCE(t.rating, 0)",
    "rating_count": "CASE WHEN t.rating IS NOT NULL THEN 1 ELSE 0 END",
}
# The columns whose change moves a ticket's figures (SQLite's triggers fire on these only).
READ = [
    "created_at",
    "system_code",
    "province_code",
    "category_code",
    "status",
    "first_responded_at",
    "first_response_due",
    "resolved_at",
    "first_response_breached_at",
    "resolution_breached_at",
    "rating",
]
MONTH = {
    "postgresql": "date_trunc('month', t.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date",
    "sqlite": "strftime('%Y-%m-01', t.created_at, '+7 hours')",
}


def of_ticket(dialect: str, key: list[str], figures: list[str], sign: str = "") -> str:
    """The cell (key) and figures of one ticket t, figures negated with sign '-'."""
    columns = [
        f"{MONTH[dialect]} AS month" if column == "month" else f"t.{column}" for column in key
    ]
    columns += [f"{sign}({FIGURE_OF[figure]}) AS {figure}" for figure in figures]
    return ", ".join(columns)


def summed(dialect: str, table: str, sources: list[tuple[str, str]]) -> str:
    """The change of each cell of `table` by the tickets of the sources (name, sign)."""
    key, figures = TABLES[table]
    rows = " UNION ALL ".join(
        f"SELECT {of_ticket(dialect, key, figures, sign)} FROM {source} AS t"
        for source, sign in sources
    )
    sums = ", ".join(f"sum({figure})" for figure in figures)
    moved = " OR ".join(f"sum({figure}) <> 0" for figure in figures)
    keys = ", ".join(key)
    return f"SELECT {keys}, {sums} FROM ({rows}) AS moves GROUP BY {keys} HAVING {moved}"


SOURCES = {
    "INSERT": [("new_tickets", "")],
    "DELETE": [("old_tickets", "-")],
    "UPDATE": [("new_tickets", ""), ("old_tickets", "-")],
}


def apply(table: str, event: str) -> str:
    """Up by upsert (in key order: writers lock cells alike), otherwise by UPDATE."""
    key, figures = TABLES[table]
    names, keys = ", ".join(key + figures), ", ".join(key)
    added = ", ".join(f"{figure} = c.{figure} + excluded.{figure}" for figure in figures)
    moved = ", ".join(f"{figure} = c.{figure} + changes.{figure}" for figure in figures)
    same = " AND ".join(f"c.{column} = changes.{column}" for column in key)
    return f"""WITH changes ({names}) AS ({summed("postgresql", table, SOURCES[event])}),
    raised AS (
        INSERT INTO {table} AS c ({names})
        SELECT {names} FROM changes WHERE tickets > 0 ORDER BY {keys}
        ON CONFLICT ({keys}) DO UPDATE SET {added}
    )
    UPDATE {table} AS c SET {moved} FROM changes WHERE changes.tickets <= 0 AND {same}"""


def applied(event: str) -> str:
    return "\n        ".join(f"{apply(table, event)};" for table in TABLES)


POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION report_cells_follow_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {applied("INSERT")}
    ELSIF TG_OP = 'UPDATE' THEN
        {applied("UPDATE")}
    ELSE
        {applied("DELETE")}
    END IF;
    RETURN NULL;
END
$$
"""

POSTGRESQL_TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS new_tickets",
    "UPDATE": "REFERENCING OLD TABLE AS old_tickets NEW TABLE AS new_tickets",
    "DELETE": "REFERENCING OLD TABLE AS old_tickets",
}


def sqlite_raise(table: str) -> str:
    key, figures = TABLES[table]
    names, keys = ", ".join(key + figures), ", ".join(key)
    values = ", ".join(
        [MONTH["sqlite"] if column == "month" else f"t.{column}" for column in key]
        + [FIGURE_OF[figure] for figure in figures]
    ).replace("t.", "NEW.")
    added = ", ".join(f"{figure} = {figure} + excluded.{figure}" for figure in figures)
    return (
        f"INSERT INTO {table} ({names}) VALUES ({values}) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {added};"
    )


def sqlite_lower(table: str) -> str:
    key, figures = TABLES[table]
    lowered = ", ".join(
        f"{figure} = {figure} - ({FIGURE_OF[figure].replace('t.', 'OLD.')})" for figure in figures
    )
    month = MONTH["sqlite"].replace("t.", "OLD.")
    same = " AND ".join(
        f"month = {month}" if column == "month" else f"{column} = OLD.{column}" for column in key
    )
    return f"UPDATE {table} SET {lowered} WHERE {same};"


def sqlite_body(*steps) -> str:
    return " ".join(step(table) for step in steps for table in TABLES)


SQLITE_TRIGGERS = {
    "report_cells_after_insert": f"AFTER INSERT ON tickets BEGIN {sqlite_body(sqlite_raise)} END",
    "report_cells_after_update": (
        f"AFTER UPDATE OF {', '.join(READ)} ON tickets "
        f"BEGIN {sqlite_body(sqlite_lower, sqlite_raise)} END"
    ),
    "report_cells_after_delete": f"AFTER DELETE ON tickets BEGIN {sqlite_body(sqlite_lower)} END",
}


def place_columns() -> list[sa.Column]:
    """The columns a month's tickets of a system and province are counted by."""
    return [
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("system_code", sa.String(length=16), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
    ]


def create_tables():
    op.create_table(
        "report_cells",
        *place_columns(),
        sa.Column("status", sa.String(length=24), nullable=False),
        *(sa.Column(figure, sa.Integer(), nullable=False) for figure in FIGURES),
        sa.PrimaryKeyConstraint(*TABLES["report_cells"][0], name=op.f("pk_report_cells")),
    )
    op.create_table(
        "report_places",
        *place_columns(),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*TABLES["report_places"][0], name=op.f("pk_report_places")),
    )


def upgrade():
    create_tables()
    dialect = op.get_bind().dialect.name
    # The cells as they stand: one pass over the tickets per table (seconds at a million).
    for table, (key, figures) in TABLES.items():
        names = ", ".join(key + figures)
        op.execute(f"INSERT INTO {table} ({names}) {summed(dialect, table, [('tickets', '')])}")
    if dialect == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for event, referencing in POSTGRESQL_TRIGGERS.items():
            name = f"report_cells_after_{event.lower()}"
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON tickets {referencing} "
                "FOR EACH STATEMENT EXECUTE FUNCTION report_cells_follow_tickets()"
            )
            op.execute(f"ALTER TABLE tickets ENABLE ALWAYS TRIGGER {name}")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for event in POSTGRESQL_TRIGGERS:
            op.execute(f"DROP TRIGGER report_cells_after_{event.lower()} ON tickets")
        op.execute("DROP FUNCTION report_cells_follow_tickets()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("report_places")
    op.drop_table("report_cells")
