"""report cells without incidents; the incidents by declaration

An incident is a ticket of kind `incident`: the staff's record of one fault, whose tickets are
each counted on their own. The report cells (c5a2d3e4f6b7) counted it as one more ticket; its
triggers now leave it out, as helpdesk.reports.queries.from_tickets does, and both tables are
filled again from the tickets. The SQLite update trigger also fires on `kind`.

A partial index of the incidents by their declaration (created_at) lets the reports read a
period's incidents, a few among a million tickets, without the period's tickets.

Revision ID: fdbc23184835
Revises: b8d2f4a61c07
Create Date: 2026-12-07 18:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "fdbc23184835"
down_revision = "b8d2f4a61c07"
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
# The rows the cells count: every ticket (before), or every one but the incidents (now).
COUNTED = {"before": "", "now": "t.kind <> 'incident'"}
INCIDENT = "kind = 'incident'"


def of_ticket(dialect: str, key: list[str], figures: list[str], sign: str = "") -> str:
    """The cell (key) and figures of one ticket t, figures negated with sign '-'."""
    columns = [
        f"{MONTH[dialect]} AS month" if column == "month" else f"t.{column}" for column in key
    ]
    columns += [f"{sign}({FIGURE_OF[figure]}) AS {figure}" for figure in figures]
    return ", ".join(columns)


def summed(dialect: str, table: str, sources: list[tuple[str, str]], counted: str) -> str:
    """The change of each cell of `table` by the counted tickets of the sources (name, sign)."""
    key, figures = TABLES[table]
    where = f" WHERE {counted}" if counted else ""
    rows = " UNION ALL ".join(
        f"SELECT {of_ticket(dialect, key, figures, sign)} FROM {source} AS t{where}"
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


def apply(table: str, event: str, counted: str) -> str:
    """Up by upsert (in key order: writers lock cells alike), otherwise by UPDATE."""
    key, figures = TABLES[table]
    names, keys = ", ".join(key + figures), ", ".join(key)
    added = ", ".join(f"{figure} = c.{figure} + excluded.{figure}" for figure in figures)
    moved = ", ".join(f"{figure} = c.{figure} + changes.{figure}" for figure in figures)
    same = " AND ".join(f"c.{column} = changes.{column}" for column in key)
    changes = summed("postgresql", table, SOURCES[event], counted)
    return f"""WITH changes ({names}) AS ({changes}),
    raised AS (
        INSERT INTO {table} AS c ({names})
        SELECT {names} FROM changes WHERE tickets > 0 ORDER BY {keys}
        ON CONFLICT ({keys}) DO UPDATE SET {added}
    )
    UPDATE {table} AS c SET {moved} FROM changes WHERE changes.tickets <= 0 AND {same}"""


def postgresql_function(counted: str) -> str:
    def applied(event: str) -> str:
        return "\n        ".join(f"{apply(table, event, counted)};" for table in TABLES)

    return f"""
CREATE OR REPLACE FUNCTION report_cells_follow_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
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


def sqlite_raise(table: str, counted: str) -> str:
    key, figures = TABLES[table]
    names, keys = ", ".join(key + figures), ", ".join(key)
    values = ", ".join(
        [MONTH["sqlite"] if column == "month" else f"t.{column}" for column in key]
        + [FIGURE_OF[figure] for figure in figures]
    ).replace("t.", "NEW.")
    added = ", ".join(f"{figure} = {figure} + excluded.{figure}" for figure in figures)
    # An INSERT from a SELECT followed by ON CONFLICT needs a WHERE (SQLite's parsing rule).
    where = counted.replace("t.", "NEW.") or "true"
    return (
        f"INSERT INTO {table} ({names}) SELECT {values} WHERE {where} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {added};"
    )


def sqlite_lower(table: str, counted: str) -> str:
    key, figures = TABLES[table]
    lowered = ", ".join(
        f"{figure} = {figure} - ({FIGURE_OF[figure].replace('t.', 'OLD.')})" for figure in figures
    )
    month = MONTH["sqlite"].replace("t.", "OLD.")
    same = " AND ".join(
        f"month = {month}" if column == "month" else f"{column} = OLD.{column}" for column in key
    )
    if counted:
        same += " AND " + counted.replace("t.", "OLD.")
    return f"UPDATE {table} SET {lowered} WHERE {same};"


def sqlite_triggers(counted: str) -> dict[str, str]:
    def body(*steps) -> str:
        return " ".join(step(table, counted) for step in steps for table in TABLES)

    read = [*READ, "kind"] if counted else READ
    return {
        "report_cells_after_insert": f"AFTER INSERT ON tickets BEGIN {body(sqlite_raise)} END",
        "report_cells_after_update": (
            f"AFTER UPDATE OF {', '.join(read)} ON tickets "
            f"BEGIN {body(sqlite_lower, sqlite_raise)} END"
        ),
        "report_cells_after_delete": f"AFTER DELETE ON tickets BEGIN {body(sqlite_lower)} END",
    }


def count(counted: str) -> None:
    """The triggers that count the tickets so, and the cells filled again from the tickets."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(postgresql_function(counted))  # the triggers call it by name
    else:
        for name, body in sqlite_triggers(counted).items():
            op.execute(f"DROP TRIGGER {name}")
            op.execute(f"CREATE TRIGGER {name} {body}")
    for table, (key, figures) in TABLES.items():
        names = ", ".join(key + figures)
        op.execute(f"DELETE FROM {table}")
        op.execute(
            f"INSERT INTO {table} ({names}) {summed(dialect, table, [('tickets', '')], counted)}"
        )


def upgrade():
    count(COUNTED["now"])
    op.create_index(
        "ix_tickets_incidents_created_at",
        "tickets",
        ["created_at"],
        postgresql_where=sa.text(INCIDENT),
        sqlite_where=sa.text(INCIDENT),
    )


def downgrade():
    op.drop_index("ix_tickets_incidents_created_at", table_name="tickets")
    count(COUNTED["before"])
